"""Importing running trajectories from a transfer archive, and exporting them into one.

The one write path of an import is ``trajectory_import``: one trajectory's parsed JSON (plain
data, ``overdracht.format.parse``) and the actor, every rule checked here (the models' own
validation on every row, and what only an import must check: who the people are, that the
PDFs are the ones the file names), written in one transaction, audited. It does not call the
services that record a conversation or an application one by one: those send notices to the
employee and draft follow-up work, which history must not do; what they check of a row is the
model's validation, which runs here on every row too. An import sends no email.

Natural keys are looked up only among what the importing admin may see (their own agency),
so an archive can never attach a file to another agency's employee, BV or staff member, and
nothing tells whether such a one exists elsewhere.

An archive is checked first (the dry run: ``transfer_check_run``, the same writes rolled back,
so the check finds exactly what the import would), then imported (``transfer_import_run``),
each trajectory all or nothing, idempotent by its key (``Trajectory.external_ref``).
"""

import hashlib
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import access, changelog, medical, uploads, writes
from portal.constants import AuditAction, ChangeVia
from portal.models import Employer, LegalEntity, Phase, Product, User
from rapportages.constants import ReportKind, ReportStatus
from rapportages.models import Report, RivException
from rapportages.services import reports_schedule
from sollicitaties.constants import RecordedBy
from sollicitaties.models import ApplicationActivity, StatusChange
from trajecten.constants import MemberRole, TrajectoryStatus, Visibility
from trajecten.models import (
    ConversationReport,
    Employee,
    Employment,
    Extension,
    SearchFunction,
    SearchProfile,
    SicknessCase,
    Trajectory,
    TrajectoryMember,
    TransferImport,
)

from . import format as fmt

logger = logging.getLogger(__name__)

#: How often a running job writes its progress (seconds).
PROGRESS_EVERY = 0.5


class _DryRun(Exception):
    """Rolls a checked trajectory back."""


@dataclass
class Known:
    """What an import matches natural keys against, read once per archive (never per row):
    the importing admin's agency, as they see it."""

    actor: User
    #: The primary specialist for a file whose own is not on the agency's staff.
    assign_to: User | None = None
    phases: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    staff: dict = field(default_factory=dict)

    @classmethod
    def of(cls, actor: User, assign_to: User | None = None) -> "Known":
        return cls(
            actor=actor,
            assign_to=assign_to,
            phases={p.name.casefold(): p for p in Phase.objects.visible_to(actor)},
            products={p.kind: p for p in Product.objects.visible_to(actor)},
            staff={u.email.casefold(): u for u in access.agency_staff(actor.agency_id)},
        )


@dataclass
class Outcome:
    """What happened (or would happen) to one trajectory of the archive."""

    file: str
    key: str = ""
    name: str = ""
    outcome: str = "error"  # "created", "present" or "error"
    errors: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    new: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    #: The trajectory imported (or already there), for a link; empty in a dry run.
    uuid: str = ""

    #: The phase names already warned about (one warning per name, not one per row).
    phases_warned: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "phases_warned"}


# --- One trajectory ---------------------------------------------------------------------------


