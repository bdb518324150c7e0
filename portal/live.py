"""Change versions for live dashboards.

An open dashboard asks every few seconds whether anything it shows has changed. The answer must
be cheap whatever the data size, so it never touches the database: each employer and each
agency has a version number in the cache (Redis in production), raised after every commit that
changes what their dashboards show (an application recorded, a conversation report saved, a
report published, a trajectory changed, a message posted). The dashboard stores the version keys
it depends on in the session and sends back the token it was rendered with; the poll compares
the token with the cached versions in one ``get_many`` and answers 204 when nothing changed.
That answer is given from the session alone (``unchanged``, called by
``portal.middleware.LivePollMiddleware`` before authentication touches the database): the
session names the user it was rendered for and the version of that user's own key, which the
services that change a user's access raise (``revoke``: deactivation, role, password, two-step
reset), so such a user's next poll goes through the full checks of the view.

A version is a number that only goes up. When the cache loses a key (restart, eviction), the
next read seeds it from the clock, so a lost key looks like a change (one extra refresh), never
like "nothing changed".

Each raise also records which trajectories it was for, under the version it produced
(``<key>:changed:<version>``). A dashboard that computed its figures at an earlier token asks
``changed_trajectories`` for the union of those sets and recomputes only those trajectories'
share of its figures. Whenever that cannot be told for certain (a raise without trajectories, a
record evicted or not yet written, too many raises in between, a reseeded key), the answer is
``None`` and the dashboard computes everything again: never "nothing changed" by mistake.
"""

import time

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

SESSION_KEY = "live_keys"
#: The pages that poll (``portal.middleware.LivePollMiddleware`` answers their unchanged polls).
LIVE_URL_NAMES = ("dashboards:home", "dashboards:employer", "dashboards:specialist")
#: The user a dashboard was rendered for and the version of their key then: ``[id, version]``.
USER_SESSION_KEY = "live_user"
TIMEOUT = 60 * 60 * 24 * 7
#: How long the record of what a raise changed is kept, and how many raises a dashboard
#: catches up on before it computes everything again (one read of this many records).
CHANGES_SECONDS = 60 * 60
MAX_CHANGES = 200
#: A bulk write of more trajectories than this records nothing: dashboards recompute.
MAX_RECORDED_IDS = 500


def employer_key(employer_id: int) -> str:
    return f"live:employer:{employer_id}"


def agency_key(agency_id: int) -> str:
    return f"live:agency:{agency_id}"


def user_key(user_id: int) -> str:
    return f"live:user:{user_id}"


def _seed() -> int:
    return time.time_ns() // 1000


def live_keys(user, kind: str) -> list[str]:
    """The change versions a dashboard depends on (``portal.live``): an employer contact's
    dashboard follows its employer; agency staff follow their agency."""
    from . import access
    from .models import Employer

    if kind == "employer" and access.is_employer_contact(user):
        # Read once per request (the page and its header's unread count both ask): a contact
        # belongs to one employer for good.
        # (getattr, not __dict__: request.user is a lazy object that passes attributes on.)
        keys = getattr(user, "_live_employer_keys", None)
        if keys is None:
            ids = Employer.objects.visible_to(user).values_list("id", flat=True)
            keys = user._live_employer_keys = [employer_key(pk) for pk in sorted(ids)]
        return list(keys)
    return [agency_key(user.agency_id)]


def versions(keys: list[str]) -> dict[str, int]:
    found = cache.get_many(keys)
    missing = {key: _seed() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, TIMEOUT)
    return found | missing


def token(keys: list[str]) -> str:
    """The token a page is rendered with: its keys' versions in order."""
    current = versions(keys)
    return ".".join(str(current[key]) for key in keys)


def remember(session, *, kind: str, keys: list[str], user_id: int) -> None:
    """Note in the session what a dashboard of ``kind`` was rendered from, so that its polls
    can be answered from the session (``unchanged``)."""
    stored = session.get(SESSION_KEY, {})
    if stored.get(kind) != keys:
        session[SESSION_KEY] = {**stored, kind: keys}
    user = [user_id, versions([user_key(user_id)])[user_key(user_id)]]
    if session.get(USER_SESSION_KEY) != user:
        session[USER_SESSION_KEY] = user


def unchanged(session, seen: str) -> bool:
    """Whether a poll sent with token ``seen`` may be answered "nothing changed" without the
    database: the session is still logged in as the user it rendered a dashboard for, whose
    access nobody changed since (``revoke``), and the versions of that dashboard's keys are
    still ``seen``. One cache read. Whenever in doubt (a key missing from the cache, another
    user, nothing rendered yet) the answer is no, and the view checks and renders."""
    user = session.get(USER_SESSION_KEY)
    dashboards = session.get(SESSION_KEY)
    if not user or not dashboards or str(session.get(AUTH_SESSION_KEY)) != str(user[0]):
        return False
    mine = user_key(user[0])
    current = cache.get_many(sorted({mine, *(k for keys in dashboards.values() for k in keys)}))
    if current.get(mine) != user[1]:
        return False
    return any(
        ".".join(str(current.get(key)) for key in keys) == seen for keys in dashboards.values()
    )


def revoke(user_id: int) -> None:
    """After the commit, make the user's open dashboards ask the view again at their next
    poll (their account was deactivated, their role, password or two-step verification
    changed)."""
    transaction.on_commit(lambda: bump([user_key(user_id)]), robust=True)


