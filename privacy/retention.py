"""Retention: a re-integration file is removed when its keeping period has passed.

Per agency: ``retention_months`` after the trajectory ended (default 24), or
``retention_months_self_insurer`` when the employer is a self-insurer for the WGA/ZW (default
60: UWV can still ask them for the file). What goes, once the period has passed:

* the trajectory with every record of its file (conversations, profiles, medical notes,
  appointments, applications with their evidence, reports, messages, time, ...) and the
  uploaded files and rendered PDFs behind them (deleted from storage after the commit);
* the history of all of these (``portal.changelog``), the removals themselves included;
* the sickness case, when no other trajectory uses it;
* the employee, when no other trajectory remains; their login is anonymised and disabled
  (the account cannot be deleted: the audit trail still names who did what).

The audit trail itself is kept: it is the access log (NEN 7513) and has its own purpose. Each
run records, per agency, one event with counts, never content. Safe to run twice: a second run
finds nothing expired that is still there.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q

from portal import audit, live
from portal.changelog import triggers
from portal.constants import AuditAction
from portal.models import Agency
from rapportages.models import BundleJob, Report
from sollicitaties.models import Evidence
from trajecten.constants import TrajectoryStatus
from trajecten.models import Document, Employee, SicknessCase, Training, Trajectory

FILE_FIELDS = ((Document, "file"), (Training, "certificate"), (Evidence, "file"),
               (Report, "pdf"), (BundleJob, "pdf"))  # fmt: skip


@dataclass
class AgencyRun:
    agency: Agency
    trajectory_ids: list[int]
    counts: Counter = field(default_factory=Counter)


def expired(*, today: date) -> list[AgencyRun]:
    """Per agency, the ended trajectories whose keeping period has passed."""
    runs = []
    for agency in Agency.objects.order_by("id"):
        regular = today - relativedelta(months=agency.retention_months)
        insurer = today - relativedelta(months=agency.retention_months_self_insurer)
        ids = list(
            Trajectory.objects.filter(agency=agency, status=TrajectoryStatus.ENDED)
            .filter(
                Q(legal_entity__employer__is_self_insurer=False, end_date__lt=regular)
                | Q(legal_entity__employer__is_self_insurer=True, end_date__lt=insurer)
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        if ids:
            runs.append(AgencyRun(agency, ids))
    return runs


def plan(*, today: date) -> list[AgencyRun]:
    """What a run would remove (the dry run): counts per agency, nothing changed."""
    runs = expired(today=today)
    for run in runs:
        run.counts["trajectories"] = len(run.trajectory_ids)
        for model, name in FILE_FIELDS:
            run.counts["files"] += (
                model.objects.filter(trajectory_id__in_list=run.trajectory_ids)
                .exclude(**{name: ""})
                .count()
            )
        run.counts["employees"] = (
            Employee.objects.filter(trajectories__id__in_list=run.trajectory_ids)
            .exclude(trajectories__in=Trajectory.objects.exclude(id__in_list=run.trajectory_ids))
            .distinct()
            .count()
        )
    return runs


def apply(*, today: date) -> list[AgencyRun]:
    """Remove every expired file, one trajectory per transaction, and record the counts."""
    runs = expired(today=today)
    for run in runs:
        for trajectory_id in run.trajectory_ids:
            run.counts.update(_remove(trajectory_id))
        audit.record(
            AuditAction.DELETE,
            actor=None,
            agency_id=run.agency.pk,
            object_type="retention",
            details={"reason": "retention period passed", **run.counts},
        )
    return runs


@transaction.atomic
def _remove(trajectory_id: int) -> Counter:
    counts = Counter()
    trajectory = (
        Trajectory.objects.select_for_update(of=("self",))
        .select_related("employee__user")
        .filter(pk=trajectory_id)
    ).first()
    if trajectory is None:  # removed by a concurrent run
        return counts
    files = []
    for model, name in FILE_FIELDS:
        for record in model.objects.filter(trajectory=trajectory).exclude(**{name: ""}):
            files.append(getattr(record, name))
    counts["files"] = len(files)
    employee, case_id = trajectory.employee, trajectory.sickness_case_id
    live.bump_trajectories([trajectory.pk])  # read before it goes; raised after the commit
    # Corrections point at the version they supersede (PROTECT): unlink, then delete.
    Report.objects.filter(trajectory=trajectory).update(supersedes=None)
    deleted, _by_model = trajectory.delete()
    counts["trajectories"] = 1
    counts["records"] = deleted - 1
    case_gone = not Trajectory.objects.filter(sickness_case_id=case_id).exists()
    if case_gone:
        SicknessCase.objects.filter(pk=case_id).delete()
    # The history of the file goes with it, the removals just recorded included.
    counts["history"] = triggers.forget(
        trajectory_ids=[trajectory_id], case_ids=[case_id] if case_gone else []
    )
    if not employee.trajectories.exists():
        user = employee.user
        employee.delete()
        counts["employees"] = 1
        if user is not None:
            _anonymise(user)
    for stored in files:
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    return counts


def _anonymise(user) -> None:
    user.email = f"verwijderd-{user.uuid}@invalid.example"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.emailaddress_set.all().delete()
