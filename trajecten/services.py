"""Writes to the re-integration file. Views, forms' callers and tasks use these; each records
the change in the audit trail."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access, audit, uploads
from portal.constants import AuditAction
from portal.models import Phase, Product, User
from portal.services import employee_invite

from .constants import ClosingReason, MemberRole, TrajectoryStatus
from .models import (
    ActionTemplate,
    ConversationReport,
    Document,
    Employee,
    Employment,
    PhaseChange,
    Renewal,
    SicknessCase,
    Task,
    Trajectory,
    TrajectoryMember,
)

#: Sent after a trajectory is closed, on commit: the reports issue drafts the final report.
trajectory_closed = Signal()


# --- Employees --------------------------------------------------------------------------------


def employee_find_or_create(
    *, actor: User, first_name: str, last_name: str, email: str = "", **fields
) -> tuple[Employee, bool]:
    """One person is one Employee, also with employments at two BVs: a referral reuses the
    employee with the same email address, but **only one the actor may already see**
    (``portal.access``). A lookup by a natural key never reaches past the actor's scope, or an
    employer contact could learn another employer's employee by typing their address.

    When the address belongs to someone outside the actor's scope, a new employee is created
    all the same, marked as possibly the same person; an agency admin merges the two or keeps
    them apart (``employee_duplicate_merge`` / ``employee_duplicate_keep_apart``). The actor
    sees exactly what they would see for a new person, and no record outside their scope
    changes."""
    email = (email or "").strip().lower()
    hidden_match = None
    if email:
        visible = access.visible_employees(actor).filter(email__iexact=email).first()
        if visible:
            return visible, False
        hidden_match = (
            Employee.objects.filter(agency_id=actor.agency_id, email__iexact=email)
            .order_by("created_at")
            .first()
        )
    employee = Employee.objects.create(
        agency_id=actor.agency_id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        possible_duplicate_of=hidden_match,
        **fields,
    )
    audit.record(AuditAction.CREATE, employee, actor=actor)
    return employee, True


@transaction.atomic
def employee_duplicate_merge(*, employee: Employee, actor: User) -> Employee:
    """An agency admin confirms that ``employee`` (created by a referral) is the person it was
    marked as possibly being: its trajectories, employments, sickness cases and other records
    move to that person and the referral's copy is removed. The existing person's details are
    kept. Audited on both."""
    if not access.can_reconcile_employees(actor, employee):
        raise PermissionDenied
    target = employee.possible_duplicate_of
    if target is None:
        raise ValidationError(_("This person is not marked as a possible duplicate."))
    if employee.user_id:
        raise ValidationError(_("This person already has their own login; keep them apart."))
    moved = _employee_records_move(source=employee, target=target)
    audit.record(
        AuditAction.UPDATE,
        target,
        actor=actor,
        details={"merged_from": str(employee.uuid), **moved},
    )
    audit.record(
        AuditAction.DELETE, employee, actor=actor, details={"merged_into": str(target.uuid)}
    )
    employee.delete()
    return target


def _employee_records_move(*, source: Employee, target: Employee) -> dict:
    """Every row that points at ``source`` points at ``target`` afterwards. A sickness case
    with the same first sick day, or an employment at the same BV, is one with the target's."""
    cases = 0
    for case in SicknessCase.objects.filter(employee=source):
        same = SicknessCase.objects.filter(employee=target, first_sick_day=case.first_sick_day)
        if existing := same.first():
            Trajectory.objects.filter(sickness_case=case).update(sickness_case=existing)
            case.extensions.update(case=existing)
            case.delete()
        else:
            case.employee = target
            case.save(update_fields=["employee"])
        cases += 1
    for employment in Employment.objects.filter(employee=source):
        if Employment.objects.filter(employee=target, legal_entity=employment.legal_entity_id):
            employment.delete()
        else:
            employment.employee = target
            employment.save(update_fields=["employee"])
    trajectories = Trajectory.objects.filter(employee=source).update(employee=target)
    for relation in Employee._meta.related_objects:
        if relation.one_to_many and relation.related_model not in (
            Employee,
            SicknessCase,
            Employment,
            Trajectory,
        ):
            relation.related_model.objects.filter(**{relation.field.name: source}).update(
                **{relation.field.name: target}
            )
    return {"trajectories": trajectories, "sickness_cases": cases}


