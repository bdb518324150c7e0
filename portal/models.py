"""Tenants and people: Agency (the tenant), Employer, LegalEntity (BV), User, audit trail."""

import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .constants import AuditAction, Language, PhaseSet, Role
from .uploads import GeneratedName


class Agency(models.Model):
    """A re-integration agency: the tenant. Everything a customer owns hangs off one agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    logo = models.ImageField(_("logo"), upload_to=GeneratedName("agency-logos"), blank=True)
    phase_set = models.CharField(
        _("phase set"),
        max_length=20,
        choices=PhaseSet.choices,
        default=PhaseSet.SIX_STEPS,
        help_text=_("The phases new trajectories go through."),
    )
    application_norm_count = models.PositiveSmallIntegerField(
        _("application norm: activities"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Counting application activities expected per norm period."),
    )
    application_norm_weeks = models.PositiveSmallIntegerField(
        _("application norm: period in weeks"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention after the trajectory ends (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    retention_months_self_insurer = models.PositiveSmallIntegerField(
        _("retention for self-insuring employers (months)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    share_time_totals_with_employer = models.BooleanField(
        _("show employers the total time spent"),
        default=False,
        help_text=_("Employer contacts see the hours spent per trajectory, never the entries."),
    )
    share_application_evidence_with_employer = models.BooleanField(
        _("show employers the evidence of applications"),
        default=False,
        help_text=_("Letters and screenshots the employee uploads. Notes are never shown."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """One phase of an agency's phase set, in order."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["agency", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "position"], name="phase_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Product(models.Model):
    """What an agency sells, with its price excluding VAT."""

    class Kind(models.TextChoices):
        BASE_3_MONTHS = "base_3m", _("2e spoor base trajectory, 3 months")
        BASE_6_MONTHS = "base_6m", _("2e spoor base trajectory, 6 months")
        FEASIBILITY = "feasibility", _("Feasibility study (haalbaarheidsonderzoek)")
        RENEWAL = "renewal", _("Monthly renewal after the base period")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="products")
    kind = models.CharField(_("product"), max_length=20, choices=Kind.choices)
    price = models.DecimalField(_("price excl. VAT (EUR)"), max_digits=8, decimal_places=2)
    base_months = models.PositiveSmallIntegerField(_("base period (months)"), null=True, blank=True)
    budget_hours = models.DecimalField(
        _("time budget (hours)"), max_digits=6, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["agency", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="product_unique_kind")
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class TimeCategory(models.Model):
    """An agency's category for time entries (coaching, reporting, travel, ...)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="time_categories")
    name = models.CharField(_("name"), max_length=100)
    billable = models.BooleanField(_("billable"), default=True)

    class Meta:
        verbose_name = _("time category")
        verbose_name_plural = _("time categories")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="time_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Employer(models.Model):
    """A client organisation (often a holding) of one agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="employers")
    name = models.CharField(_("name"), max_length=200)
    is_self_insurer = models.BooleanField(
        _("self-insurer (eigenrisicodrager)"),
        default=False,
        help_text=_("Files of self-insuring employers are kept longer."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="employer_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


kvk_validator = RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))
payroll_tax_validator = RegexValidator(
    r"^\d{9}L\d{2}$", _("A payroll tax number looks like 123456789L01.")
)


class LegalEntity(models.Model):
    """A legal entity (BV) of an employer group: the employing company of an employee."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="legal_entities")
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[kvk_validator]
    )
    payroll_tax_number = models.CharField(
        _("payroll tax number"), max_length=12, blank=True, validators=[payroll_tax_validator]
    )

    class Meta:
        verbose_name = _("legal entity (BV)")
        verbose_name_plural = _("legal entities (BVs)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "name"], name="legal_entity_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.agency_id = self.employer.agency_id
        super().save(*args, **kwargs)


class UserManager(BaseUserManager):
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


class EmployerContact(models.Model):
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

    class Meta:
        verbose_name = _("employer contact")
        verbose_name_plural = _("employer contacts")

    def __str__(self) -> str:
        return f"{self.user} ({self.employer})"

    def save(self, *args, **kwargs) -> None:
        self.agency_id = self.employer.agency_id
        super().save(*args, **kwargs)


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

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        if self.role == Role.EMPLOYER_CONTACT and not self.employer_id:
            raise ValidationError({"employer": _("An employer contact needs an employer.")})
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


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One line of the append-only audit trail: who did what to whose file, when, from where."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_email = models.CharField(_("user email"), max_length=254, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_uuid = models.UUIDField(_("object"), null=True, blank=True)
    object_repr = models.CharField(_("description"), max_length=200, blank=True)
    subject_uuid = models.UUIDField(
        _("person"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The employee whose file this concerns."),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=[("success", _("Succeeded")), ("failure", _("Failed"))],
        default="success",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agency", "-at"], name="audit_agency_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    @property
    def object_type_label(self) -> str:
        """The object kind in the reader's language (model verbose name)."""
        if self.object_type == "session":
            return gettext("session")
        for model in apps.get_models():
            if model._meta.model_name == self.object_type:
                return str(model._meta.verbose_name)
        return self.object_type

    @property
    def actor_role_label(self) -> str:
        return Role(self.actor_role).label if self.actor_role in Role.values else ""


class Notification(models.Model):
    """An in-app notice (next to the email) for one user."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("notice"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest of the secret is stored; the token itself is
    shown once, at creation. The prefix finds the row, the digest proves the secret."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    read_only = models.BooleanField(_("read only"), default=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at:
            return False
        return not (self.expires_at and self.expires_at <= timezone.now())
