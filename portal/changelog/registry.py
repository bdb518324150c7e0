"""Which tables of the file keep a history, and how a change finds its trajectory.

``key`` names the record in the address of its history page. ``trajectory`` says where the
trajectory is: ``"trajectory_id"`` (a record of the file), ``"self"`` (the trajectory),
``(foreign key column, parent label)`` (a child row of a record: its parent's trajectory), or
``None`` (the sickness case and its extensions, shown with every trajectory of that case).
A child row (``parent``, the foreign key to the record it belongs to) has no page of its own:
its changes show in its parent's history.
"""

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Tracked:
    key: str
    label: str
    trajectory: str | tuple[str, str] | None = "trajectory_id"
    parent: str | None = None
    #: The fields that tell one record from another of its kind in a list of changes
    #: ("Conversation report: 12-03-2026, coaching"), each shown only to whoever may read it.
    describe: tuple[str, ...] = ()


TRACKED = (
    Tracked("trajectory", "trajecten.trajectory", trajectory="self"),
    Tracked(
        "sickness-case", "trajecten.sicknesscase", trajectory=None, describe=("first_sick_day",)
    ),
    Tracked("extension", "trajecten.extension", trajectory=None, parent="case", describe=("kind",)),
    Tracked("profile", "trajecten.personprofile"),
    Tracked("work-capacity", "trajecten.workcapacity"),
    Tracked("medical-note", "trajecten.medicalnote"),
    Tracked("search-profile", "trajecten.searchprofile"),
    Tracked(
        "search-function",
        "trajecten.searchfunction",
        trajectory=("profile_id", "trajecten.searchprofile"),
        parent="profile",
        describe=("title",),
    ),
    Tracked("conversation", "trajecten.conversationreport", describe=("date", "kind")),
    Tracked("appointment", "trajecten.appointment", describe=("starts_at", "subject")),
    Tracked("assignment", "trajecten.assignment", describe=("title",)),
    Tracked("training", "trajecten.training", describe=("name",)),
    Tracked("document", "trajecten.document", describe=("title",)),
    Tracked("placement", "trajecten.placement"),
    Tracked("task", "trajecten.task", describe=("title",)),
    Tracked("time", "trajecten.timeentry", describe=("date", "category")),
    Tracked(
        "application",
        "sollicitaties.applicationactivity",
        describe=("date", "organisation"),
    ),
    Tracked("temp-agency", "sollicitaties.tempagencyregistration", describe=("agency_name",)),
    Tracked("norm", "sollicitaties.applicationnorm"),
    Tracked("report", "rapportages.report", describe=("kind", "number")),
    Tracked(
        "report-response",
        "rapportages.reportresponse",
        trajectory=("report_id", "rapportages.report"),
        parent="report",
        describe=("party", "decision"),
    ),
)


@cache
def _by_label() -> dict[str, Tracked]:
    return {tracked.label: tracked for tracked in TRACKED}


@cache
def _by_key() -> dict[str, Tracked]:
    return {tracked.key: tracked for tracked in TRACKED}


def by_label(label: str) -> Tracked | None:
    return _by_label().get(label)


def by_key(key: str) -> Tracked | None:
    return _by_key().get(key)
