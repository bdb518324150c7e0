"""Who is told, by email and in-app notice: approvers, readers, reminders."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from portal import access, notices
from portal.constants import NoticeKind
from portal.models import User
from trajecten.constants import MemberRole

from .. import inbox
from ..constants import (
    REMINDER_DAYS,
    ReportStatus,
)
from ..models import Report
from .checks import response_deadline
from .responses import response_askees


def _notify_approvers(report: Report) -> None:
    url = reverse("rapportages:detail", args=[report.uuid])
    for user in access.report_approvers(report):
        inbox.send(report=report, user=user, message="approve", url=url)


def report_readers(report: Report) -> list[User]:
    """Who is told a report is final: the employee and the employer contacts of its BV."""
    t = report.trajectory
    readers = list(access.employer_contacts_of(t))
    if t.employee.user_id and t.employee.user.is_active:
        readers.append(t.employee.user)
    return readers


def reminders_due(*, today: date) -> list[tuple[int, int, str]]:
    """(report id, agency id, kind) of the reminders due today and not yet sent: 7 days
    before the due date ("soon"), and once when overdue."""
    drafts = Report.objects.filter(status=ReportStatus.DRAFT)
    soon = drafts.filter(
        reminder_sent_at__isnull=True,
        due_date__lte=today + timedelta(days=REMINDER_DAYS),
        due_date__gte=today,
    ).values_list("pk", "agency_id")
    overdue = drafts.filter(overdue_notice_sent_at__isnull=True, due_date__lt=today).values_list(
        "pk", "agency_id"
    )
    return [(pk, agency, "soon") for pk, agency in soon] + [
        (pk, agency, "overdue") for pk, agency in overdue
    ]


REMINDER_FIELDS = {"soon": "reminder_sent_at", "overdue": "overdue_notice_sent_at"}


def reminder_send(*, report_id: int, kind: str) -> bool:
    """Send one reminder to the primary specialist (an overdue one with the agency admins in
    copy), and mark it sent only after the mail went out: a failing mail server leaves it
    due, and the task retries. The row lock keeps two workers from sending it twice."""
    field = REMINDER_FIELDS[kind]
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("trajectory__employee")
            .filter(pk=report_id, status=ReportStatus.DRAFT, **{f"{field}__isnull": True})
            .first()
        )
        if report is None:
            return False
        writers = report_writers(report)
        admins = list(access.agency_admins(report.agency_id).values_list("email", flat=True))
        url = reverse("rapportages:detail", args=[report.uuid])
        context = {"report": report, "kind": kind, "link": settings.SITE_URL + url}
        template = "rapportages/email/report_reminder"
        for user in writers:  # each as they chose for reports falling due
            inbox.send(
                report=report,
                user=user,
                message=f"reminder_{kind}",
                url=url,
                kind=NoticeKind.REPORT_REMINDER,
                email=(template, context),
                day=report.due_date.isoformat(),
            )
        if kind == "overdue" and admins:  # an overdue report: the admins must know, at once
            notices.send(template, context, to=admins, language=report.agency.default_language)
        Report.objects.filter(pk=report.pk).update(**{field: timezone.now()})
    return True


def report_final_notice(*, report_id: int, user_id: int) -> bool:
    """Tell one reader that a report is final: an email and an in-app notice, both in their
    language. The notice is made only after the mail went out, so a retry never makes two."""
    report = (
        Report.objects.select_related("trajectory__employee", "trajectory__legal_entity")
        .filter(pk=report_id, status=ReportStatus.FINAL)
        .first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if report is None or user is None or user not in report_readers(report):
        return False
    url = reverse("rapportages:detail", args=[report.uuid])
    inbox.send(
        report=report,
        user=user,
        message="final",
        url=url,
        kind=NoticeKind.REPORT_FINAL,
        email=(
            "rapportages/email/report_final",
            {"report": report, "link": settings.SITE_URL + url},
        ),
    )
    return True


def report_offered_notice(*, report_id: int, user_id: int) -> bool:
    """Ask one person to read a report and respond: an email and an in-app notice in their
    language, while the report is still out."""
    report = (
        Report.objects.select_related("trajectory__employee", "trajectory__legal_entity")
        .filter(pk=report_id, status=ReportStatus.DRAFT, review_requested_at__isnull=False)
        .first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if report is None or user is None or user not in response_askees(report):
        return False
    url = reverse("rapportages:detail", args=[report.uuid])
    deadline = timezone.localtime(response_deadline(report))
    with translation.override(user.language):
        day = date_format(deadline, "DATE_FORMAT")
    context = {"report": report, "link": settings.SITE_URL + url, "deadline": day}
    inbox.send(
        report=report,
        user=user,
        message="respond",
        url=url,
        kind=NoticeKind.REPORT_RESPOND,
        email=("rapportages/email/report_offered", context),
        day=deadline.date().isoformat(),
    )
    return True


def report_writers(report: Report) -> list[User]:
    return [
        m.user
        for m in report.trajectory.memberships.select_related("user").filter(
            role=MemberRole.PRIMARY, user__is_active=True
        )
    ]
