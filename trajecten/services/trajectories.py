"""The trajectory itself: referral or creation, its summary and WvP dates, extensions, members,
start, phases, closing, and the monthly renewals."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import access, tenancy, uploads, webhooks, writes
from portal.constants import AuditAction, WebhookEvent
from portal.models import LegalEntity, Phase, Product, User
from portal.services import employee_invite
from portal.validators import first_sick_day_not_in_future, not_in_future

from ..constants import MemberRole, TrajectoryStatus
from ..models import (
    Document,
    Employment,
    Extension,
    PhaseChange,
    Renewal,
    SicknessCase,
    Trajectory,
    TrajectoryMember,
)
from .people import employee_find_or_create


def _validate(field: str, validator, value) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


#: The advice to start the 2e spoor is a past event, on every path that records it.
ADVICE_NOT_IN_FUTURE = not_in_future(gettext_lazy("The advice cannot lie in the future."))


@transaction.atomic
def trajectory_refer(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    guidance_language: str,
    legal_entity,
    first_sick_day: date,
    product: Product,
    specialist: User | None = None,
    referral_basis: str = "",
    referral_advice_date: date | None = None,
    special_track: str = "",
    contact_preferences: str = "",
    advice=None,
) -> Trajectory:
    """A new trajectory: referred by an employer contact for one of their BVs, or created by
    agency staff (with a primary specialist). The person is found or created within what the
    actor may see (``employee_find_or_create``); the company doctor's advice is kept as a
    document shared with the employer; the agency hears of a referral by email."""
    writes.allowed(access.can_create_trajectory(actor))
    if not LegalEntity.objects.visible_to(actor).filter(pk=legal_entity.pk).exists():
        writes.refuse("legal_entity", _("Choose one of your BVs."))
    if not access.referable_products(actor).filter(pk=product.pk).exists():
        writes.refuse("product", _("Choose a product from the list."))
    _validate("first_sick_day", first_sick_day_not_in_future, first_sick_day)
    if referral_advice_date:
        _validate("referral_advice_date", ADVICE_NOT_IN_FUTURE, referral_advice_date)
    if not access.chooses_specialist_on_creation(actor):
        specialist = None  # the agency chooses the specialist when it accepts the referral
    employee, _created = employee_find_or_create(
        actor=actor,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        guidance_language=guidance_language,
    )
    Employment.objects.get_or_create(employee=employee, legal_entity=legal_entity)
    case = SicknessCase.objects.filter(
        employee=employee, first_sick_day=first_sick_day
    ).first() or SicknessCase.objects.create(employee=employee, first_sick_day=first_sick_day)
    trajectory = Trajectory(
        employee=employee,
        legal_entity=legal_entity,
        sickness_case=case,
        product=product,
        referral_date=timezone.localdate(),
        guidance_language=guidance_language,
        status=TrajectoryStatus.REFERRED,
        referral_basis=referral_basis,
        referral_advice_date=referral_advice_date,
        special_track=special_track,
        contact_preferences=contact_preferences,
    )
    trajectory.full_clean(exclude=["agency"])
    trajectory.save()
    if specialist:
        _member_set(trajectory=trajectory, user=specialist, role=MemberRole.PRIMARY, actor=actor)
    writes.record(AuditAction.CREATE, trajectory, actor=actor)
    if advice:
        _advice_document(trajectory=trajectory, advice=advice, actor=actor)
    if access.is_employer_contact(actor):
        from ..tasks import notify_referral

        transaction.on_commit(
            lambda: notify_referral.delay(trajectory.pk, agency_id=trajectory.agency_id),
            robust=True,
        )
    return trajectory


#: The key an order is kept under: the employer's, so two employers' systems may use the same
#: reference without meeting (and without learning of each other).
ORDER_KEY = "order:{employer}:{reference}"


def order_key(actor: User, reference: str) -> str:
    return ORDER_KEY.format(employer=actor.employer_contact.employer.uuid, reference=reference)


def referral_order(
    *,
    actor: User,
    reference: str,
    legal_entity,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    guidance_language: str = "nl",
    first_sick_day: date,
    product: Product,
    referral_basis: str = "",
    referral_advice_date: date | None = None,
    contact_preferences: str = "",
) -> tuple[Trajectory, bool]:
    """A verzuim system's order: a referral as the employer contact would make it on the page
    (``trajectory_refer``: the same checks, the agency told by email), kept under the system's
    ``reference`` within the contact's employer. Idempotent: the same order again (a retry
    after a lost answer, two at once) returns the trajectory the first made, ``(trajectory,
    False)``; another order under a used reference is refused."""
    writes.allowed(access.can_place_orders(actor))
    key = order_key(actor, reference)
    order = {
        "legal_entity": legal_entity.pk,
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "first_sick_day": first_sick_day,
        "product": product.pk,
    }
    existing = _ordered(actor, key)
    if existing is None:
        try:
            with transaction.atomic():
                trajectory = trajectory_refer(
                    actor=actor, first_name=first_name, last_name=last_name, email=email,
                    phone=phone, guidance_language=guidance_language, legal_entity=legal_entity,
                    first_sick_day=first_sick_day, product=product, referral_basis=referral_basis,
                    referral_advice_date=referral_advice_date,
                    contact_preferences=contact_preferences,
                )  # fmt: skip
                trajectory.external_ref = key
                trajectory.save(update_fields=["external_ref", "updated_at"])
                writes.record(
                    AuditAction.UPDATE, trajectory, actor=actor, details={"order": reference}
                )
            return trajectory, True
        except IntegrityError:  # the same order at the same moment: the first one stands
            existing = _ordered(actor, key)
            if existing is None:
                raise
    same = {
        "legal_entity": existing.legal_entity_id,
        "first_name": existing.employee.first_name,
        "last_name": existing.employee.last_name,
        "first_sick_day": existing.sickness_case.first_sick_day,
        "product": existing.product_id,
    }
    if same != order:
        writes.refuse("reference", _("This reference is already used for another order."))
    return existing, False


def _ordered(actor: User, key: str) -> Trajectory | None:
    return (
        Trajectory.objects.visible_to(actor)
        .select_related("employee", "sickness_case")
        .filter(external_ref=key)
        .first()
    )


def _advice_document(*, trajectory: Trajectory, advice, actor: User) -> Document:
    if not hasattr(advice, "detected_content_type"):
        uploads.checked(advice)
    document = Document.objects.create(
        trajectory=trajectory,
        kind="advice",
        title=_("Advice for the referral"),
        file=advice,
        original_name=uploads.display_name_of(advice),
        content_type=advice.detected_content_type,
        size=advice.size,
        visibility="employer",
        uploaded_by=actor,
    )
    writes.record(AuditAction.CREATE, document, actor=actor)
    return document


@transaction.atomic
def trajectory_update(*, actor: User, trajectory: Trajectory, **fields) -> Trajectory:
    """The trajectory's details (product, referral and intake dates, language, track)."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    trajectory = writes.fresh(trajectory, actor, lock=True)
    product = fields.get("product")
    if product is not None and not access.referable_products(actor).filter(pk=product.pk):
        writes.refuse("product", _("Choose a product from the list."))
    if advice := fields.get("referral_advice_date"):
        # An advice that has not been given yet is no basis for the referral (UWV asks when).
        _validate("referral_advice_date", ADVICE_NOT_IN_FUTURE, advice)
    referral = fields.get("referral_date", trajectory.referral_date)
    intake = fields.get("intake_date", trajectory.intake_date)
    if referral and intake and intake < referral:
        writes.refuse("intake_date", _("The intake lies before the referral."))
    held_before = trajectory.intake_date
    changed = writes.apply(trajectory, fields)
    writes.saved(trajectory, actor=actor, changed=changed, creating=False)
    held = trajectory.intake_date
    if held and held != held_before and held <= timezone.localdate():
        # Recorded, or corrected: the receiver keeps the latest date. A date still to come is
        # not told: the intake has not been held.
        webhooks.tell(WebhookEvent.INTAKE_HELD, trajectory, intake_date=trajectory.intake_date)
    return trajectory


