from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal import access
from portal.models import User
from portal.tenancy import AgencyTask, SystemTask

from . import services
from .models import Trajectory


@shared_task(base=SystemTask, acks_late=True)
def record_renewals() -> int:
    """Daily: record the monthly renewals that have fallen due (idempotent)."""
    return services.renewals_record(today=timezone.localdate())


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def notify_referral(self, trajectory_id: int, *, agency_id: int) -> None:
    """Tell the agency's admins and specialists that an employer referred someone."""
    trajectory = (
        Trajectory.objects.select_related("employee", "legal_entity__employer", "agency")
        .filter(pk=trajectory_id)
        .first()
    )
    if trajectory is None:
        return
    recipients = access.agency_staff(trajectory.agency_id)
    link = settings.SITE_URL + reverse("trajecten:file", args=[trajectory.uuid])
    try:
        for user in recipients:
            with translation.override(user.language):
                context = {"trajectory": trajectory, "link": link}
                subject = render_to_string("trajecten/email/referral_subject.txt", context)
                body = render_to_string("trajecten/email/referral_body.txt", context)
            send_mail(subject.strip(), body, None, [user.email])
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def notify_message(self, message_id: int, user_id: int, *, agency_id: int) -> None:
    """Email one participant that a message waits for them (see ``trajecten.messaging``)."""
    from . import messaging
    from .models import Message

    message = Message.objects.select_related("trajectory").filter(pk=message_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if message is None or user is None or not messaging.notice_due(message=message, user=user):
        return
    link = settings.SITE_URL + reverse("trajecten:messages", args=[message.trajectory.uuid])
    with translation.override(user.language):
        context = {"link": link, "user": user}
        subject = render_to_string("trajecten/email/message_subject.txt", context)
        body = render_to_string("trajecten/email/message_body.txt", context)
    try:
        send_mail(subject.strip(), body, None, [user.email])
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(base=SystemTask, acks_late=True)
def apply_retention() -> dict:
    """Daily: remove the files whose keeping period has passed (``trajecten.retention``)."""
    from . import access_export, retention

    runs = retention.apply(today=timezone.localdate())
    access_export.exports_expire(now=timezone.now())
    return {run.agency.pk: dict(run.counts) for run in runs}


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def build_access_export(self, export_id: int, *, agency_id: int) -> None:
    """Build an employee's access export (``trajecten.access_export``)."""
    from . import access_export
    from .models import AccessExport

    try:
        access_export.export_build(export_id=export_id)
    except OSError as exc:
        if self.request.retries >= self.max_retries:
            AccessExport.objects.filter(pk=export_id).update(status=AccessExport.Status.FAILED)
            return
        raise self.retry(exc=exc) from exc
