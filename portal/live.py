"""Change versions for live dashboards.

An open dashboard asks every few seconds whether anything it shows has changed. The answer must
be cheap whatever the data size, so it never touches the database: each employer and each
agency has a version number in the cache (Redis in production), raised after every commit that
changes what their dashboards show (an application recorded, a conversation report saved, a
report published, a trajectory changed, a message posted). The dashboard stores the version keys
it depends on in the session and sends back the token it was rendered with; the poll compares
the token with the cached versions in one ``get_many`` and answers 204 when nothing changed.

A version is a number that only goes up. When the cache loses a key (restart, eviction), the
next read seeds it from the clock, so a lost key looks like a change (one extra refresh), never
like "nothing changed".
"""

import time

from django.core.cache import cache
from django.db import transaction

SESSION_KEY = "live_keys"
TIMEOUT = 60 * 60 * 24 * 7


def employer_key(employer_id: int) -> str:
    return f"live:employer:{employer_id}"


def agency_key(agency_id: int) -> str:
    return f"live:agency:{agency_id}"


def _seed() -> int:
    return time.time_ns() // 1000


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


def changed(keys: list[str], seen: str) -> bool:
    return token(keys) != seen


def bump(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache: any new seed differs from what pages saw
            cache.set(key, _seed(), TIMEOUT)


def bump_trajectory(trajectory) -> None:
    """After the current transaction commits, tell the dashboards of the trajectory's employer
    and agency that something changed. Needs ``legal_entity`` (one query when not loaded)."""
    keys = [
        employer_key(trajectory.legal_entity.employer_id),
        agency_key(trajectory.agency_id),
    ]
    transaction.on_commit(lambda: bump(keys), robust=True)


def bump_trajectories(trajectory_ids) -> None:
    """After the commit, raise the versions of every employer and agency of these
    trajectories (a bulk write: one query, however many trajectories)."""
    ids = set(trajectory_ids)
    if not ids:
        return
    from trajecten.models import Trajectory

    pairs = list(
        Trajectory.objects.filter(pk__in=ids)
        .values_list("agency_id", "legal_entity__employer_id")
        .distinct()
    )
    keys = sorted({agency_key(a) for a, _e in pairs} | {employer_key(e) for _a, e in pairs})
    transaction.on_commit(lambda: bump(keys), robust=True)
