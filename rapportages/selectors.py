"""Reads about reports for dashboards, each starting from the scoping layer."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Exists, OuterRef

from portal import access
from trajecten.constants import TrajectoryStatus

from .constants import DRAFT_LEAD_DAYS, FROZEN, ReportStatus
from .models import BundleJob, Report, ReportResponse
from .schedule import Due, trajectory_reports_due
from .services import current_responses


def responses_seen(user, report: Report) -> list:
    """The responses to a report that ``user`` may read: the one rule for the page, the API
    (and the PDF, which is made only when the report is signed). Once signed, the responses
    to the signed text, as its PDF prints them for everyone who may read the report. Before
    that, while the text is out for a response, agency staff read every response, a
    respondent only their own, and nobody else any (an employer contact never reads the
    employee's reason, name or way of signing before the report is signed)."""
    if user is None or not access.is_visible(user, report):
        return []
    answered = current_responses(report)
    if report.is_frozen or access.is_agency_staff(user):
        return list(answered.values())
    party = access.report_party(user, report)
    return [answered[party]] if party in answered else []


def _expected(trajectory, today: date) -> list[Due]:
    """Reports whose due date has passed (no lead time)."""
    if trajectory.start_date is None or trajectory.status == TrajectoryStatus.REFERRED:
        return []
    due = trajectory_reports_due(trajectory, today=today, lead_days=0)
    return [d for d in due if d.due_date < today]


def delivered(*, user, trajectories: list) -> set[tuple[int, str, int]]:
    """(trajectory id, kind, number) of the reports the user can see signed: one query."""
    ids = [t.pk for t in trajectories if t.start_date]
    return set(
        Report.objects.visible_to(user)
        .filter(trajectory_id__in_list=ids, status__in=FROZEN)
        .values_list("trajectory_id", "kind", "number")
    )


def delivered_progress(signed: set) -> dict[int, frozenset[int]]:
    """Per trajectory, the numbers of its progress reports in ``delivered``'s answer."""
    numbers = defaultdict(set)
    for trajectory_id, kind, number in signed:
        if kind == "progress":
            numbers[trajectory_id].add(number)
    return {t: frozenset(n) for t, n in numbers.items()}


def overdue_reports(
    *, user, trajectories: list, today: date, signed: set | None = None
) -> dict[int, list[Due]]:
    """Per trajectory, the reports past their due date that the user cannot yet see signed.

    Derived from the schedule and the reports the user may see, so an employer (who sees only
    published reports) learns no more than "not delivered yet". One query (none when the
    caller passes ``delivered``'s answer as ``signed``); the trajectories need ``product``
    loaded."""
    if signed is None:
        signed = delivered(user=user, trajectories=trajectories)
    result = defaultdict(list)
    for t in trajectories:
        for due in _expected(t, today):
            if (t.pk, due.kind, due.number) not in signed:
                result[t.pk].append(due)
    return result


def waiting_for_response(*, user):
    """The reports out for a response that ``user`` (an employee, or an employer contact for a
    plan) is asked to answer and has not answered yet: for their home page. One query."""
    answered = ReportResponse.objects.filter(
        report=OuterRef("pk"), user=user, content_sha256=OuterRef("review_sha256")
    )
    candidates = (
        Report.objects.visible_to(user)
        .filter(status=ReportStatus.DRAFT, review_requested_at__isnull=False)
        .exclude(Exists(answered))
        .order_by("due_date")
    )
    return [r for r in candidates if access.report_party(user, r)]


def drafts_due(*, user, today: date):
    """Drafts due within the lead time or overdue, soonest first, for a specialist's day."""
    return (
        Report.objects.visible_to(user)
        .filter(status=ReportStatus.DRAFT, due_date__lte=today + timedelta(days=DRAFT_LEAD_DAYS))
        .select_related("trajectory__employee")
        .order_by("due_date", "id")
    )


def file_tab_context(*, user, trajectory, today, params=None) -> dict:
    """The Reports tab of the file (added in ``apps.py``: ``trajecten.file_parts``)."""
    return {
        "reports": Report.objects.visible_to(user)
        .filter(trajectory=trajectory)
        .order_by("due_date", "version"),
        "bundles": BundleJob.objects.visible_to(user).filter(trajectory=trajectory)[:3],
        "can_request_bundle": access.can_request_bundle(user, trajectory),
        "today": today,
    }