def _changes_key(key: str, version: int) -> str:
    return f"{key}:changed:{version}"


def bump(keys: list[str], trajectory_ids=()) -> None:
    """Raise the versions of ``keys``; with ``trajectory_ids``, record that these were what
    changed (see the module docstring)."""
    ids = sorted(set(trajectory_ids))
    if len(ids) > MAX_RECORDED_IDS:
        ids = []
    records = {}
    for key in keys:
        try:
            version = cache.incr(key)
        except ValueError:  # not in the cache: any new seed differs from what pages saw
            cache.set(key, _seed(), TIMEOUT)
            continue
        if ids:
            records[_changes_key(key, version)] = ids
    if records:
        cache.set_many(records, CHANGES_SECONDS)


def changed_trajectories(keys: list[str], since: str, until: str) -> set[int] | None:
    """The trajectories whose changes raised ``keys`` from token ``since`` to ``until``, or
    ``None`` when that cannot be told for certain."""
    try:
        old = [int(v) for v in since.split(".")]
        new = [int(v) for v in until.split(".")]
    except ValueError:
        return None
    if len(old) != len(keys) or len(new) != len(keys):
        return None
    wanted = []
    for key, first, last in zip(keys, old, new, strict=True):
        if not 0 <= last - first <= MAX_CHANGES:
            return None
        wanted += [_changes_key(key, v) for v in range(first + 1, last + 1)]
    if len(wanted) > MAX_CHANGES:
        return None
    found = cache.get_many(wanted) if wanted else {}
    if len(found) != len(wanted):
        return None
    return {pk for ids in found.values() for pk in ids}


def bump_trajectory(trajectory) -> None:
    """After the current transaction commits, tell the dashboards of the trajectory's employer
    and agency that it changed. Needs ``legal_entity`` (one query when not loaded)."""
    keys = [
        employer_key(trajectory.legal_entity.employer_id),
        agency_key(trajectory.agency_id),
    ]
    ids = [trajectory.pk]
    transaction.on_commit(lambda: bump(keys, ids), robust=True)


def bump_agency(agency_id: int, *, employer_ids=None) -> None:
    """After the commit, tell the agency's dashboards that something they show changed that
    belongs to no one trajectory: a BV's, a specialist's or a phase's name, an agency
    setting, a stand-in. With ``employer_ids`` only those employers' dashboards (and the
    agency's staff) are told, else every employer's (one query). Their figures and rows are
    computed again (``changed_trajectories`` answers ``None``)."""
    if employer_ids is None:
        from .models import Employer

        employer_ids = Employer.objects.filter(agency_id=agency_id).values_list("pk", flat=True)
    keys = [agency_key(agency_id), *(employer_key(pk) for pk in sorted(employer_ids))]
    transaction.on_commit(lambda: bump(keys), robust=True)


def bump_trajectories(trajectory_ids) -> None:
    """After the commit, raise the versions of every employer and agency of these
    trajectories (a bulk write: one query, the ids as one parameter, however many: the
    dispatcher's first catch-up on the platform announces 281,000 new drafts at once)."""
    ids = sorted(set(trajectory_ids))
    if not ids:
        return
    from trajecten.models import Trajectory

    pairs = set(
        Trajectory.objects.filter(pk__in_list=ids)
        .values_list("agency_id", "legal_entity__employer_id")
        .distinct()
    )
    keys = sorted({agency_key(a) for a, _e in pairs} | {employer_key(e) for _a, e in pairs})
    transaction.on_commit(lambda: bump(keys, ids), robust=True)


def changed(instance) -> None:
    """After the commit, tell the dashboards that show ``instance`` that it changed: the
    trajectory it belongs to (the row itself, or its ``trajectory``), every trajectory of an
    employee, of a sickness case or of an extension of one, the employer of an employer or BV.
    Called by the shared write step (``portal.writes.record``), so no service can forget it; a
    row that no dashboard shows (a user, a token, a setting) raises nothing here."""
    from trajecten.models import Employee, Extension, SicknessCase, Trajectory

    from .models import Employer, LegalEntity

    if isinstance(instance, Trajectory):
        bump_trajectory(instance)
    elif isinstance(instance, Employer | LegalEntity):
        employer = instance.pk if isinstance(instance, Employer) else instance.employer_id
        bump_agency(instance.agency_id, employer_ids=[employer])
    elif isinstance(instance, Employee):  # their name is on every dashboard row
        bump_trajectories(
            Trajectory.objects.filter(employee_id=instance.pk).values_list("pk", flat=True)
        )
    elif isinstance(instance, SicknessCase | Extension):
        case = instance.case_id if isinstance(instance, Extension) else instance.pk
        bump_trajectories(
            Trajectory.objects.filter(sickness_case_id=case).values_list("pk", flat=True)
        )
    elif (trajectory := _trajectory_of(instance)) is not None:
        if isinstance(trajectory, Trajectory) and "legal_entity" in trajectory._state.fields_cache:
            bump_trajectory(trajectory)  # everything at hand: no query
        else:
            bump_trajectories([getattr(trajectory, "pk", trajectory)])


def _trajectory_of(instance):
    """The trajectory a row belongs to, or its id, without a query where the row has it."""
    if getattr(instance, "trajectory_id", None) is not None:
        return instance._state.fields_cache.get("trajectory") or instance.trajectory_id
    try:
        return getattr(instance, "trajectory", None)  # a property: a report's response
    except ObjectDoesNotExist:
        return None
