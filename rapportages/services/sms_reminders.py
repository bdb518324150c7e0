"""SMS reminders to employees who consented (``portal.sms``): an appointment tomorrow, and a
report given to them to respond to, two days before the response deadline while they have not
responded. The text names no health information and no employer, only the time and
"Spoorboek", in the employee's language."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from portal import sms
from portal.models import SmsConsent, SmsMessage
from trajecten.models import Appointment

from ..constants import Party, ReportStatus
from ..models import Report, ReportResponse
from .checks import response_deadline

#: How long before the response deadline the report reminder goes.
REPORT_AHEAD = timedelta(days=2)


def sms_reminders_queue(*, now) -> int:
    """Queue what falls due (a sweep across agencies, every quarter hour). What was queued
    before is read in one query and passed over; ``portal.sms.queue`` makes each once."""
    consenting = SmsConsent.objects.values("user_id")
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    due = []
    appointments = (
        Appointment.objects.filter(
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
            trajectory__employee__user_id__in=consenting,
            trajectory__employee__user__is_active=True,
        )
        .select_related("trajectory__employee__user")
        .order_by("starts_at")
    )
    for appointment in appointments:
        user = appointment.trajectory.employee.user
        with translation.override(user.language):
            at = time_format(timezone.localtime(appointment.starts_at), "H:i")
            text = _("You have an appointment tomorrow at %(time)s, see Spoorboek") % {"time": at}
        key = f"{appointment.uuid}:{appointment.starts_at.isoformat()}"
        due.append((user, "appointment", key, text))
    answered = ReportResponse.objects.filter(
        report=OuterRef("pk"), party=Party.EMPLOYEE, content_sha256=OuterRef("review_sha256")
    )
    reports = (
        Report.objects.filter(
            status=ReportStatus.DRAFT,
            review_requested_at__isnull=False,
            trajectory__employee__user_id__in=consenting,
            trajectory__employee__user__is_active=True,
        )
        .exclude(Exists(answered))
        .select_related("agency", "trajectory__employee__user")
    )
    for report in reports:
        deadline = response_deadline(report)
        if deadline is None or not (now < deadline <= now + REPORT_AHEAD):
            continue
        user = report.trajectory.employee.user
        with translation.override(user.language):
            text = _("A report is waiting for your response, see Spoorboek")
        due.append((user, "report", f"{report.uuid}:{report.review_sha256}", text))
    queued = set(
        SmsMessage.objects.filter(user_id__in={user.pk for user, *_ in due}).values_list(
            "user_id", "kind", "key"
        )
    )
    made = 0
    for user, kind, key, text in due:
        if (user.pk, kind, key) not in queued:
            made += bool(sms.queue(user=user, kind=kind, key=key, text=text, now=now))
    return made
