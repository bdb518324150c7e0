"""Employees: one person is one employee, found only within what the actor may see; possible
duplicates reconciled by an agency admin; the HR import."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import access, audit, live, tenancy, writes
from portal.constants import AuditAction
from portal.models import LegalEntity, User
from portal.services import employee_invite

from ..constants import TrajectoryStatus
from ..models import Employee, Employment, SicknessCase, Trajectory


@transaction.atomic
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
    writes.allowed(access.can_create_trajectory(actor))  # the one way a person is created
    email = (email or "").strip().lower()
    hidden_match = None
    if email:
        visible = Employee.objects.visible_to(actor).filter(email__iexact=email).first()
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
    writes.record(AuditAction.CREATE, employee, actor=actor)
    return employee, True


@transaction.atomic
def employee_duplicate_merge(*, employee: Employee, actor: User) -> Employee:
    """An agency admin confirms that ``employee`` (created by a referral) is the person it was
    marked as possibly being: its trajectories, employments, sickness cases and other records
    move to that person and the referral's copy is removed. The existing person's details are
    kept. Audited on both."""
    writes.allowed(access.can_reconcile_employees(actor, employee))
    target = employee.possible_duplicate_of
    if target is None:
        raise ValidationError(_("This person is not marked as a possible duplicate."))
    if employee.user_id:
        raise ValidationError(_("This person already has their own login; keep them apart."))
    live.bump_trajectories(employee.trajectories.values_list("pk", flat=True))
    moved = _employee_records_move(source=employee, target=target)
    writes.record(
        AuditAction.UPDATE,
        target,
        actor=actor,
        details={"merged_from": str(employee.uuid), **moved},
    )
    writes.record(
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


@transaction.atomic
def employee_duplicate_keep_apart(*, employee: Employee, actor: User) -> Employee:
    """An agency admin decides the two are different people: the mark goes, and a running
    trajectory's invitation (held back while the question was open) goes out."""
    writes.allowed(access.can_reconcile_employees(actor, employee))
    if employee.possible_duplicate_of_id is None:
        raise ValidationError(_("This person is not marked as a possible duplicate."))
    other = employee.possible_duplicate_of
    employee.possible_duplicate_of = None
    employee.save(update_fields=["possible_duplicate_of", "updated_at"])
    writes.record(
        AuditAction.UPDATE, employee, actor=actor, details={"kept_apart_from": str(other.uuid)}
    )
    if employee.trajectories.exclude(status=TrajectoryStatus.REFERRED).exists():
        employee_invite(employee=employee, invited_by=actor)
    return employee


# --- Trajectories -----------------------------------------------------------------------------


#: The person fields an HR import may set.
PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "guidance_language")


def employees_import(*, actor: User, rows: list[dict], dry_run: bool) -> dict:
    """Create or update employees by their HR id (``external_id``), idempotent, never
    deleting. Rows are matched only against employees and BVs the actor may see; a BV the
    actor may not see is an error on its row. ``dry_run`` counts and changes nothing."""
    writes.allowed(access.can_import_employees(actor))
    counts = {"dry_run": dry_run, "created": 0, "updated": 0, "unchanged": 0}
    existing = {
        e.external_id: e
        for e in Employee.objects.visible_to(actor).filter(
            external_id__in_list=[r["external_id"] for r in rows]
        )
    }
    bvs = {
        str(le.uuid): le
        for le in LegalEntity.objects.visible_to(actor).filter(
            uuid__in_list=[r["legal_entity"] for r in rows if r.get("legal_entity")]
        )
    }
    unknown = {
        f"employees[{i}].legal_entity": [_("Unknown BV.")]
        for i, r in enumerate(rows)
        if r.get("legal_entity") and str(r["legal_entity"]) not in bvs
    }
    if unknown:
        raise ValidationError(unknown)
    with transaction.atomic():
        for row in rows:
            employee = existing.get(row["external_id"])
            values = {f: row[f] for f in PERSON_FIELDS if f in row}
            if employee is None:
                counts["created"] += 1
                if not dry_run:
                    employee = Employee(
                        agency_id=actor.agency_id, external_id=row["external_id"], **values
                    )
                    employee.full_clean(exclude=["agency"])
                    employee.save()
            elif any(getattr(employee, f) != v for f, v in values.items()):
                counts["updated"] += 1
                if not dry_run:
                    writes.apply(employee, values)
                    employee.save()
            else:
                counts["unchanged"] += 1
            if not dry_run and row.get("legal_entity"):
                Employment.objects.update_or_create(
                    employee=employee,
                    legal_entity=bvs[str(row["legal_entity"])],
                    defaults={"job_title": row.get("job_title", "")},
                )
        if not dry_run:
            # An HR system's first import loads thousands: the next pages are planned on them.
            tenancy.analyze_after_bulk(Employee, rows=counts["created"])
            tenancy.analyze_after_bulk(Employment, rows=counts["created"])
            summary = {k: v for k, v in counts.items() if k != "dry_run"}
            audit.record(
                AuditAction.UPDATE, object_type="employee", actor=actor, details={"import": summary}
            )
    return counts


@transaction.atomic
def employee_update(*, actor: User, trajectory, job_title: str | None = None, **fields) -> Employee:
    """The details of the trajectory's employee that a report's identification prints: name,
    contact details, date of birth, personnel number (agency admins only: it is unique in the
    agency, so a specialist could otherwise learn of someone outside their caseload), the BSN
    (only when the agency records it) and the job at the own employer."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    employee = writes.fresh(trajectory.employee, actor, lock=True)
    if "external_id" in fields and not access.can_manage_agency(actor):
        if fields["external_id"] != employee.external_id:
            raise PermissionDenied
        del fields["external_id"]
    if "bsn" in fields and not trajectory.agency.record_bsn:
        del fields["bsn"]
    if employee.user_id and "email" in fields and fields["email"].lower() != employee.email:
        writes.refuse(
            "email", _("This employee logs in with this address; it cannot be changed here.")
        )
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
    changed = writes.apply(employee, fields)
    writes.saved(employee, actor=actor, changed=changed, creating=False)
    if job_title is not None:
        Employment.objects.update_or_create(
            employee=employee,
            legal_entity_id=trajectory.legal_entity_id,
            defaults={"job_title": job_title.strip()},
        )
    return employee
