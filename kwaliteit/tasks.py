from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal import notices
from portal.tenancy import AgencyTask, SystemTask

from . import services
from .models import SurveyInvitation


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_survey(self, invitation_id: int, *, agency_id: int, reminder: bool = False) -> None:
    """Email the survey link (or its one reminder) in the person's language. Returns early when
    the link has closed meanwhile, or when the first email has already gone out."""
    invitation = (
        SurveyInvitation.objects.select_related(
            "agency", "trajectory__employee", "trajectory__legal_entity"
        )
        .filter(pk=invitation_id)
        .first()
    )
    now = timezone.now()
    if invitation is None or services.closed_reason(invitation, now=now):
        return
    if not reminder and invitation.sent_at:
        return
    token = services.survey_token(invitation)
    context = {
        "invitation": invitation,
        "agency": invitation.agency,
        "trajectory": invitation.trajectory,
        "employer_party": invitation.party == "employer",
        "reminder": reminder,
        "link": settings.SITE_URL + reverse("kwaliteit:survey", args=[token]),
        "decline_link": settings.SITE_URL + reverse("kwaliteit:survey_decline", args=[token]),
    }
    with notices.retried(self):
        notices.send(
            "kwaliteit/email/survey", context, to=[invitation.email], language=invitation.language
        )
    if not reminder:
        services.survey_sent(invitation_id=invitation.pk, now=now)


@shared_task(base=SystemTask, acks_late=True)
def send_survey_reminders() -> int:
    """Daily: the one reminder of every survey that waits for it (``services``)."""
    return services.survey_reminders_send(now=timezone.now())