class _Errors:
    """The errors of one trajectory, by path ("conversations[2].date")."""

    def __init__(self):
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message) -> None:
        self.by_path.setdefault(path, []).append(str(message))

    def model(self, path: str, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                self.by_path.setdefault(
                    f"{path}.{name}" if name != "__all__" else path or "file", []
                ).extend(messages)
        else:
            self.by_path.setdefault(path or "file", []).extend(exc.messages)


def _checked(errors: _Errors, path: str, instance, *, exclude=()) -> bool:
    """The model's own validation of ``instance`` (fields, choices, ``clean``), and the
    medical-words guard on every text an employer will read of it (``portal.medical``), as
    the pages run it; an import cannot ask anyone to confirm, so a word found is an error."""
    try:
        instance.full_clean(exclude=["agency", "trajectory", *exclude], validate_unique=False)
    except ValidationError as exc:
        errors.model(path, exc)
        return False
    spec = medical.EMPLOYER_TEXT.get(instance._meta.label_lower)
    if spec is None or not _employer_reads(instance):
        return True
    clean = True
    for name in spec["fields"]:
        words = medical.medical_words(getattr(instance, name, "") or "")
        if words:
            clean = False
            errors.add(
                f"{path}.{name}" if path else name,
                _("These words may be medical: %(words)s. An employer reads this text: "
                  "rephrase it in the archive, or mark the conversation as medical or as the "
                  "agency's only.") % {"words": ", ".join(f"“{w}”" for w in words)},
            )  # fmt: skip
    return clean


def _employer_reads(instance) -> bool:
    """A conversation reaches the employer only when shared with them and not medical; the
    other records with employer-readable text always do (``portal.access``)."""
    if isinstance(instance, ConversationReport):
        return instance.visibility == Visibility.EMPLOYER and not instance.contains_medical
    return True


def _keep(errors: _Errors, record) -> None:
    """Save a checked row, unless the trajectory already has errors: then the rest of its rows
    are still checked (every error is told at once) but none is saved, since the whole
    trajectory is rolled back anyway (a row may lack the person an earlier error left out)."""
    if not errors.by_path:
        record.save()


def _aware(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(12, 0)))


@transaction.atomic
def trajectory_import(
    *, actor: User, data: dict, pdfs, known: Known | None = None, outcome: Outcome | None = None
) -> Trajectory:
    """Create one trajectory with its history from ``data`` (``format.parse``'s values);
    ``pdfs(path)`` gives a report's PDF bytes from the archive (or None). Raises
    ``ValidationError`` with every error of the trajectory by path, and writes nothing then.
    Returns the existing trajectory, unchanged, when one with the same key is there. The
    history of the file records the import as ``actor``'s, through "import"."""
    with changelog.recording(via=ChangeVia.IMPORT, actor=actor, path="overdracht"):
        return _trajectory_import(actor=actor, data=data, pdfs=pdfs, known=known, outcome=outcome)


def _trajectory_import(*, actor, data, pdfs, known, outcome) -> Trajectory:
    writes.allowed(access.can_transfer_files(actor))
    known = known or Known.of(actor)
    outcome = outcome or Outcome(file="")
    outcome.key = data["key"]
    person = data["employee"]
    outcome.name = f"{person['first_name']} {person['last_name']}"
    present = Trajectory.objects.visible_to(actor).filter(external_ref=data["key"]).first()
    if present is not None:
        outcome.outcome, outcome.uuid = "present", str(present.uuid)
        return present
    errors = _Errors()
    legal_entity = _legal_entity(actor, data, errors, outcome)
    employee = (
        _employee(actor, data["employee"], legal_entity, errors, outcome) if legal_entity else None
    )
    product = known.products.get(data["product"])
    if product is None:
        errors.add("product", _("Your agency does not offer this product."))
    phase = _phase(known, data.get("phase", ""), "phase", outcome)
    _trajectory_rules(data, errors)
    members = _members(known, data["members"], errors, outcome)
    if employee is None or legal_entity is None or product is None:
        raise ValidationError(errors.by_path)  # nothing to hang the file's records on
    if employee.pk is None:
        employee.save()
        outcome.new.append("employee")
    job = data["employee"]
    Employment.objects.get_or_create(
        employee=employee,
        legal_entity=legal_entity,
        defaults={
            "job_title": job.get("job_title", ""),
            "hours_per_week": job.get("hours_per_week"),
        },
    )
    case = _case(employee, data["sickness_case"], errors)
    trajectory = Trajectory(
        employee=employee,
        legal_entity=legal_entity,
        sickness_case=case,
        product=product,
        phase=phase,
        external_ref=data["key"],
        **{name: data[name] for name in fmt.TRAJECTORY_FIELDS if name in data},
    )
    if _checked(errors, "", trajectory, exclude=["employee", "legal_entity", "sickness_case"]):
        trajectory.save()
    if trajectory.pk is None:
        raise ValidationError(errors.by_path)
    primary = None
    for user, role in members:
        TrajectoryMember.objects.create(trajectory=trajectory, user=user, role=role)
        if role == MemberRole.PRIMARY:
            primary = user
    _records(trajectory, data, known, primary, errors, outcome, pdfs)
    if errors.by_path:
        raise ValidationError(errors.by_path)
    outcome.outcome, outcome.uuid = "created", str(trajectory.uuid)
    writes.record(
        AuditAction.CREATE,
        trajectory,
        actor=actor,
        details={"import": data["key"], "records": outcome.counts},
    )
    transaction.on_commit(
        lambda: reports_schedule(today=timezone.localdate(), trajectory_ids=[trajectory.pk]),
        robust=True,
    )
    return trajectory