def employee_duplicate_keep_apart(*, employee: Employee, actor: User) -> Employee:
    """An agency admin decides the two are different people: the mark goes, and a running
    trajectory's invitation (held back while the question was open) goes out."""
    if not access.can_reconcile_employees(actor, employee):
        raise PermissionDenied
    if employee.possible_duplicate_of_id is None:
        raise ValidationError(_("This person is not marked as a possible duplicate."))
    other = employee.possible_duplicate_of
    employee.possible_duplicate_of = None
    employee.save(update_fields=["possible_duplicate_of", "updated_at"])
    audit.record(
        AuditAction.UPDATE, employee, actor=actor, details={"kept_apart_from": str(other.uuid)}
    )
    if employee.trajectories.exclude(status=TrajectoryStatus.REFERRED).exists():
        employee_invite(employee=employee, invited_by=actor)
    return employee


# --- Trajectories -----------------------------------------------------------------------------


@transaction.atomic
def trajectory_create(
    *,
    actor: User,
    employee: Employee,
    legal_entity,
    first_sick_day: date,
    product: Product,
    referral_date: date | None = None,
    specialist: User | None = None,
    **fields,
) -> Trajectory:
    """A referral (status referred) or, with a specialist, a trajectory ready to start."""
    Employment.objects.get_or_create(employee=employee, legal_entity=legal_entity)
    case = SicknessCase.objects.filter(
        employee=employee, first_sick_day=first_sick_day
    ).first() or SicknessCase.objects.create(employee=employee, first_sick_day=first_sick_day)
    trajectory = Trajectory(
        employee=employee,
        legal_entity=legal_entity,
        sickness_case=case,
        product=product,
        referral_date=referral_date or timezone.localdate(),
        guidance_language=fields.pop("guidance_language", employee.guidance_language),
        status=TrajectoryStatus.REFERRED,
        **fields,
    )
    trajectory.full_clean(exclude=["agency"])
    trajectory.save()
    if specialist:
        member_set(trajectory=trajectory, user=specialist, role=MemberRole.PRIMARY)
    audit.record(AuditAction.CREATE, trajectory, actor=actor)
    return trajectory


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
    if not access.can_create_trajectory(actor):
        raise PermissionDenied
    if not access.visible_legal_entities(actor).filter(pk=legal_entity.pk).exists():
        raise ValidationError({"legal_entity": _("Choose one of your BVs.")})
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
    trajectory = trajectory_create(
        actor=actor,
        employee=employee,
        legal_entity=legal_entity,
        first_sick_day=first_sick_day,
        product=product,
        specialist=specialist,
        guidance_language=guidance_language,
        referral_basis=referral_basis,
        referral_advice_date=referral_advice_date,
        special_track=special_track,
        contact_preferences=contact_preferences,
    )
    if advice:
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
        audit.record(AuditAction.CREATE, document, actor=actor)
    if access.is_employer_contact(actor):
        from .tasks import notify_referral

        transaction.on_commit(
            lambda: notify_referral.delay(trajectory.pk, agency_id=trajectory.agency_id),
            robust=True,
        )
    return trajectory


def member_set(*, trajectory: Trajectory, user: User, role: str) -> TrajectoryMember:
    """Add or change a member. A new primary specialist takes over the primary role."""
    if not access.can_be_member(user, trajectory):
        raise ValidationError(_("Only staff of the trajectory's agency can be members."))
    if role == MemberRole.PRIMARY:
        trajectory.memberships.filter(role=MemberRole.PRIMARY).exclude(user=user).update(
            role=MemberRole.SECOND_COACH
        )
    member, _created = TrajectoryMember.objects.update_or_create(
        trajectory=trajectory, user=user, defaults={"role": role}
    )
    audit.record(AuditAction.UPDATE, trajectory, details={"member": user.email, "role": role})
    return member


def member_remove(*, trajectory: Trajectory, member: TrajectoryMember) -> None:
    if member.role == MemberRole.PRIMARY:
        raise ValidationError(_("Choose another primary specialist first."))
    member.delete()
    audit.record(AuditAction.UPDATE, trajectory, details={"removed_member": member.user.email})