@transaction.atomic
def sickness_case_update(*, actor: User, trajectory: Trajectory, **fields) -> SicknessCase:
    """The first sick day and the dates of the WvP steps of the trajectory's sickness case."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    case = writes.fresh(trajectory.sickness_case, actor, lock=True)
    for name, day in fields.items():
        _validate(name, not_in_future(_("This date lies in the future.")), day)
    changed = writes.apply(case, fields)
    writes.saved(case, actor=actor, changed=changed, creating=False)
    return case


@transaction.atomic
def extension_add(
    *, actor: User, trajectory: Trajectory, kind: str, weeks: int, decided_on=None, note=""
) -> Extension:
    """An extension of the waiting time (a wage sanction or an agreed extension)."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    extension = Extension(case=trajectory.sickness_case)
    writes.apply(extension, {"kind": kind, "weeks": weeks, "decided_on": decided_on, "note": note})
    extension.save()
    writes.record(
        AuditAction.UPDATE, trajectory.sickness_case, actor=actor, details={"extension": weeks}
    )
    return extension


@transaction.atomic
def member_set(*, actor: User, trajectory: Trajectory, user: User, role: str) -> TrajectoryMember:
    """Add a colleague to the trajectory or change their role. A new primary specialist
    takes over the primary role."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    return _member_set(trajectory=trajectory, user=user, role=role, actor=actor)


def _member_set(*, trajectory: Trajectory, user: User, role: str, actor: User):
    if not access.can_be_member(user, trajectory):
        raise ValidationError(_("Only staff of the trajectory's agency can be members."))
    if role not in MemberRole.values:
        writes.refuse("role", _("Choose a role from the list."))
    if role == MemberRole.PRIMARY:
        trajectory.memberships.filter(role=MemberRole.PRIMARY).exclude(user=user).update(
            role=MemberRole.SECOND_COACH
        )
    member, _created = TrajectoryMember.objects.update_or_create(
        trajectory=trajectory, user=user, defaults={"role": role}
    )
    writes.record(
        AuditAction.UPDATE, trajectory, actor=actor, details={"member": user.email, "role": role}
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, trajectory: Trajectory, member: TrajectoryMember) -> None:
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    if member.trajectory_id != trajectory.pk:
        raise PermissionDenied
    if member.role == MemberRole.PRIMARY:
        raise ValidationError(_("Choose another primary specialist first."))
    member.delete()
    writes.record(
        AuditAction.UPDATE, trajectory, actor=actor, details={"removed_member": member.user.email}
    )


@transaction.atomic
def referral_accept(
    *, actor: User, trajectory: Trajectory, specialist: User, start_date: date
) -> Trajectory:
    """An agency admin accepts a referral: a primary specialist, and the start."""
    writes.allowed(access.can_accept_referral(actor, trajectory))
    _member_set(trajectory=trajectory, user=specialist, role=MemberRole.PRIMARY, actor=actor)
    return trajectory_start(actor=actor, trajectory=trajectory, start_date=start_date)


@transaction.atomic
def trajectory_start(*, actor: User, trajectory: Trajectory, start_date: date) -> Trajectory:
    """Start a referred trajectory: first phase, status active, and the employee's invitation
    to their own login (in their guidance language)."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    trajectory = writes.fresh(trajectory, actor, lock=True)
    if trajectory.status != TrajectoryStatus.REFERRED:
        raise ValidationError(_("Only a referred trajectory can be started."))
    if not trajectory.memberships.filter(role=MemberRole.PRIMARY).exists():
        raise ValidationError(_("Assign a primary specialist before starting."))
    if start_date < trajectory.referral_date:
        writes.refuse("start_date", _("The start lies before the referral date."))
    trajectory.start_date = start_date
    trajectory.status = TrajectoryStatus.ACTIVE
    trajectory.save(update_fields=["start_date", "status", "updated_at"])
    first_phase = Phase.objects.filter(agency_id=trajectory.agency_id).order_by("position").first()
    if first_phase:
        _phase_change(trajectory=trajectory, phase=first_phase, on=start_date, actor=actor)
    writes.record(AuditAction.UPDATE, trajectory, actor=actor, details={"started": str(start_date)})
    employee_invite(employee=trajectory.employee, invited_by=actor)
    webhooks.tell(WebhookEvent.REFERRAL_ACCEPTED, trajectory, start_date=start_date)
    return trajectory