def _legal_entity(actor, data, errors: _Errors, outcome: Outcome):
    """The BV by its KvK number, else by name at the employer (by name); created when the
    agency has neither. Only the actor's own agency is searched."""
    bv, employer_data = data["bv"], data["employer"]
    visible = LegalEntity.objects.visible_to(actor).select_related("employer")
    found = visible.filter(kvk_number=bv["kvk_number"]).first() if bv.get("kvk_number") else None
    if found is not None:
        if found.employer.name.casefold() != employer_data["name"].casefold():
            errors.add(
                "bv.kvk_number",
                _("In your agency this KvK number is the BV %(bv)s of %(employer)s.")
                % {"bv": found.name, "employer": found.employer.name},
            )
            return None
        return found
    employer = Employer.objects.visible_to(actor).filter(name__iexact=employer_data["name"]).first()
    if employer is None:
        employer = Employer(
            agency_id=actor.agency_id,
            name=employer_data["name"],
            is_self_insurer=employer_data.get("self_insurer", False),
        )
        if not _checked(errors, "employer", employer):
            return None
        employer.save()
        writes.record(AuditAction.CREATE, employer, actor=actor, details={"import": True})
        outcome.new.append("employer")
    found = visible.filter(employer=employer, name__iexact=bv["name"]).first()
    if found is not None:
        return found
    legal_entity = LegalEntity(
        employer=employer, name=bv["name"], kvk_number=bv.get("kvk_number", "")
    )
    legal_entity.agency_id = actor.agency_id
    if not _checked(errors, "bv", legal_entity, exclude=["employer"]):
        return None
    legal_entity.save()
    writes.record(AuditAction.CREATE, legal_entity, actor=actor, details={"import": True})
    outcome.new.append("bv")
    return legal_entity


def _employee(actor, person: dict, legal_entity, errors: _Errors, outcome: Outcome):
    """The employee by personnel number among the agency's employees of the same employer (a
    personnel number is the employer's, not the agency's); a new one (not saved yet) when there
    is none. The same number for another name at that employer is an error; the number in use
    at another employer leaves the new employee without it (the agency keeps one per person)."""
    number = person["personnel_number"]
    found = (
        Employee.objects.visible_to(actor)
        .filter(external_id=number)
        .annotate(here=Exists(Employment.objects.filter(
            employee=OuterRef("pk"), legal_entity__employer_id=legal_entity.employer_id)))
        .first()
    )  # fmt: skip
    if found is not None and found.here:
        same = (found.first_name.casefold(), found.last_name.casefold()) == (
            person["first_name"].casefold(),
            person["last_name"].casefold(),
        )
        if not same:
            errors.add(
                "employee.personnel_number",
                _("Your agency already has %(name)s with this personnel number.")
                % {"name": found.full_name},
            )
            return None
        return found
    if found is not None:
        outcome.warnings.append(
            _("employee.personnel_number: %(number)s is used in your agency for an employee of "
              "another employer; the new employee was left without it.") % {"number": number}
        )  # fmt: skip
        number = ""
    values = {name: person[name] for name in fmt.EMPLOYEE_FIELDS if name in person}
    values["email"] = values.get("email", "").strip().lower()
    if not actor.agency.record_bsn and values.pop("bsn", ""):
        outcome.warnings.append(_("Your agency does not record the BSN: it was left out."))
    employee = Employee(agency_id=actor.agency_id, external_id=number, **values)
    if not _checked(errors, "employee", employee):
        return None
    return employee