@transaction.atomic
def trajectory_start(*, trajectory: Trajectory, start_date: date, actor: User) -> Trajectory:
    """Start a referred trajectory: first phase, status active, and the employee's invitation
    to their own login (in their guidance language)."""
    if trajectory.status != TrajectoryStatus.REFERRED:
        raise ValidationError(_("Only a referred trajectory can be started."))
    if not trajectory.memberships.filter(role=MemberRole.PRIMARY).exists():
        raise ValidationError(_("Assign a primary specialist before starting."))
    if start_date < trajectory.referral_date:
        raise ValidationError({"start_date": _("The start lies before the referral date.")})
    trajectory.start_date = start_date
    trajectory.status = TrajectoryStatus.ACTIVE
    trajectory.save(update_fields=["start_date", "status", "updated_at"])
    first_phase = Phase.objects.filter(agency_id=trajectory.agency_id).order_by("position").first()
    if first_phase:
        phase_change(trajectory=trajectory, phase=first_phase, on=start_date, actor=actor)
    audit.record(AuditAction.UPDATE, trajectory, details={"started": str(start_date)})
    employee_invite(employee=trajectory.employee, invited_by=actor)
    return trajectory


def phase_change(*, trajectory: Trajectory, phase: Phase, on: date, actor: User) -> PhaseChange:
    if phase.agency_id != trajectory.agency_id:
        raise ValidationError(_("This phase belongs to another agency."))
    change = PhaseChange.objects.create(
        trajectory=trajectory, phase=phase, started_on=on, changed_by=actor
    )
    trajectory.phase = phase
    trajectory.save(update_fields=["phase", "updated_at"])
    audit.record(AuditAction.UPDATE, trajectory, details={"phase": phase.name})
    return change


@transaction.atomic
def trajectory_close(
    *, trajectory: Trajectory, reason: str, end_date: date, note: str, actor: User
) -> Trajectory:
    """End the trajectory with a reason from the controlled list."""
    if trajectory.is_ended:
        raise ValidationError(_("This trajectory has already ended."))
    if reason not in ClosingReason.values:
        raise ValidationError({"closing_reason": _("Choose a closing reason from the list.")})
    if reason == ClosingReason.OTHER and not note.strip():
        raise ValidationError({"closing_note": _("Explain the reason when you choose 'other'.")})
    if trajectory.start_date and end_date < trajectory.start_date:
        raise ValidationError({"end_date": _("The end lies before the start.")})
    trajectory.status = TrajectoryStatus.ENDED
    trajectory.closing_reason = reason
    trajectory.closing_note = note.strip()
    trajectory.end_date = end_date
    trajectory.save()
    audit.record(AuditAction.UPDATE, trajectory, details={"closed": reason})
    transaction.on_commit(
        lambda: trajectory_closed.send(
            sender=Trajectory, trajectory_id=trajectory.pk, agency_id=trajectory.agency_id
        ),
        robust=True,
    )
    return trajectory


# --- Renewals ---------------------------------------------------------------------------------


def renewals_record(*, today: date) -> int:
    """Record every monthly renewal that has fallen due, once. Safe to run twice or
    concurrently: the unique constraint drops duplicates. Returns how many were new."""
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
    return len(created)


# --- Action lists -----------------------------------------------------------------------------


def action_list_apply(*, trajectory: Trajectory, template: ActionTemplate, actor: User) -> int:
    """Create the template's tasks, dated from the start. Applying twice adds nothing."""
    if template.agency_id != trajectory.agency_id:
        raise ValidationError(_("This action list belongs to another agency."))
    if not trajectory.start_date:
        raise ValidationError(_("Start the trajectory before applying an action list."))
    done = set(trajectory.tasks.values_list("source_id", flat=True))
    tasks = [
        Task(
            trajectory=trajectory,
            agency_id=trajectory.agency_id,
            title=item.title,
            due_date=trajectory.start_date + timedelta(days=item.offset_days()),
            performer=item.performer,
            reportable=item.reportable,
            source=item,
        )
        for item in template.items.all()
        if item.pk not in done
    ]
    try:
        Task.objects.bulk_create(tasks)
    except IntegrityError:  # applied concurrently: the constraint kept it single
        return 0
    audit.record(AuditAction.UPDATE, trajectory, details={"action_list": template.name})
    return len(tasks)


