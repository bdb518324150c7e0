"""Reads for the file pages. Every function starts from the scoping layer."""

from datetime import date

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from portal import access
from portal.changelog import entries as changelog_entries
from rapportages.schedule import next_progress_report_due

from . import messaging, wvp
from .constants import AssignmentStatus, MemberRole
from .file_parts import LogEntry, extra_tabs, other_log_entries
from .models import (
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    MedicalNote,
    Message,
    PersonProfile,
    PhaseChange,
    Placement,
    SearchProfile,
    Task,
    TimeEntry,
    Training,
    Trajectory,
    TrajectoryMember,
    WorkCapacity,
)


def trajectory_members(*, trajectory: Trajectory) -> QuerySet:
    return trajectory.memberships.select_related("user").order_by("role", "user__last_name")


def caseload(*, user) -> QuerySet[Trajectory]:
    """Trajectories with what a caseload row shows, in a fixed number of queries: phase, WvP
    week (from the case), next appointment and overdue tasks (subqueries), primary specialist."""
    now = timezone.now()
    today = timezone.localdate()
    next_appointment = (
        Appointment.objects.filter(trajectory=OuterRef("pk"), starts_at__gte=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    overdue_tasks = (
        Task.objects.filter(trajectory=OuterRef("pk"), done_on__isnull=True, due_date__lt=today)
        .values("trajectory")
        .annotate(n=Count("id"))
        .values("n")
    )
    overdue_assignments = (
        Assignment.objects.filter(
            trajectory=OuterRef("pk"), status=AssignmentStatus.OPEN, due_date__lt=today
        )
        .values("trajectory")
        .annotate(n=Count("id"))
        .values("n")
    )
    primary = Prefetch(
        "memberships",
        queryset=TrajectoryMember.objects.filter(role=MemberRole.PRIMARY).select_related("user"),
        to_attr="primary_memberships",
    )
    qs = (
        Trajectory.objects.visible_to(user)
        .select_related("employee", "legal_entity__employer", "phase", "sickness_case")
        .prefetch_related(primary)
        .order_by("status", "employee__last_name", "employee__first_name")
    )
    if access.is_agency_staff(user):
        qs = qs.annotate(
            next_appointment=Subquery(next_appointment),
            overdue_tasks=Subquery(overdue_tasks),
            overdue_assignments=Subquery(overdue_assignments),
        )
    return qs


def decorate_rows(trajectories, today: date, *, user) -> list[Trajectory]:
    """Add the computed columns (WvP week, weeks left, next report due: not one already
    signed) to a page of rows. One query for the page."""
    from rapportages import selectors as report_selectors

    rows = list(trajectories)
    signed = report_selectors.delivered_progress(
        report_selectors.delivered(user=user, trajectories=rows)
    )
    for t in rows:
        case = t.sickness_case
        t.wvp_week = wvp.wvp_week(case.first_sick_day, today)
        t.next_report_due = (
            next_progress_report_due(t.start_date, today, t.end_date, signed.get(t.pk, frozenset()))
            if t.is_active
            else None
        )
    return rows


def wvp_clock(*, trajectory: Trajectory, today: date) -> wvp.Clock:
    return wvp.clock(
        trajectory.sickness_case.dates(second_track_start=trajectory.start_date), today
    )


def chronological_log(*, user, trajectory: Trajectory) -> list[LogEntry]:
    """Everything the user may see of the file, in date order (newest first). One query per
    record kind, whatever the number of records."""

    def visible(model):
        return model.objects.visible_to(user).filter(trajectory=trajectory)

    entries = []
    for change in visible(PhaseChange).select_related("phase"):
        entries.append(LogEntry(change.started_on, "phase", change.phase.name))
    for c in visible(ConversationReport):
        entries.append(LogEntry(c.date, "conversation", f"{c.get_kind_display()}: {c.summary}"))
    for a in visible(Appointment):
        entries.append(LogEntry(timezone.localtime(a.starts_at).date(), "appointment", a.subject))
    for a in visible(Assignment):
        entries.append(LogEntry(a.due_date, "assignment", a.title))
    for t in visible(Training):
        entries.append(LogEntry(t.start_date or t.created_at.date(), "training", t.name))
    for d in visible(Document):
        entries.append(LogEntry(timezone.localtime(d.created_at).date(), "document", d.title))
    for task in visible(Task).filter(done_on__isnull=False):
        entries.append(LogEntry(task.done_on, "task", task.title))
    for p in visible(Placement):
        entries.append(LogEntry(p.start_date, "placement", str(p)))
    entries.extend(other_log_entries(user=user, trajectory=trajectory))
    return sorted(entries, key=lambda e: e.day, reverse=True)


def tabs_for(user) -> list[str]:
    """Which tabs of the file a role sees: those holding records visible to it."""

    def sees(model) -> bool:
        return access.sees_record_kind(user, model)

    tabs = ["overview"]
    if sees(ConversationReport):
        tabs.append("conversations")
    if sees(Message):
        tabs.append("messages")
    if sees(PersonProfile) or sees(WorkCapacity) or sees(SearchProfile):
        tabs.append("profile")
    tabs += [tab.key for tab in extra_tabs() if tab.visible(user)]
    if sees(Appointment):
        tabs.append("agenda")
    if sees(Training):
        tabs.append("trainings")
    if sees(Document):
        tabs.append("documents")
    if sees(Task):
        tabs.append("tasks")
    if sees(TimeEntry):
        tabs.append("time")
    tabs += ["log", "history"]
    return tabs


def tab_context(*, tab: str, user, trajectory: Trajectory, today: date, params=None) -> dict:
    """The records one tab shows, each list through the scoping layer."""

    def visible(model):
        return model.objects.visible_to(user).filter(trajectory=trajectory)

    match tab:
        case "overview":
            return {
                "members": trajectory_members(trajectory=trajectory),
                "phase_route": visible(PhaseChange).select_related("phase"),
                "placement": visible(Placement).first(),
                "intake_promise": trajectory.intake_promise(today),
            }
        case "conversations":
            return {"conversations": visible(ConversationReport).select_related("author")}
        case "profile":
            profiles = visible(SearchProfile).prefetch_related("functions")
            latest = profiles.first()
            return {
                "person_profile": visible(PersonProfile).first(),
                "work_capacity": visible(WorkCapacity).first(),
                "search_profiles": profiles,
                "search_profile": latest,
                "narrow_warning": latest.narrowness_warning(list(latest.functions.all()))
                if latest
                else "",
                "medical_notes": visible(MedicalNote).select_related("author"),
            }
        case "agenda":
            return {
                "appointments": visible(Appointment),
                "assignments": visible(Assignment),
                "today": today,
            }
        case "trainings":
            return {"trainings": visible(Training)}
        case "documents":
            return {"documents": visible(Document).select_related("uploaded_by")}
        case "tasks":
            return {"tasks": visible(Task), "today": today}
        case "time":
            entries = visible(TimeEntry).select_related("category", "user")
            used = sum(e.minutes for e in entries)
            budget = trajectory.product.budget_hours
            return {
                "time_entries": entries,
                "minutes_used": used,
                "budget_minutes": int(budget * 60) if budget else None,
            }
        case "messages":
            return {
                "thread": messaging.thread(user=user, trajectory=trajectory),
                "can_post": access.can_post_message(user, trajectory),
                "message_max_length": messaging.MAX_LENGTH,
            }
        case "log":
            return {"log": chronological_log(user=user, trajectory=trajectory)}
        case "history":
            rows = changelog_entries.trajectory_rows(user, trajectory)
            page = changelog_entries.page_of(rows, (params or {}).get("page"))
            return {
                "page": page,
                "entries": changelog_entries.entries(page.object_list, user),
                "show_records": True,
            }
    for extra in extra_tabs():
        if extra.key == tab:
            return {
                "extra_template": extra.template,
                **extra.context(user=user, trajectory=trajectory, today=today, params=params or {}),
            }
    return {}


def employee_home(*, user) -> dict:
    """An employee's own appointments and open assignments, and the trajectory they record
    applications in (the home page's main button)."""
    now = timezone.now()
    trajectories = list(
        Trajectory.objects.visible_to(user).select_related("legal_entity__employer", "phase")
    )
    return {
        "trajectories": trajectories,
        "recording": [
            t
            for t in trajectories
            if t.start_date and not t.is_ended and access.can_record_applications(user, t)
        ][:1],
        "appointments": Appointment.objects.visible_to(user)
        .filter(ends_at__gte=now)
        .select_related("trajectory")[:20],
        "assignments": Assignment.objects.visible_to(user)
        .filter(status=AssignmentStatus.OPEN)
        .select_related("trajectory"),
        "today": timezone.localdate(),
    }


def time_totals_for_employer(*, user, trajectory: Trajectory) -> int | None:
    """Total minutes spent, for employer contacts of agencies that share it; never entries."""
    if not trajectory.agency.share_time_totals_with_employer:
        return None
    return (
        TimeEntry.objects.filter(trajectory=trajectory).aggregate(total=Sum("minutes"))["total"]
        or 0
    )


def search(*, user, query: str) -> QuerySet[Trajectory]:
    """Trajectories whose employee matches every word of ``query`` in first name, last name or
    employee number (case-insensitive), with the caseload columns. Employees without a
    trajectory are not searched: staff reach them through a trajectory."""
    qs = caseload(user=user)
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(employee__first_name__icontains=word)
            | Q(employee__last_name__icontains=word)
            | Q(employee__external_id__iexact=word)
        )
    return qs