def _phase(known: Known, name: str, path: str, outcome: Outcome):
    """The agency's phase by name. Agencies name their phases differently (four steps or
    six): one the agency does not have is left out with a warning, never a reason to refuse a
    file; the specialist sets the current phase."""
    if not name:
        return None
    phase = known.phases.get(name.casefold())
    if phase is None and name.casefold() not in outcome.phases_warned:
        outcome.phases_warned.add(name.casefold())
        outcome.warnings.append(
            _("%(path)s: your agency has no phase \"%(name)s\" (its phases are: %(names)s); it "
              "was left out, here and wherever the file names it.")
            % {"path": path, "name": name,
               "names": ", ".join(p.name for p in known.phases.values())}
        )  # fmt: skip
    return phase


def _trajectory_rules(data: dict, errors: _Errors) -> None:
    """What a running or ended trajectory must have, as the pages enforce on the way there."""
    status, start, end = data["status"], data.get("start_date"), data.get("end_date")
    if not start:
        errors.add("start_date", _("A running or ended trajectory has a start date."))
    if status == TrajectoryStatus.ENDED:
        if not end:
            errors.add("end_date", _("An ended trajectory has an end date."))
        if not data.get("closing_reason"):
            errors.add("closing_reason", _("An ended trajectory has a closing reason."))
    elif end or data.get("closing_reason"):
        errors.add("status", _("A trajectory with an end date or closing reason has ended."))
    if start and end and end < start:
        errors.add("end_date", _("The end lies before the start."))
    if start and start < data["referral_date"]:
        errors.add("start_date", _("The start lies before the referral."))


def _members(known: Known, rows: list, errors: _Errors, outcome: Outcome) -> list:
    """The members by email among the agency's staff. One who is not: an error, unless the
    admin chose whom to assign such files to (the primary's place goes to them, another
    member is left out; both said as warnings)."""
    members, seen = [], set()
    for index, row in enumerate(rows):
        user = known.staff.get(row["email"].casefold())
        if user is None and known.assign_to is not None:
            if row["role"] != MemberRole.PRIMARY:
                outcome.warnings.append(
                    _("members[%(n)s]: %(email)s is not on your agency's staff and was left "
                      "out.") % {"n": index, "email": row["email"]}
                )  # fmt: skip
                continue
            outcome.warnings.append(
                _("members[%(n)s]: %(email)s is not on your agency's staff; %(name)s is the "
                  "primary specialist.")
                % {"n": index, "email": row["email"], "name": known.assign_to}
            )  # fmt: skip
            user = known.assign_to
            if user.pk in seen:  # already a member in another role: the primary now
                members = [(u, r) for u, r in members if u.pk != user.pk]
                seen.discard(user.pk)
        if user is None:
            errors.add(
                f"members[{index}].email",
                _("Nobody on your agency's staff has this address: invite them first."),
            )
        elif user.pk in seen:
            errors.add(f"members[{index}].email", _("This person is listed twice."))
        else:
            seen.add(user.pk)
            members.append((user, row["role"]))
    primaries = [m for m in rows if m["role"] == MemberRole.PRIMARY]
    if len(primaries) != 1:
        errors.add("members", _("A trajectory has exactly one primary specialist."))
    return members


def _case(employee: Employee, values: dict, errors: _Errors) -> SicknessCase:
    """The sickness case with this first day of sickness, or a new one with its WvP dates and
    extensions (an existing case keeps its own: another trajectory of the archive or of the
    agency already brought them)."""
    if employee.pk:
        existing = SicknessCase.objects.filter(
            employee=employee, first_sick_day=values["first_sick_day"]
        ).first()
        if existing:
            return existing
    case = SicknessCase(
        employee=employee, **{k: v for k, v in values.items() if k in fmt.CASE_FIELDS}
    )
    case.agency_id = employee.agency_id
    if _checked(errors, "sickness_case", case, exclude=["employee"]):
        case.save()
        for index, row in enumerate(values.get("extensions", [])):
            extension = Extension(case=case, agency_id=case.agency_id, **row)
            if _checked(errors, f"sickness_case.extensions[{index}]", extension, exclude=["case"]):
                extension.save()
    else:
        raise ValidationError(errors.by_path)
    return case


