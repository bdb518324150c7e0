"""Writes for tenants, people and invitations. Views and commands call these; they never save
tenant models themselves."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from . import audit, selectors
from .constants import (
    DEFAULT_PHASES,
    DEFAULT_PRODUCTS,
    DEFAULT_TIME_CATEGORIES,
    AuditAction,
    Role,
)
from .models import (
    Agency,
    Employer,
    EmployerContact,
    Invitation,
    LegalEntity,
    Phase,
    Product,
    TimeCategory,
    User,
)

INVITATION_SALT = "spoorboek.invitation"


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is shown to the visitor."""


# --- Agencies ---------------------------------------------------------------------------------


def agency_create(*, name: str, phase_set: str, **settings_fields) -> Agency:
    agency = Agency.objects.create(name=name, phase_set=phase_set, **settings_fields)
    agency_defaults_apply(agency=agency)
    return agency


def agency_defaults_apply(*, agency: Agency) -> None:
    """Phases, products and time categories an agency starts with. Safe to run again: it
    only adds what is missing."""
    if not agency.phases.exists():
        phases_reset(agency=agency)
    for kind, price, months, hours in DEFAULT_PRODUCTS:
        Product.objects.get_or_create(
            agency=agency,
            kind=kind,
            defaults={"price": price, "base_months": months, "budget_hours": hours},
        )
    for name, billable in DEFAULT_TIME_CATEGORIES:
        TimeCategory.objects.get_or_create(
            agency=agency, name=name, defaults={"billable": billable}
        )


def phases_reset(*, agency: Agency) -> None:
    """Set the agency's phases to the defaults of its phase set."""
    agency.phases.all().delete()
    Phase.objects.bulk_create(
        Phase(agency=agency, position=i, name=name)
        for i, name in enumerate(DEFAULT_PHASES[agency.phase_set], start=1)
    )


def agency_settings_update(*, agency: Agency, form) -> Agency:
    phase_set_changed = "phase_set" in form.changed_data
    agency = form.save()
    if phase_set_changed:
        phases_reset(agency=agency)
    audit.record(AuditAction.UPDATE, agency, details={"fields": form.changed_data})
    return agency


# --- Employers and BVs ------------------------------------------------------------------------


def employer_save(*, form, agency: Agency) -> Employer:
    creating = form.instance.pk is None
    employer = form.save(commit=False)
    employer.agency = agency
    employer.save()
    audit.record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        employer,
        details={"fields": form.changed_data},
    )
    return employer


def legal_entity_save(*, form, employer: Employer) -> LegalEntity:
    creating = form.instance.pk is None
    legal_entity = form.save(commit=False)
    legal_entity.employer = employer
    legal_entity.save()
    audit.record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        legal_entity,
        details={"fields": form.changed_data},
    )
    return legal_entity


# --- Invitations ------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.uuid), salt=INVITATION_SALT)


def invitation_create(*, form, invited_by: User) -> Invitation:
    invitation = form.save(commit=False)
    invitation.agency_id = invited_by.agency_id
    invitation.invited_by = invited_by
    invitation.email = invitation.email.lower()
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save()
    form.save_m2m()
    audit.record(AuditAction.INVITE, invitation, details={"role": invitation.role})
    _queue_invitation_email(invitation)
    return invitation


def invitation_resend(*, invitation: Invitation) -> Invitation:
    """A new link with a new expiry; only for invitations not yet accepted."""
    if invitation.accepted_at:
        raise InvitationError("already accepted")
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.revoked_at = None
    invitation.save(update_fields=["expires_at", "revoked_at"])
    audit.record(AuditAction.INVITE, invitation, details={"resent": True})
    _queue_invitation_email(invitation)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if not invitation.accepted_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(AuditAction.UPDATE, invitation, details={"revoked": True})
    return invitation


def employee_invite(*, employee, invited_by: User | None) -> Invitation | None:
    """Invite an employee to their own login, in their guidance language. Skips employees
    who have a login, an open invitation, no email address, or are marked as possibly the same
    person as another (``trajecten.services.employee_find_or_create``)."""
    if employee.user_id or not employee.email:
        return None
    if employee.possible_duplicate_of_id:
        return None  # until an agency admin has merged the two or kept them apart

    if selectors.email_in_use(employee.email):
        return None
    open_invitations = Invitation.objects.filter(
        employee=employee, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if open_invitations.filter(expires_at__gt=timezone.now()).exists():
        return None
    invitation = Invitation.objects.create(
        agency_id=employee.agency_id,
        email=employee.email.lower(),
        first_name=employee.first_name,
        last_name=employee.last_name,
        role=Role.EMPLOYEE,
        language=employee.guidance_language,
        employee=employee,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(AuditAction.INVITE, invitation, details={"role": Role.EMPLOYEE})
    _queue_invitation_email(invitation)
    return invitation


def _queue_invitation_email(invitation: Invitation) -> None:
    from .tasks import send_invitation_email

    transaction.on_commit(
        lambda: send_invitation_email.delay(invitation.pk, agency_id=invitation.agency_id),
        robust=True,
    )


def invitation_from_token(token: str) -> Invitation:
    """Resolve an emailed link, or raise InvitationError with a message for the visitor."""
    from django.utils.translation import gettext as _

    max_age = timedelta(days=settings.INVITATION_VALID_DAYS)
    try:
        invitation_uuid = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationError(
            _("This invitation link has expired. Ask your agency to send a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise InvitationError(_("This invitation link is not valid.")) from exc
    invitation = Invitation.objects.filter(uuid=invitation_uuid).first()
    if invitation is None or invitation.revoked_at:
        raise InvitationError(_("This invitation link is not valid."))
    if invitation.accepted_at:
        raise InvitationError(
            _("This invitation link has already been used. Log in with your email address.")
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _("This invitation link has expired. Ask your agency to send a new one.")
        )
    if selectors.email_in_use(invitation.email):
        raise InvitationError(address_taken_message())
    return invitation


def address_taken_message() -> str:
    """For the owner of an invited address that already logs in to Spoorboek (for another
    agency, say). Only they read it: the inviting admin is never told."""
    from django.utils.translation import gettext as _

    return _(
        "This email address already has a Spoorboek account, and one address is one account. "
        "Log in with it, or ask the agency that invited you to use another address."
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Create the invitee's account with the chosen password. The link proved the email
    address, so it is stored as verified. It does not log in: the login, with MFA enrolment
    for staff roles, follows."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise InvitationError("invitation no longer open")
    if selectors.email_in_use(invitation.email):
        raise InvitationError(address_taken_message())
    user = User.objects.create_user(
        invitation.email,
        password,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        agency_id=invitation.agency_id,
        role=invitation.role,
        language=invitation.language,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if invitation.employee_id:
        invitation.employee.user = user
        invitation.employee.save(update_fields=["user"])
    if invitation.role == Role.EMPLOYER_CONTACT:
        contact = EmployerContact.objects.create(
            user=user,
            employer_id=invitation.employer_id,
            all_legal_entities=invitation.all_legal_entities,
        )
        if not invitation.all_legal_entities:
            contact.legal_entities.set(invitation.legal_entities.all())
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    audit.record(AuditAction.ACCEPT_INVITATION, invitation, actor=user)
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
