"""The records of a file: one service writes every kind (pages and API alike), plus the search
profile's versions, the medical flag's correction, assignments, tasks and action lists."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import access, medical, uploads, writes
from portal.constants import AuditAction
from portal.models import User

from ..constants import AssignmentStatus, Visibility
from ..models import (
    ActionTemplate,
    Assignment,
    CalendarFeed,
    ConversationReport,
    PersonProfile,
    Placement,
    SearchFunction,
    SearchProfile,
    Task,
    TimeEntry,
    Trajectory,
    WorkCapacity,
)

#: Fields that hold "who wrote this", set from the acting user, never from the input.
AUTHOR_FIELDS = ("author", "uploaded_by", "user")

#: Kinds a trajectory has at most one of.
SINGLE = (PersonProfile, WorkCapacity, Placement)


#: Upload fields and the field that keeps the uploaded file's name as display text.
UPLOAD_NAMES = {"file": "original_name", "certificate": "certificate_name"}


@transaction.atomic
def record_save(*, actor: User, trajectory: Trajectory, model, record=None, **fields):
    """Create (``record=None``) or change one record of the file. Checks the actor's right for
    the kind (``access.can_write_record``), the model's own rules, the medical flag's rule and
    the uploads; writes, audits and raises the dashboards' version when they show the kind."""
    writes.allowed(access.can_write_record(actor, trajectory, model))
    medical_confirmed = bool(fields.pop("medical_confirmed", False))
    creating = record is None
    if creating:
        if model in SINGLE and model.objects.filter(trajectory=trajectory).exists():
            raise ValidationError(_("This trajectory has one already: change that one."))
        record = model(trajectory=trajectory, agency_id=trajectory.agency_id)
        for name in AUTHOR_FIELDS:
            if any(f.name == name for f in model._meta.fields):
                setattr(record, name, actor)
    else:
        record = writes.fresh(record, actor, lock=True)
        if record.trajectory_id != trajectory.pk:
            raise PermissionDenied
    if model is ConversationReport and record.contains_medical:
        _keep_medical_flag(fields)
    _take_uploads(record, fields)
    category = fields.get("category") if model is TimeEntry else None
    if category is not None and category.agency_id != trajectory.agency_id:
        writes.refuse("category", _("Choose a category from the list."))
    changed = writes.apply(record, fields, exclude=["agency", "trajectory"])
    words = _medical_words_for_employer(record, changed, creating)
    medical.check(words, confirmed=medical_confirmed)
    writes.saved(record, actor=actor, changed=changed, creating=creating)
    if words:  # confirmed by the writer: on record who let these words through
        writes.record(AuditAction.UPDATE, record, actor=actor,
                     details={"medical_words_confirmed": words})  # fmt: skip
    return record


#: The texts of a conversation an employer reads when it is shared with them.
SHARED_TEXT = medical.EMPLOYER_TEXT["trajecten.conversationreport"]["fields"]


def _medical_words_for_employer(record, changed: list[str], creating: bool) -> list[str]:
    """The medical words in the texts of a record an employer reads (``medical.EMPLOYER_TEXT``;
    a conversation or document only once shared with the employer), when a text or its
    sharing changed in this save; nothing for anything else."""
    texts = medical.EMPLOYER_TEXT.get(record._meta.label_lower, {}).get("fields", ())
    if not texts:
        return []
    if hasattr(record, "visibility") and record.visibility != Visibility.EMPLOYER:
        return []
    if not creating and not set(changed) & {*texts, "visibility"}:
        return []
    return medical.medical_words(*(getattr(record, name) for name in texts))


def _keep_medical_flag(fields: dict) -> None:
    """A conversation saved as containing medical information keeps that flag in every
    ordinary save (page or API): clearing it widens who may ever see the text, so it is its own
    action with a reason (``conversation_medical_flag_clear``), never part of a save that could
    share the conversation with the employer at the same time."""
    if fields.get("contains_medical", True) is False:
        writes.refuse(
            "contains_medical",
            _(
                "This conversation is marked as containing medical information. If that is "
                "wrong, use 'Correct the medical flag' and give the reason."
            ),
        )


def _take_uploads(record, fields: dict) -> None:
    """A new file is checked by content (unless the form did it already), stored under a
    generated name, and its original name kept as display text."""
    for field, name_field in UPLOAD_NAMES.items():
        upload = fields.get(field)
        if not isinstance(upload, UploadedFile):
            if field in fields and not upload and getattr(record, field):
                del fields[field]  # no new file: the stored one stays
            continue
        if not hasattr(upload, "detected_content_type"):
            try:
                uploads.checked(upload)
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from exc
        setattr(record, name_field, uploads.display_name_of(upload))
        if hasattr(record, "content_type"):
            record.content_type = upload.detected_content_type
            record.size = upload.size