def _records(trajectory, data, known: Known, primary, errors: _Errors, outcome, pdfs) -> None:
    """Every record of the file, each through the model's own validation."""
    agency_id = trajectory.agency_id

    replaced = Counter()

    def author(path: str, email: str):
        user = known.staff.get((email or "").casefold())
        if user is None:
            if email:
                replaced[email] += 1
            return primary
        return user

    for key, model, fields, user_field in fmt.LISTS[1:]:
        rows = data.get(key) or []
        for index, row in enumerate(rows):
            values = {name: row[name] for name in fields if name in row}
            record = model(trajectory=trajectory, agency_id=agency_id, **values)
            if user_field:
                setattr(record, user_field, author(f"{key}[{index}]", row.get(user_field)))
            if key == "phase_changes":
                phase = _phase(known, row["phase"], f"{key}[{index}].phase", outcome)
                if phase is None:
                    continue
                record.phase = phase
            if _checked(
                errors, f"{key}[{index}]", record, exclude=[user_field, "phase", "changed_by"]
            ):
                _keep(errors, record)
        outcome.counts[key] = len(rows)
    for key, model, _fields in fmt.SINGLES:
        row = data.get(key)
        if row:
            record = model(trajectory=trajectory, agency_id=agency_id, **row)
            if model.__name__ == "ApplicationNorm":
                record.set_by = primary
            if _checked(errors, key, record, exclude=["set_by"]):
                _keep(errors, record)
            outcome.counts[key] = 1
    _search_profiles(trajectory, data.get("search_profiles") or [], author, errors, outcome)
    _applications(trajectory, data.get("applications") or [], primary, errors, outcome)
    _reports(trajectory, data.get("reports") or [], pdfs, errors, outcome)
    _riv_exceptions(trajectory, data.get("riv_exceptions") or [], known, errors, outcome)
    for email, count in replaced.items():  # one line per person, not one per record
        outcome.warnings.append(
            ngettext(
                "%(count)s record names %(email)s as its author, who is not on your agency's "
                "staff: the primary specialist is named instead.",
                "%(count)s records name %(email)s as their author, who is not on your "
                "agency's staff: the primary specialist is named instead.",
                count,
            )
            % {"count": count, "email": email}
        )


def _search_profiles(trajectory, rows, author, errors: _Errors, outcome) -> None:
    versions = Counter(row["version"] for row in rows)
    for index, row in enumerate(rows):
        path = f"search_profiles[{index}]"
        if versions[row["version"]] > 1:
            errors.add(f"{path}.version", _("Two search profiles have this version."))
            continue
        values = {k: v for k, v in row.items() if k in fmt.SEARCH_PROFILE_FIELDS}
        profile = SearchProfile(trajectory=trajectory, agency_id=trajectory.agency_id, **values)
        profile.author = author(path, row.get("author"))
        if not _checked(errors, path, profile, exclude=["author"]):
            continue
        _keep(errors, profile)
        for number, function in enumerate(row.get("functions") or []):
            item = SearchFunction(profile=profile, agency_id=trajectory.agency_id, **function)
            if _checked(errors, f"{path}.functions[{number}]", item, exclude=["profile"]):
                _keep(errors, item)
    outcome.counts["search_profiles"] = len(rows)


def _applications(trajectory, rows, primary, errors: _Errors, outcome) -> None:
    """Applications keep who recorded them (the employee or a specialist) as a role; the
    person is the primary specialist, since the employee has no login yet."""
    employee_user = trajectory.employee.user
    for index, row in enumerate(rows):
        path = f"applications[{index}]"
        values = {k: v for k, v in row.items() if k in fmt.APPLICATION_FIELDS}
        activity = ApplicationActivity(
            trajectory=trajectory, agency_id=trajectory.agency_id, **values
        )
        by_employee = row["recorded_by_role"] == RecordedBy.EMPLOYEE and employee_user
        activity.recorded_by = employee_user if by_employee else primary
        if not _checked(errors, path, activity, exclude=["recorded_by", "vacancy"]):
            continue
        _keep(errors, activity)
        for number, change in enumerate(row.get("status_changes") or []):
            item = StatusChange(
                activity=activity, agency_id=trajectory.agency_id, changed_by=primary, **change
            )
            where = f"{path}.status_changes[{number}]"
            if _checked(errors, where, item, exclude=["activity", "changed_by"]):
                _keep(errors, item)
    outcome.counts["applications"] = len(rows)


