"""Invitations: how staff and employer contacts get an account."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import Language, Role
from .base import ScopedQuerySet
from .tenants import Agency, Employer, LegalEntity


class Invitation(models.Model):
    """An agency admin's invitation to a new staff user or employer contact.

    The user account is created only when the invitee sets a password through the emailed link;
    the link is signed (django.core.signing), expires at ``expires_at`` and works once.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("employer")
    )
    all_legal_entities = models.BooleanField(_("all BVs"), default=True)
    sees_invoices = models.BooleanField(
        _("sees the invoices"),
        default=False,
        help_text=_("Only for employer contacts: the agency's invoices to their employer."),
    )
    legal_entities = models.ManyToManyField(LegalEntity, blank=True, verbose_name=_("BVs"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employee = models.ForeignKey(
        "trajecten.Employee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For an employee's invitation: the person whose file this login opens."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        if self.role == Role.EMPLOYER_CONTACT and not self.employer_id:
            raise ValidationError({"employer": _("Choose the employer this contact works for.")})
        if self.role != Role.EMPLOYER_CONTACT and self.employer_id:
            raise ValidationError({"employer": _("Only employer contacts belong to an employer.")})

    @property
    def status(self) -> str:
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("open")

    @property
    def is_open(self) -> bool:
        return not (self.accepted_at or self.revoked_at) and self.expires_at > timezone.now()
