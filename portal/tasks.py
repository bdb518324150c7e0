from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import notices
from .models import Invitation
from .selectors import email_in_use
from .tenancy import AgencyTask, SystemTask


@shared_task(base=AgencyTask, bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_invitation_email(self, invitation_id: int, *, agency_id: int) -> None:
    """Email the invitation link, in the invitee's language. Skips closed invitations."""
    from .services import invitation_token

    invitation = (
        Invitation.objects.select_related("agency", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_open:
        return
    link = settings.SITE_URL + reverse(
        "portal:invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    # An address that already logs in (for another agency, say) gets no link that cannot work,
    # but a word on what to do; the inviting admin sees the same open invitation either way.
    template = "invitation_address_taken" if email_in_use(invitation.email) else "invitation"
    with notices.retried(self):
        notices.send(
            f"portal/email/{template}",
            {"invitation": invitation, "link": link},
            to=[invitation.email],
            language=invitation.language,
        )


@shared_task(base=SystemTask, acks_late=True)
def make_backup() -> str:
    """Daily (beat): an encrypted backup, then keep 7 daily and 4 weekly (``portal.backup``).
    Routed to the "backup" queue, which only docker-compose's backup service takes: it alone
    connects as the tables' owner and has the backup volume."""
    import os

    from . import backup

    made = backup.backup_create(
        out_dir=settings.BACKUP_DIR,
        recipients=os.environ.get("BACKUP_AGE_RECIPIENTS", ""),
        signing_key=os.environ.get("BACKUP_SIGNING_KEY", ""),
    )
    backup.backups_prune(out_dir=settings.BACKUP_DIR)
    if made.missing:  # the backup is written; the loss must not go unseen
        raise backup.BackupError(f"Files referenced but unreadable: {', '.join(made.missing)}")
    return str(made.path)


@shared_task(base=AgencyTask, acks_late=True)
def send_webhook(delivery_id: int, *, agency_id: int) -> None:
    """One webhook delivery, if it is (still) due (``portal.webhooks.delivery``)."""
    from .webhooks import delivery

    delivery.deliver(delivery_id=delivery_id)


@shared_task(base=SystemTask, acks_late=True)
def send_due_webhooks() -> int:
    """Every minute (beat): queue the deliveries whose next attempt has come."""
    from django.utils import timezone

    from .webhooks import delivery

    due = delivery.deliveries_due(now=timezone.now())
    for delivery_id, agency_id in due:
        send_webhook.delay(delivery_id, agency_id=agency_id)
    return len(due)


@shared_task(base=SystemTask, acks_late=True)
def prune_webhook_log() -> int:
    """Daily (beat): delivered webhook messages leave the log after 90 days."""
    from django.utils import timezone

    from .webhooks import delivery

    return delivery.log_prune(now=timezone.now())


@shared_task(base=SystemTask, acks_late=True)
def send_due_digests() -> int:
    """Hourly: queue the daily and weekly digests whose hour has come (``portal.digests``)."""
    from . import digests

    found = digests.due(now=timezone.now())
    for due in found:
        send_digest.delay(due.user_id, due.period, agency_id=due.agency_id)
    return len(found)


@shared_task(base=AgencyTask, bind=True, max_retries=5, default_retry_delay=300, acks_late=True)
def send_digest(self, user_id: int, period: str, *, agency_id: int) -> int:
    """One person's digest; sent once, whatever reruns (a claimed day)."""
    from . import digests

    with notices.retried(self):
        return digests.digest_send(user_id=user_id, period=period, now=timezone.now())


@shared_task(base=SystemTask, acks_late=True)
def send_due_sms() -> int:
    """Every minute: queue the SMS messages whose time has come (``portal.sms``)."""
    from . import sms

    found = sms.due(now=timezone.now())
    for message_id, agency_id in found:
        send_sms.delay(message_id, agency_id=agency_id)
    return len(found)


@shared_task(base=AgencyTask, acks_late=True)
def send_sms(message_id: int, *, agency_id: int) -> str:
    """One SMS message: sent once (a row lock and its status), its consent checked again."""
    from . import sms

    return sms.send_one(message_id=message_id, now=timezone.now())