def _riv_exceptions(trajectory, rows, known: Known, errors: _Errors, outcome) -> None:
    """The reasons a specialist signed off why a rule of the RIV check does not apply (UWV's
    fourth question), with who signed and when; one standing reason per rule and subject. A
    reason whose signer is not on the agency's staff is not taken over: the UWV file names the
    signer, and nobody here signed it (a warning says so; a specialist signs it again)."""
    seen, kept = set(), 0
    for index, row in enumerate(rows):
        path = f"riv_exceptions[{index}]"
        if (row["rule"], row.get("subject", "")) in seen:
            errors.add(f"{path}.rule", _("This reason is in the file twice."))
            continue
        seen.add((row["rule"], row.get("subject", "")))
        signer = known.staff.get((row.get("signed_by") or "").casefold())
        if signer is None:
            outcome.warnings.append(
                _("%(path)s: signed by %(email)s, who is not on your agency's staff: not taken "
                  "over; a specialist signs the reason again if it still holds.")
                % {"path": path, "email": row.get("signed_by") or "–"}
            )  # fmt: skip
            continue
        values = {k: v for k, v in row.items() if k in fmt.RIV_EXCEPTION_FIELDS}
        reason = RivException(trajectory=trajectory, agency_id=trajectory.agency_id, **values)
        reason.signed_by = signer
        if _checked(errors, path, reason, exclude=["signed_by"]):
            _keep(errors, reason)
            kept += 1
    outcome.counts["riv_exceptions"] = kept


def _reports(trajectory, rows, pdfs, errors: _Errors, outcome) -> None:
    """Reports signed in the earlier system: the PDF kept byte for byte (its SHA-256 must be
    the one the file names), final for the last version of each report, superseded for the
    earlier ones. They take their place in the schedule, so no draft is made for them."""
    latest = {}
    for row in rows:
        key = (row["kind"], row["number"])
        latest[key] = max(latest.get(key, 0), row["version"])
    seen, made = set(), {}
    for index, row in sorted(enumerate(rows), key=lambda pair: pair[1]["version"]):
        path = f"reports[{index}]"
        key = (row["kind"], row["number"], row["version"])
        if key in seen:
            errors.add(f"{path}.version", _("This report is in the file twice."))
            continue
        seen.add(key)
        if (row["kind"] == ReportKind.PROGRESS) != (row["number"] > 0):
            errors.add(f"{path}.number", _("Progress reports count from 1; other reports are 0."))
            continue
        content = pdfs(row["pdf"])
        if content is None:
            errors.add(f"{path}.pdf", _("The archive does not hold this PDF."))
            continue
        if hashlib.sha256(content).hexdigest() != row["sha256"]:
            errors.add(f"{path}.sha256", _("The PDF in the archive does not have this SHA-256."))
            continue
        if uploads.detect(ContentFile(content)) != uploads.PDF:
            errors.add(f"{path}.pdf", _("This file is not a PDF."))
            continue
        last = row["version"] == latest[(row["kind"], row["number"])]
        signed = _aware(row["signed_on"])
        report = Report(
            trajectory=trajectory,
            agency_id=trajectory.agency_id,
            kind=row["kind"],
            number=row["number"],
            version=row["version"],
            supersedes=made.get((row["kind"], row["number"])),
            period_start=row["period_start"],
            period_end=row["period_end"],
            due_date=row["due_date"],
            status=ReportStatus.FINAL if last else ReportStatus.SUPERSEDED,
            signed_at=signed,
            finalized_at=signed,
            signed_elsewhere_by=row["signed_by"],
            pdf_sha256=row["sha256"],
        )
        if not errors.by_path:  # nothing is stored of a file that will not be imported
            report.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
            report.save()
        made[(row["kind"], row["number"])] = report
    outcome.counts["reports"] = len(rows)


# --- An archive -------------------------------------------------------------------------------


