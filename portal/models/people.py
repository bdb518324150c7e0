"""Who logs in: users (one role in one agency) and employer contacts with their BVs."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..constants import Language, Role
from .base import CopiesAgency, ScopedQuerySet
from .tenants import Agency, Employer, LegalEntity


class UserManager(BaseUserManager.from_queryset(ScopedQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users log in by email: an email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. Tenant users have a role in exactly one agency; platform operators
    (superusers) have neither and only use the Django admin."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("May use the Django admin to manage agencies. Not for agency staff."),
    )
    is_demo = models.BooleanField(_("demo user"), default=False, editable=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    session_generation = models.IntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised to end every session of the user at once (portal.team)."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=True) & Q(role=""))
                | (Q(agency__isnull=False) & ~Q(role="")),
                name="user_role_needs_agency",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def _get_session_auth_hash(self, secret=None) -> str:
        """The HMAC that Django's ``get_user`` compares with the session's on every request
        (a mismatch flushes the session): over the password, as Django's own, and over the
        session generation once it was raised, so ``portal.team.sessions_end`` ends every
        session of the user at their next request. Generation 0 is Django's own hash, so no
        session ended when this came in."""
        value = self.password
        if self.session_generation:
            value = f"{self.password}\x00{self.session_generation}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_agency_admin(self) -> bool:
        return self.role == Role.AGENCY_ADMIN

    @property
    def is_specialist(self) -> bool:
        return self.role == Role.SPECIALIST

    @property
    def is_employer_contact(self) -> bool:
        return self.role == Role.EMPLOYER_CONTACT

    @property
    def is_employee(self) -> bool:
        return self.role == Role.EMPLOYEE

    @property
    def is_agency_staff(self) -> bool:
        return self.role in (Role.AGENCY_ADMIN, Role.SPECIALIST)


class EmployerContact(CopiesAgency, models.Model):
    """Links an employer-contact user to their employer and the BVs they may see."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="employer_contact")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="contacts")
    all_legal_entities = models.BooleanField(
        _("all BVs"),
        default=True,
        help_text=_("Sees every BV of the employer, including BVs added later."),
    )
    legal_entities = models.ManyToManyField(
        LegalEntity, blank=True, related_name="contacts", verbose_name=_("BVs")
    )
    sees_invoices = models.BooleanField(
        _("sees the invoices"),
        default=False,
        help_text=_("The agency's invoices to the employer (or to the contact's BVs)."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("employer contact")
        verbose_name_plural = _("employer contacts")

    def __str__(self) -> str:
        return f"{self.user} ({self.employer})"

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "employer"


class StandIn(models.Model):
    """A colleague who sees and handles an absent specialist's trajectories from one date to
    another (holiday, leave): only inside that period (``portal.access``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    absent = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="stand_ins", verbose_name=_("absent")
    )
    stand_in = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="standing_in_for",
        verbose_name=_("stand-in"),
    )  # fmt: skip
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until and including"))
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stand-in")
        verbose_name_plural = _("stand-ins")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["stand_in", "starts_on"], name="standin_by_colleague")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="standin_period"),
            models.CheckConstraint(condition=~Q(absent=F("stand_in")), name="standin_not_self"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.stand_in} ↔ {self.absent} ({self.starts_on:%d-%m-%Y} – {self.ends_on:%d-%m-%Y})"
        )
