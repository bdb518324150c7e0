"""Writes for tenants, people and invitations. Views and commands call these; they never save
tenant models themselves."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, audit, live, selectors, uploads, writes
from .constants import (
    DEFAULT_PHASES,
    DEFAULT_PRODUCTS,
    DEFAULT_TIME_CATEGORIES,
    INVITABLE_ROLES,
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


@transaction.atomic
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


@transaction.atomic
def phases_reset(*, agency: Agency) -> None:
    """Set the agency's phases to the defaults of its phase set."""
    agency.phases.all().delete()
    Phase.objects.bulk_create(
        Phase(agency=agency, position=i, name=name)
        for i, name in enumerate(DEFAULT_PHASES[agency.phase_set], start=1)
    )


MAX_LOGO_BYTES = 2 * 1024 * 1024


@transaction.atomic
def agency_settings_update(*, actor: User, **fields) -> Agency:
    """The agency's settings. A new logo is checked like every upload (PNG or JPEG, at most
    2 MB); a new phase set replaces the phases."""
    writes.allowed(access.can_manage_agency(actor))
    agency = Agency.objects.select_for_update().get(pk=actor.agency_id)
    logo = fields.get("logo")
    if isinstance(logo, UploadedFile):
        _check_logo(logo)
    elif "logo" in fields:
        del fields["logo"]  # no new file: the stored logo stays
    changed = writes.apply(agency, fields)
    writes.saved(agency, actor=actor, changed=changed, creating=False)
    if "phase_set" in changed:
        phases_reset(agency=agency)
    if {"count_repeats_once", "repeat_window_days"} & set(changed):
        from sollicitaties.tasks import repeats_refresh_agency

        transaction.on_commit(
            lambda: repeats_refresh_agency.delay(agency.pk, agency_id=agency.pk), robust=True
        )
    if changed:  # phase names, the norm and the contact alert are on every dashboard
        live.bump_agency(agency.pk)
    return agency


def _check_logo(logo: UploadedFile) -> None:
    if logo.size > MAX_LOGO_BYTES:
        writes.refuse("logo", _("The logo may be at most 2 MB."))
    try:
        uploads.checked(logo)
    except ValidationError as exc:
        raise ValidationError({"logo": exc.messages}) from exc
    if logo.detected_content_type not in (uploads.PNG, uploads.JPEG):
        writes.refuse("logo", _("Upload the logo as a PNG or JPEG file."))


# --- Employers and BVs ------------------------------------------------------------------------


@transaction.atomic
def employer_save(
    *, actor: User, employer: Employer | None = None, name: str, is_self_insurer: bool = False
) -> Employer:
    """A new employer of the actor's agency, or a change to one. Names are unique per agency
    (whatever the capitals); another agency's names are never looked at."""
    writes.allowed(access.can_manage_agency(actor))
    creating = employer is None
    employer = Employer(agency_id=actor.agency_id) if creating else writes.fresh(employer, actor)
    name = name.strip()
    clash = Employer.objects.visible_to(actor).filter(name__iexact=name).exclude(pk=employer.pk)
    if clash.exists():
        writes.refuse("name", _("Your agency already has an employer with this name."))
    changed = writes.apply(employer, {"name": name, "is_self_insurer": is_self_insurer})
    return writes.saved(employer, actor=actor, changed=changed, creating=creating)


@transaction.atomic
def legal_entity_save(
    *,
    actor: User,
    employer: Employer,
    legal_entity: LegalEntity | None = None,
    name: str,
    kvk_number: str = "",
    payroll_tax_number: str = "",
) -> LegalEntity:
    """A BV of an employer, or a change to one. Names are unique per employer; the payroll
    tax number is kept in capitals (123456789L01)."""
    writes.allowed(access.can_manage_agency(actor) and access.is_visible(actor, employer))
    creating = legal_entity is None
    if creating:
        legal_entity = LegalEntity(employer=employer, agency_id=employer.agency_id)
    else:
        legal_entity = writes.fresh(legal_entity, actor)
        if legal_entity.employer_id != employer.pk:
            raise PermissionDenied
    name = name.strip()
    clash = LegalEntity.objects.visible_to(actor).filter(employer=employer, name__iexact=name)
    if clash.exclude(pk=legal_entity.pk).exists():
        writes.refuse("name", _("This employer already has a BV with this name."))
    changed = writes.apply(
        legal_entity,
        {
            "name": name,
            "kvk_number": kvk_number.strip(),
            "payroll_tax_number": payroll_tax_number.strip().upper(),
        },
    )
    if "name" in changed and not creating:  # the dashboards name the BV
        live.bump_agency(employer.agency_id, employer_ids=[employer.pk])
    return writes.saved(legal_entity, actor=actor, changed=changed, creating=creating)