def transfer_upload(*, actor: User, upload, assign_to: User | None = None) -> TransferImport:
    """Keep an uploaded archive and queue its check (the dry run). The archive is opened
    here first, so a file that is no transfer archive at all is refused on the form.
    ``assign_to``: a specialist of the agency who takes the files whose primary specialist is
    not on its staff."""
    writes.allowed(access.can_transfer_files(actor))
    if assign_to is not None and not (
        access.is_visible(actor, assign_to) and access.is_agency_staff(assign_to)
    ):
        writes.refuse("assign_to", _("Choose a specialist of your agency."))
    upload.seek(0)
    try:
        archive = fmt.Archive(upload)
    except fmt.ArchiveError as exc:
        writes.refuse("file", str(exc.args[0]))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    job = TransferImport(
        agency_id=actor.agency_id,
        started_by=actor,
        original_name=uploads.display_name_of(upload)[:255],
        sha256=digest.hexdigest(),
        total=len(archive.trajectory_files),
        assign_to=assign_to,
    )
    job.file.save(f"{uuid.uuid4().hex}.zip", upload, save=False)
    with transaction.atomic():
        job.save()
        writes.record(AuditAction.CREATE, job, actor=actor, details={"transfer": "check"})
        from .tasks import check_transfer

        transaction.on_commit(
            lambda: check_transfer.delay(job.pk, agency_id=job.agency_id), robust=True
        )
    return job


def transfer_import_start(*, actor: User, job: TransferImport) -> TransferImport:
    """Import a checked archive. Claimed with a conditional update, so two clicks (or two
    admins) start it once."""
    writes.allowed(access.can_transfer_files(actor) and access.is_visible(actor, job))
    with transaction.atomic():
        claimed = TransferImport.objects.filter(
            pk=job.pk, status=TransferImport.Status.CHECKED
        ).update(status=TransferImport.Status.IMPORTING, processed=0)
        if not claimed:
            writes.refuse(None, _("This archive is being imported or has been imported."))
        job.refresh_from_db()
        writes.record(AuditAction.UPDATE, job, actor=actor, details={"transfer": "import"})
        from .tasks import run_transfer

        transaction.on_commit(
            lambda: run_transfer.delay(job.pk, agency_id=job.agency_id), robust=True
        )
    return job


def archive_import(
    *,
    actor: User,
    archive: fmt.Archive,
    dry_run: bool,
    assign_to: User | None = None,
    progress=None,
) -> list[Outcome]:
    """Import every trajectory of ``archive``, each all or nothing; or check them (``dry_run``):
    the same writes in one transaction rolled back at the end, so a later trajectory of the
    archive finds what an earlier one would have created (the employer of both), as in the
    import. ``progress(n)`` is told after each trajectory."""
    writes.allowed(access.can_transfer_files(actor))
    known, keys, outcomes = Known.of(actor, assign_to), Counter(), []
    try:
        with transaction.atomic():
            for index, name in enumerate(archive.trajectory_files, start=1):
                outcomes.append(_one(archive, name, actor, known, keys))
                if progress:
                    progress(index)
            if dry_run:
                raise _DryRun
    except _DryRun:
        for outcome in outcomes:  # rolled back: only a file that was already here exists
            if outcome.outcome != "present":
                outcome.uuid = ""
    return outcomes


def _one(archive, name, actor, known, keys: Counter) -> Outcome:
    outcome = Outcome(file=name)
    try:
        raw = archive.json(name)
    except fmt.ArchiveError as exc:
        outcome.errors = {"file": [str(exc.args[0])]}
        return outcome
    data, errors = fmt.parse(raw)
    if data is None:
        outcome.key = str(raw.get("key", ""))[:100] if isinstance(raw, dict) else ""
        person = raw.get("employee") if isinstance(raw, dict) else None
        if isinstance(person, dict):  # the name as written, so the admin finds the file
            outcome.name = f"{person.get('first_name', '')} {person.get('last_name', '')}"[:200]
        outcome.errors = errors
        return outcome
    keys[data["key"]] += 1
    if keys[data["key"]] > 1:
        outcome.key = data["key"]
        outcome.errors = {"key": [_("Another trajectory in this archive has this key.")]}
        return outcome
    try:
        with transaction.atomic():
            trajectory_import(
                actor=actor, data=data, pdfs=archive.pdf, known=known, outcome=outcome
            )
    except ValidationError as exc:
        outcome.outcome = "error"
        outcome.errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        outcome.new, outcome.counts = [], {}
    except IntegrityError:
        # Another import of the same archive created it meanwhile: present, not an error.
        if Trajectory.objects.visible_to(actor).filter(external_ref=data["key"]).exists():
            outcome.outcome, outcome.errors = "present", {}
        else:
            logger.exception("Import of %s failed", name)
            outcome.outcome = "error"
            outcome.errors = {"": [_("This trajectory could not be saved.")]}
    except Exception:
        logger.exception("Import of %s failed", name)
        outcome.outcome, outcome.new, outcome.counts = "error", [], {}
        outcome.errors = {"": [_("This trajectory could not be saved.")]}
    return outcome


