"""A satisfaction survey at closing: one invitation per person asked (the employee and each
employer contact of the closed trajectory), holding the answer once given.

Answers are never shown one by one: pages, CSV, PDF and API read them only as aggregates with
the small-number rule (``kwaliteit.outcomes``). The link is signed and names only the agency
and this row's random UUID (``kwaliteit.services.survey_token``)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trajecten.models.base import FileRecord

from .constants import COMMENT_MAX_LENGTH, SurveyParty


def _rating(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )


class SurveyInvitation(FileRecord):
    party = models.CharField(_("asked as"), max_length=10, choices=SurveyParty.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=2)
    expires_at = models.DateTimeField(_("link valid until"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    guidance = _rating(_("guidance"))
    communication = _rating(_("communication"))
    result = _rating(_("result"))
    comment = models.TextField(
        _("comment"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["trajectory", "email"], name="survey_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(declined_at__isnull=True),
                name="survey_answered_or_declined",
            ),
        ]
        indexes = [
            # The reminder sweep: invitations sent, not answered, not declined, not reminded.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(
                    answered_at__isnull=True, declined_at__isnull=True, reminded_at__isnull=True
                ),
                name="survey_awaiting_reminder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} ({self.trajectory_id})"