@transaction.atomic
def phase_change(*, actor: User, trajectory: Trajectory, phase: Phase, on: date) -> PhaseChange:
    """The trajectory enters a phase on a date; every change is kept, so a report shows the
    route taken."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    return _phase_change(trajectory=trajectory, phase=phase, on=on, actor=actor)


def _phase_change(*, trajectory: Trajectory, phase: Phase, on: date, actor: User) -> PhaseChange:
    if phase.agency_id != trajectory.agency_id:
        writes.refuse("phase", _("This phase belongs to another agency."))
    change = PhaseChange.objects.create(
        trajectory=trajectory, phase=phase, started_on=on, changed_by=actor
    )
    trajectory.phase = phase
    trajectory.save(update_fields=["phase", "updated_at"])
    writes.record(AuditAction.UPDATE, trajectory, actor=actor, details={"phase": phase.name})
    return change


# --- Renewals ---------------------------------------------------------------------------------


def renewals_record(*, today: date) -> int:
    """Record every monthly renewal that has fallen due, once. Safe to run twice or
    concurrently: the unique constraint drops duplicates. Returns how many were new. A task of
    the platform (beat), so no actor."""
    running = (
        Trajectory.objects.filter(start_date__isnull=False, product__base_months__isnull=False)
        .exclude(status=TrajectoryStatus.REFERRED)
        .select_related("product")
    )
    prices = dict(Product.objects.filter(kind=Product.Kind.RENEWAL).values_list("agency", "price"))
    existing = set(Renewal.objects.values_list("trajectory_id", "period_start"))
    new = []
    for trajectory in running.iterator(chunk_size=2000):
        for day in trajectory.renewal_dates(until=today):
            if (trajectory.pk, day) not in existing and trajectory.agency_id in prices:
                new.append(
                    Renewal(
                        trajectory=trajectory,
                        agency_id=trajectory.agency_id,
                        period_start=day,
                        price=prices[trajectory.agency_id],
                    )
                )
    created = Renewal.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    tenancy.analyze_after_bulk(Renewal, rows=len(created))
    return len(created)