def _run(job_id: int, *, dry_run: bool) -> TransferImport | None:
    job = (
        TransferImport.objects.select_related("started_by__agency", "assign_to")
        .filter(pk=job_id)
        .first()
    )
    expected = TransferImport.Status.CHECKING if dry_run else TransferImport.Status.IMPORTING
    if job is None or job.status != expected:
        return None
    last = [0.0]

    def progress(n: int) -> None:
        # A dry run's writes are one transaction: its progress goes through the cache, which
        # the page reads as well as the row.
        if time.monotonic() - last[0] > PROGRESS_EVERY or n == job.total:
            cache.set(progress_key(job), n, timeout=24 * 3600)
            if not dry_run:
                TransferImport.objects.filter(pk=job.pk).update(processed=n)
            last[0] = time.monotonic()

    with translation.override(job.started_by.language):
        try:
            with job.file.open("rb") as handle:
                outcomes = archive_import(
                    actor=job.started_by,
                    archive=fmt.Archive(handle),
                    dry_run=dry_run,
                    assign_to=job.assign_to,
                    progress=progress,
                )
            outcomes = [o.as_dict() for o in outcomes]
        except Exception as exc:
            if isinstance(exc, fmt.ArchiveError | OSError):
                logger.warning("Transfer archive %s could not be read: %s", job.uuid, exc)
                error = str(exc.args[0] if exc.args else exc)
            else:
                logger.exception("Transfer archive %s failed", job.uuid)
                error = _("Something went wrong on our side; the operator's log has the details.")
            job.results = {**job.results, "error": str(error)}
            job.status = TransferImport.Status.FAILED
            job.finished_at = timezone.now()
            job.save(update_fields=["results", "status", "finished_at"])
            return job
    job.results = {**job.results, "check" if dry_run else "import": outcomes}
    job.processed = job.total
    if dry_run:
        job.status, job.checked_at = TransferImport.Status.CHECKED, timezone.now()
    else:
        job.status, job.finished_at = TransferImport.Status.DONE, timezone.now()
        counts = Counter(o["outcome"] for o in outcomes)
        writes.record(
            AuditAction.UPDATE,
            job,
            actor=job.started_by,
            details={"transfer": "done", **counts},
        )
    job.save(update_fields=["results", "processed", "status", "checked_at", "finished_at"])
    return job


def progress_key(job: TransferImport) -> str:
    return f"transfer:{job.uuid}:{job.status}"


def processed(job: TransferImport) -> int:
    """How far a running job is (the row, or a dry run's count in the cache)."""
    return max(job.processed, cache.get(progress_key(job)) or 0)


def transfer_check_run(*, job_id: int) -> TransferImport | None:
    """The dry run of a queued archive (a task)."""
    return _run(job_id, dry_run=True)


def transfer_import_run(*, job_id: int) -> TransferImport | None:
    """The import of a checked archive (a task)."""
    return _run(job_id, dry_run=False)


def summary(outcomes: list[dict]) -> dict:
    """How many trajectories would be (or were) created, were there already, have errors;
    how many new employers, BVs and employees; records per section."""
    counts = Counter(o["outcome"] for o in outcomes)
    new = Counter(item for o in outcomes if o["outcome"] == "created" for item in o["new"])
    records = Counter()
    for o in outcomes:
        if o["outcome"] == "created":
            records += Counter(o["counts"])
    return {"outcomes": counts, "new": new, "records": dict(sorted(records.items()))}
