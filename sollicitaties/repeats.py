"""Real effort counts once (domain.md section 4, the application norm).

A second registration with the same employment agency, or a second application to the same
vacancy (the same employer and function) within the agency's window (``Agency.
repeat_window_days``, default 30 days), is a **repeat**: it stays in the file as recorded,
shown as "herhaling, telt niet mee", and does not count toward the norm. An agency can turn
the rule off (``Agency.count_repeats_once``).

Which one is the repeat is decided by the order of recording, not by date: the entry recorded
first counts, the later one is the repeat. So a report already signed is never contradicted by
an entry recorded afterwards (a back-dated repeat cannot take the count away from the entry the
report counted). Deleting or changing the first entry hands the count to the next one.

The flag is stored on the row (``ApplicationActivity.repeat_of``: the UUID of the entry it
repeats), so every figure counts with one filter (``COUNTING``), and set by the services that
write applications (``refresh``), never by a signal.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q

from .constants import COUNTING_KINDS, ActivityKind

#: The filter of the applications that count toward the norm: a counting kind, not a repeat.
COUNTING = Q(kind__in=COUNTING_KINDS, repeat_of__isnull=True)

#: Legal forms that do not make another employer ("Jumbo BV" is "Jumbo").
LEGAL_FORMS = {"bv", "nv", "vof", "cv", "bvba", "sp", "zoo", "gmbh"}


def _name(text: str) -> str:
    """A name as compared: case, accents, punctuation and the legal form left out."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.sub(r"[^0-9a-z]+", " ", text.replace(".", "")).split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def key_of(kind: str, organisation: str, vacancy_title: str) -> tuple | None:
    """What makes two entries the same effort, or None for an entry that is never a repeat
    (a kind that does not count, or no organisation to compare)."""
    if kind not in COUNTING_KINDS or not _name(organisation):
        return None
    if kind == ActivityKind.AGENCY_REGISTRATION:
        return ("registration", _name(organisation))
    return ("application", _name(organisation), _name(vacancy_title))


def repeats(rows: Iterable, *, window_days: int) -> dict:
    """``{pk: uuid of the entry it repeats}`` for rows with ``pk``, ``uuid``, ``kind``,
    ``organisation``, ``vacancy_title``, ``date`` and ``created_at``. A registration repeats
    any earlier-recorded one with the same agency; an application one to the same employer and
    function whose date lies within ``window_days`` of its own."""
    first: dict[tuple, list] = {}
    found = {}
    for row in sorted(rows, key=lambda r: (r.created_at, r.pk)):
        key = key_of(row.kind, row.organisation, row.vacancy_title)
        if key is None:
            continue
        earlier = first.setdefault(key, [])
        window = timedelta(days=window_days)
        match = next(
            (e for e in earlier if key[0] == "registration" or abs(e.date - row.date) <= window),
            None,
        )
        if match is not None:
            found[row.pk] = match.uuid
        else:
            earlier.append(row)
    return found


def refresh(trajectory) -> None:
    """Set ``repeat_of`` on the trajectory's applications after a write. Locks the trajectory
    row first, so two entries recorded at the same moment are judged one after the other."""
    from trajecten.models import Trajectory

    from .models import ApplicationActivity

    Trajectory.objects.select_for_update().filter(pk=trajectory.pk).first()
    agency = trajectory.agency
    rows = list(
        ApplicationActivity.objects.filter(trajectory_id=trajectory.pk).only(
            "pk", "uuid", "kind", "organisation", "vacancy_title", "date", "created_at",
            "repeat_of",
        )
    )  # fmt: skip
    found = {}
    if agency.count_repeats_once:
        found = repeats(rows, window_days=agency.repeat_window_days)
    changed = []
    for row in rows:
        if row.repeat_of != found.get(row.pk):
            row.repeat_of = found.get(row.pk)
            changed.append(row)
    if changed:
        ApplicationActivity.objects.bulk_update(changed, ["repeat_of"])