# --- Invitations ------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.uuid), salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    language: str,
    employer: Employer | None = None,
    all_legal_entities: bool = True,
    legal_entities=(),
    sees_invoices: bool = False,
) -> Invitation:
    """Invite a staff member or employer contact of the actor's agency.

    Only what the admin can already see is an error: an account or an open invitation of
    their own agency. Whether the address has an account elsewhere on the platform is never
    told (the invitation is made either way; the email to the address explains it to its
    owner), or this would tell one agency about another's people."""
    writes.allowed(access.can_manage_agency(actor))
    email = email.strip().lower()
    errors = {}
    if role not in {r.value for r in INVITABLE_ROLES}:
        errors["role"] = _("Choose one of the roles in the list.")
    if User.objects.visible_to(actor).filter(email__iexact=email).exists():
        errors["email"] = _(
            "Someone in your agency already has an account with this email address."
        )
    elif (
        Invitation.objects.visible_to(actor)
        .filter(
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .exists()
    ):
        errors["email"] = _("This address already has an open invitation; send that one again.")
    legal_entities = list(legal_entities)
    if role == Role.EMPLOYER_CONTACT:
        if employer is None:
            errors["employer"] = _("Choose the employer this contact works for.")
        elif not access.is_visible(actor, employer):
            raise PermissionDenied
        elif not all_legal_entities and not legal_entities:
            errors["legal_entities"] = _("Choose at least one BV, or tick 'all BVs'.")
        elif any(le.employer_id != employer.pk for le in legal_entities):
            errors["legal_entities"] = _("Choose only BVs of the selected employer.")
    elif employer is not None:
        errors["employer"] = _("Only employer contacts belong to an employer.")
    if errors:
        raise ValidationError(errors)
    invitation = Invitation(
        agency_id=actor.agency_id,
        invited_by=actor,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        language=language,
        employer=employer if role == Role.EMPLOYER_CONTACT else None,
        all_legal_entities=all_legal_entities,
        sees_invoices=sees_invoices and role == Role.EMPLOYER_CONTACT,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    if role == Role.EMPLOYER_CONTACT and not all_legal_entities:
        invitation.legal_entities.set(legal_entities)
    audit.record(AuditAction.INVITE, invitation, actor=actor, details={"role": invitation.role})
    _queue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """A new link with a new expiry; only for invitations not yet accepted."""
    writes.allowed(access.can_manage_invitation(actor, invitation))
    invitation = writes.fresh(invitation, actor, lock=True)
    if invitation.accepted_at:
        raise InvitationError("already accepted")
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.revoked_at = None
    invitation.save(update_fields=["expires_at", "revoked_at"])
    audit.record(AuditAction.INVITE, invitation, details={"resent": True})
    _queue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """The link stops working; an accepted invitation stays as it is."""
    writes.allowed(access.can_manage_invitation(actor, invitation))
    invitation = writes.fresh(invitation, actor, lock=True)
    if not invitation.accepted_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        writes.record(AuditAction.UPDATE, invitation, details={"revoked": True})
    return invitation


@transaction.atomic
def employee_invite(*, employee, invited_by: User | None) -> Invitation | None:
    """Invite an employee to their own login, in their guidance language. Skips employees
    who have a login, an open invitation, no email address, an address that logs in at their
    own agency already, or are marked as possibly the same person as another
    (``trajecten.services.employee_find_or_create``).

    An address that logs in at *another* agency is invited like any other, as
    ``invitation_create`` does: the agency sees the same open invitation either way, and only
    the address's owner reads that it already has an account (``send_invitation_email``).
    Skipping it told the agency that another agency knows this person."""
    if employee.user_id or not employee.email:
        return None
    if employee.possible_duplicate_of_id:
        return None  # until an agency admin has merged the two or kept them apart
    if User.objects.filter(agency_id=employee.agency_id, email__iexact=employee.email).exists():
        return None  # the agency's own account: it sees that person already
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
            sees_invoices=invitation.sees_invoices,
        )
        if not invitation.all_legal_entities:
            contact.legal_entities.set(invitation.legal_entities.all())
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    audit.record(AuditAction.ACCEPT_INVITATION, invitation, actor=user)
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