@transaction.atomic
def conversation_medical_flag_clear(
    *, actor: User, conversation: ConversationReport, reason: str
) -> ConversationReport:
    """Correct a wrongly set medical flag, with a reason, audited. Who may see the
    conversation does not change here: sharing it further is a later, ordinary save."""
    writes.allowed(access.can_write_records(actor, conversation.trajectory))
    reason = (reason or "").strip()
    if len(reason) < 10:
        explain = _("Explain in a sentence why the conversation holds no medical information.")
        writes.refuse("reason", explain)
    locked = writes.fresh(conversation, actor, lock=True)
    if not locked.contains_medical:
        raise ValidationError(_("This conversation is not marked as medical."))
    locked.contains_medical = False
    locked.save(update_fields=["contains_medical", "updated_at"])
    writes.record(
        AuditAction.UPDATE,
        locked,
        actor=actor,
        details={"medical_flag_cleared": True, "reason": reason[:500]},
    )
    return locked


@transaction.atomic
def search_profile_save(
    *,
    actor: User,
    trajectory: Trajectory,
    functions: list[dict],
    medical_confirmed: bool = False,
    **fields,
) -> SearchProfile:
    """A new version of the search profile with its functions; earlier versions stay. Every
    function needs a reason why it is suitable (passend). ``valid_from`` is the day it was
    agreed: not in the future, and not before the version it follows (a report prints the
    version in force at the end of its period, so the versions must follow each other)."""
    writes.allowed(access.can_write_records(actor, trajectory))
    valid_from = fields.get("valid_from")
    if valid_from and valid_from > timezone.localdate():
        writes.refuse("valid_from", _("The date cannot lie in the future."))
    previous = trajectory.searchprofiles.order_by("-valid_from").values_list(
        "valid_from", flat=True
    )
    if valid_from and previous.first() and valid_from < previous.first():
        writes.refuse(
            "valid_from",
            _("The previous version is valid from %(day)s: this one cannot start earlier.")
            % {"day": date_format(previous.first(), "SHORT_DATE_FORMAT")},
        )
    functions = [
        {"title": (f.get("title") or "").strip(), "reason": (f.get("reason") or "").strip()}
        for f in functions
        if (f.get("title") or "").strip() or (f.get("reason") or "").strip()
    ]
    if not functions:
        writes.refuse(None, _("Name at least one function."))
    if any(not f["title"] or not f["reason"] for f in functions):
        writes.refuse(None, _("Give every function a title and a reason why it is suitable."))
    texts = medical.EMPLOYER_TEXT["trajecten.searchprofile"]["fields"]
    words = medical.medical_words(
        *(fields.get(name) or "" for name in texts),
        *(text for f in functions for text in (f["title"], f["reason"])),
    )
    medical.check(words, confirmed=medical_confirmed)  # the employer reads every version
    last = trajectory.searchprofiles.order_by("-version").values_list("version", flat=True)
    profile = SearchProfile(
        trajectory=trajectory,
        agency_id=trajectory.agency_id,
        author=actor,
        version=(last.first() or 0) + 1,
    )
    writes.apply(profile, fields, exclude=["agency", "trajectory"])
    profile.save()
    SearchFunction.objects.bulk_create(
        SearchFunction(profile=profile, agency_id=profile.agency_id, **f) for f in functions
    )
    writes.record(AuditAction.CREATE, profile, actor=actor, details={"version": profile.version})
    if words:
        writes.record(AuditAction.UPDATE, profile, actor=actor,
                     details={"medical_words_confirmed": words})  # fmt: skip
    return profile


@transaction.atomic
def assignment_complete(*, actor: User, assignment: Assignment, result: str = "") -> Assignment:
    """The employee (or a specialist) marks an assignment done, with its result."""
    writes.allowed(access.can_complete_assignment(actor, assignment))
    assignment = writes.fresh(assignment, actor, lock=True)
    assignment.status = AssignmentStatus.DONE
    assignment.result = (result or "").strip()
    assignment.completed_at = timezone.now()
    assignment.full_clean(exclude=["agency", "trajectory"])
    assignment.save(update_fields=["status", "result", "completed_at", "updated_at"])
    writes.record(AuditAction.UPDATE, assignment, actor=actor, details={"completed": True})
    return assignment


@transaction.atomic
def task_mark_done(*, actor: User, task: Task, on: date) -> Task:
    writes.allowed(
        access.is_visible(actor, task) and access.can_write_records(actor, task.trajectory)
    )
    task.done_on = on
    task.save(update_fields=["done_on", "updated_at"])
    writes.record(AuditAction.UPDATE, task, actor=actor, details={"done": str(on)})
    return task


@transaction.atomic
def action_list_apply(*, actor: User, trajectory: Trajectory, template: ActionTemplate) -> int:
    """Create the template's tasks, dated from the start. Applying twice adds nothing."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    if not access.is_visible(actor, template):
        writes.refuse("template", _("This action list belongs to another agency."))
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
        with transaction.atomic():  # a savepoint: the refusal leaves the transaction usable
            Task.objects.bulk_create(tasks)
    except IntegrityError:  # applied concurrently: the constraint kept it single
        return 0
    writes.record(
        AuditAction.UPDATE, trajectory, actor=actor, details={"action_list": template.name}
    )
    return len(tasks)


def calendar_feed_for(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """A new private calendar link; the old one stops working at once."""
    feed = calendar_feed_for(user=user)
    feed.revoke()
    writes.record(AuditAction.UPDATE, feed, actor=user, details={"renewed": True})
    return feed
