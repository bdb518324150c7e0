from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal import access, digests, notices
from portal.constants import NoticeKind
from portal.models import User
from portal.tenancy import AgencyTask, SystemTask

from . import services
from .models import Trajectory


@shared_task(base=SystemTask, acks_late=True)
def record_renewals() -> int:
    """Daily: record the monthly renewals that have fallen due (idempotent)."""
    return services.renewals_record(today=timezone.localdate())


@shared_task(base=AgencyTask, acks_late=True)
def notify_referral(trajectory_id: int, *, agency_id: int) -> int:
    """Tell the agency's admins and specialists that an employer referred someone: one task
    per recipient, so a retry never mails someone twice."""
    recipients = list(access.agency_staff(agency_id).values_list("pk", flat=True))
    for user_id in recipients:
        send_referral_notice.delay(trajectory_id, user_id, agency_id=agency_id)
    return len(recipients)


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_referral_notice(self, trajectory_id: int, user_id: int, *, agency_id: int) -> None:
    trajectory = (
        Trajectory.objects.select_related("employee", "legal_entity__employer", "agency")
        .filter(pk=trajectory_id)
        .first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if trajectory is None or user is None:
        return
    url = reverse("trajecten:file", args=[trajectory.uuid])
    context = {"trajectory": trajectory, "link": settings.SITE_URL + url}
    with notices.retried(self):
        notice_send(
            user=user,
            message="referral",
            kind=NoticeKind.REFERRAL,
            url=url,
            email=("trajecten/email/referral", context),
            name=trajectory.employee.full_name,
        )


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def notify_message(self, message_id: int, user_id: int, *, agency_id: int) -> None:
    """Email one participant that a message waits for them (see ``trajecten.messaging``)."""
    from . import messaging
    from .models import Message

    message = Message.objects.select_related("trajectory").filter(pk=message_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if message is None or user is None or not messaging.notice_due(message=message, user=user):
        return
    url = reverse("trajecten:messages", args=[message.trajectory.uuid])
    with notices.retried(self):
        notice_send(
            user=user,
            message="message",
            kind=NoticeKind.MESSAGE,
            url=url,
            email=("trajecten/email/message", {"link": settings.SITE_URL + url, "user": user}),
            name=message.trajectory.employee.full_name,
        )


#: The in-app notices this app sends, worded in the reader's language of today.
MESSAGES = {
    "referral": gettext_lazy("New referral: %(name)s"),
    "message": gettext_lazy("New message about %(name)s"),
}


def wording(notice) -> str:
    try:
        return str(MESSAGES[notice.message]) % {"name": notice.params["name"]}
    except (KeyError, TypeError):
        return notice.text


def notice_send(*, user, message: str, kind, url: str, email, name: str):
    """One notice of this app: in-app, and the email as ``user`` chose (``portal.digests``)."""
    return digests.deliver(
        user=user, kind=kind, message=message, params={"name": name}, url=url, email=email
    )
