from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    SPECIALIST = "specialist", _("Re-integration specialist")
    EMPLOYER_CONTACT = "employer_contact", _("Employer contact")
    EMPLOYEE = "employee", _("Employee")


#: Roles that see personal data of others: they must enrol in MFA before any page with it.
MFA_REQUIRED_ROLES = frozenset({Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT})

#: Roles an agency admin may invite through the portal. Employees get their login when their
#: trajectory starts.
INVITABLE_ROLES = (Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
    POLISH = "pl", _("Polish")


class PhaseSet(models.TextChoices):
    SIX_STEPS = "six_steps", _("Six-step plan")
    FOUR_PHASES = "four_phases", _("Four-phase plan")


#: Phase names are agency data (an agency may rename them), seeded in Dutch, the language of
#: the UWV file.
DEFAULT_PHASES = {
    PhaseSet.SIX_STEPS: [
        "Intake",
        "Profiel",
        "Training",
        "Sollicitatievaardigheden en -middelen",
        "Coaching en jobhunting",
        "Nieuwe baan",
    ],
    PhaseSet.FOUR_PHASES: [
        "Intake",
        "Versterken van het aanbod",
        "Oriëntatie en solliciteren",
        "Werk en nazorg",
    ],
}


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    DOWNLOAD = "download", _("Downloaded")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    MFA_FAILED = "mfa_failed", _("Wrong two-factor code")
    LOGIN_LOCKED = "login_locked", _("Sign-in refused: too many attempts")
    LOGOUT = "logout", _("Logged out")
    INVITE = "invite", _("Invited")
    ACCEPT_INVITATION = "accept_invitation", _("Accepted invitation")


#: Default products of a new agency (domain.md section 3). The feasibility study has no
#: published default price; agencies set their own (EUR 0 until they do).
DEFAULT_PRODUCTS = [
    ("base_3m", "1775.00", 3, "24.0"),
    ("base_6m", "2750.00", 6, "40.0"),
    ("renewal", "335.00", None, "4.0"),
    ("feasibility", "0.00", None, "8.0"),
]

#: Time categories of a new agency: (name, billable).
DEFAULT_TIME_CATEGORIES = [
    ("Coaching", True),
    ("Jobhunting", True),
    ("Rapportage", True),
    ("Reistijd", False),
    ("Administratie", False),
]


class WebhookEvent(models.TextChoices):
    """What a webhook endpoint may subscribe to (``portal.webhooks``; docs/webhooks.md). The
    values are the ``type`` of the payload: a receiver's code reads them, so they never change."""

    REFERRAL_ACCEPTED = "referral.accepted", _("Referral accepted")
    INTAKE_HELD = "intake.held", _("Intake held")
    REPORT_FINAL = "report.final", _("Report final")
    TRAJECTORY_CLOSED = "trajectory.closed", _("Trajectory closed")
    RIV_FINDINGS_CHANGED = "riv.findings_changed", _("RIV findings changed")


#: Sent by the "send a test" button only; nobody subscribes to it.
WEBHOOK_TEST_EVENT = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class ChangeVia(models.TextChoices):
    """Through which path a change to the file was made (its history, ``RecordChange``)."""

    PAGE = "page", _("Page")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    TASK = "task", _("Automatic task")
    COMMAND = "command", _("Command line")


class NoticeKind(models.TextChoices):
    """The kinds of notice a person chooses the email of (in Spoorboek they always appear)."""

    REFERRAL = "referral", _("A new referral")
    MESSAGE = "message", _("A new message about a trajectory")
    REPORT_RESPOND = "report_respond", _("A report to read and respond to")
    REPORT_FINAL = "report_final", _("A report became final")
    REPORT_REMINDER = "report_reminder", _("A report falls due or is overdue")


class NoticeDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("By email at once")
    DAILY = "daily", _("In a daily email")
    WEEKLY = "weekly", _("In a weekly email")
    OFF = "off", _("Not by email (in Spoorboek only)")