# --- Records of the file ----------------------------------------------------------------------

#: Fields that hold "who wrote this", set from the acting user, never from a form.
AUTHOR_FIELDS = ("author", "uploaded_by", "user")


def medical_flag_guard(record) -> None:
    """A conversation saved as containing medical information keeps that flag in every
    ordinary save (page or API): clearing it widens who may ever see the text, so it is its own
    action with a reason (``conversation_medical_flag_clear``), never part of a save that could
    share the conversation with the employer at the same time."""
    if not isinstance(record, ConversationReport) or record.pk is None or record.contains_medical:
        return
    if ConversationReport.objects.filter(pk=record.pk, contains_medical=True).exists():
        raise ValidationError(
            {
                "contains_medical": _(
                    "This conversation is marked as containing medical information. If that is "
                    "wrong, use 'Correct the medical flag' and give the reason."
                )
            }
        )


@transaction.atomic
def conversation_medical_flag_clear(
    *, conversation: ConversationReport, reason: str, actor: User
) -> ConversationReport:
    """Correct a wrongly set medical flag, with a reason, audited. Who may see the
    conversation does not change here: sharing it further is a later, ordinary save."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        explain = _("Explain in a sentence why the conversation holds no medical information.")
        raise ValidationError({"reason": explain})
    locked = ConversationReport.objects.select_for_update().get(pk=conversation.pk)
    if not locked.contains_medical:
        raise ValidationError(_("This conversation is not marked as medical."))
    locked.contains_medical = False
    locked.save(update_fields=["contains_medical", "updated_at"])
    audit.record(
        AuditAction.UPDATE, locked, details={"medical_flag_cleared": True, "reason": reason[:500]}
    )
    return locked


def record_save(*, form, trajectory: Trajectory, actor: User):
    """Save a record of the file from a validated ModelForm, with its author and audit."""
    creating = form.instance.pk is None
    record = form.save(commit=False)
    medical_flag_guard(record)
    record.trajectory = trajectory
    record.agency_id = trajectory.agency_id
    for name in AUTHOR_FIELDS:
        if creating and hasattr(record, f"{name}_id") and not getattr(record, f"{name}_id"):
            setattr(record, name, actor)
    upload = getattr(record, "file", None)
    if upload and hasattr(upload.file, "detected_content_type"):
        record.content_type = upload.file.detected_content_type
        record.size = upload.size
        record.original_name = uploads.display_name_of(upload.file)
    certificate = getattr(record, "certificate", None)
    if certificate and hasattr(certificate.file, "detected_content_type"):
        record.certificate_name = uploads.display_name_of(certificate.file)
    record.full_clean(exclude=["agency", "trajectory"])
    record.save()
    form.save_m2m()
    audit.record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        record,
        details={"fields": form.changed_data},
    )
    return record


@transaction.atomic
def search_profile_save(*, form, formset, trajectory: Trajectory, actor: User):
    """A new version of the search profile with its functions; earlier versions stay."""
    last = trajectory.searchprofiles.order_by("-version").values_list("version", flat=True)
    profile = form.save(commit=False)
    profile.trajectory = trajectory
    profile.agency_id = trajectory.agency_id
    profile.author = actor
    profile.version = (last.first() or 0) + 1
    profile.save()
    formset.instance = profile
    formset.save()
    audit.record(AuditAction.CREATE, profile, details={"version": profile.version})
    return profile


def assignment_complete(*, assignment, result: str, actor: User):
    assignment.status = "done"
    assignment.result = result
    assignment.completed_at = timezone.now()
    assignment.save(update_fields=["status", "result", "completed_at", "updated_at"])
    audit.record(AuditAction.UPDATE, assignment, details={"completed": True})
    return assignment


def task_mark_done(*, task: Task, on: date, actor: User) -> Task:
    task.done_on = on
    task.save(update_fields=["done_on", "updated_at"])
    audit.record(AuditAction.UPDATE, task, details={"done": str(on)})
    return task


def calendar_feed_for(*, user: User):
    from .models import CalendarFeed

    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed
