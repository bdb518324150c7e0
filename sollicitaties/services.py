"""Writes for the application log and Jobport: the one write path of pages, API and imports.
Every service takes keyword-only plain data and the actor, checks the rules itself
(``portal.writes``), writes, audits and raises the dashboards' version."""

import hashlib
import json
import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access, audit, medical, tenancy, uploads, writes
from portal.constants import AuditAction
from portal.models import User
from portal.validators import date_not_in_future
from trajecten.models import Trajectory

from . import repeats
from .constants import ActivityKind, ApplicationStatus, Channel, RecordedBy
from .csv_import import VacancyRow
from .models import (
    ApplicationActivity,
    ApplicationNorm,
    Evidence,
    StatusChange,
    TempAgencyRegistration,
    Vacancy,
)
from .norm import Norm

#: The fields of an application the recorder sets.
ACTIVITY_FIELDS = (
    "kind", "date", "organisation", "vacancy_title", "vacancy_url", "channel", "status",
    "place", "hours_per_week", "contact_person", "notes",
)  # fmt: skip


def norm_for(trajectory: Trajectory) -> Norm:
    """The trajectory's own norm, or the agency's default."""
    own = getattr(trajectory, "application_norm", None)
    if own is not None:
        return Norm(own.count, own.weeks)
    agency = trajectory.agency
    return Norm(agency.application_norm_count, agency.application_norm_weeks)


def likely_duplicates(
    *, trajectory: Trajectory, on: date, organisation: str, title: str, url: str, exclude=None
):
    """The same vacancy on the same day: by link, or by organisation and title."""
    if not (url or (organisation and title)):
        return ApplicationActivity.objects.none()
    same = Q()
    if url:
        same |= Q(vacancy_url__iexact=url)
    if organisation and title:
        same |= Q(organisation__iexact=organisation.strip(), vacancy_title__iexact=title.strip())
    found = ApplicationActivity.objects.filter(same, trajectory=trajectory, date=on)
    return found.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else found


def _check_activity(activity: ApplicationActivity, *, confirm_duplicate: bool) -> None:
    """The rules of an application, on pages and in the API alike: not in the future, and
    the same vacancy twice on one day only when the recorder confirms it."""
    try:
        date_not_in_future(activity.date)
    except ValidationError as exc:
        raise ValidationError({"date": exc.messages}) from exc
    if confirm_duplicate or not activity.date:
        return
    duplicates = likely_duplicates(
        trajectory=activity.trajectory,
        on=activity.date,
        organisation=activity.organisation,
        title=activity.vacancy_title,
        url=activity.vacancy_url,
        exclude=activity,
    )
    if duplicates.exists():
        writes.refuse(
            "confirm_duplicate",
            _(
                "You already recorded this vacancy on this day. If it is a different "
                "application, tick 'save anyway'."
            ),
        )


@transaction.atomic
def activity_create(
    *,
    actor: User,
    trajectory: Trajectory,
    evidence=None,
    confirm_duplicate: bool = False,
    vacancy: Vacancy | None = None,
    idempotency_key=None,
    **fields,
) -> ApplicationActivity:
    """Record an application with who recorded it and its first dated status: the one way an
    application is created, from the phone form, a suggested vacancy or the API.

    With an ``idempotency_key`` (the form's, or the API's ``Idempotency-Key`` header) the same
    application sent twice (a retry after a lost answer, the phone's offline outbox) is
    recorded once: the second call returns the first one and changes nothing."""
    writes.allowed(access.can_record_applications(actor, trajectory))
    idempotency_key = _own_key(actor, idempotency_key)
    fingerprint = _fingerprint(fields, vacancy) if idempotency_key else ""
    if idempotency_key and (earlier := _sent_before(actor, trajectory, idempotency_key)):
        return _replayed(earlier, fingerprint)
    activity = ApplicationActivity(
        trajectory=trajectory,
        agency_id=trajectory.agency_id,
        recorded_by=actor,
        recorded_by_role=(
            RecordedBy.EMPLOYEE if access.is_employee(actor) else RecordedBy.SPECIALIST
        ),
        vacancy=vacancy,
    )
    writes.apply(activity, fields, exclude=["agency", "trajectory"])
    _check_activity(activity, confirm_duplicate=confirm_duplicate)
    activity.idempotency_key = idempotency_key or None
    activity.idempotency_fingerprint = fingerprint
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        if not idempotency_key:
            raise
        # Sent twice at the same moment: the other request recorded it.
        earlier = _sent_before(actor, trajectory, idempotency_key)
        if earlier is None:  # the actor's own key, used for another file
            raise ValidationError(_("This form was already used. Open it again.")) from None
        return _replayed(earlier, fingerprint)
    StatusChange.objects.create(
        activity=activity, status=activity.status, date=activity.date, changed_by=actor
    )
    if evidence:
        _evidence_create(activity=activity, upload=evidence, actor=actor)
    repeats.refresh(trajectory)
    activity.refresh_from_db(fields=["repeat_of"])
    details = {"from_vacancy": str(vacancy.uuid)} if vacancy else None
    writes.record(AuditAction.CREATE, activity, actor=actor, details=details)
    return activity


class KeyReused(ValidationError):
    """The key of an application already recorded, sent with other fields: refused (the
    IETF Idempotency-Key draft's 422), never answered as if this one were recorded."""


def _fingerprint(fields: dict, vacancy) -> str:
    """The SHA-256 of what was sent: every field as text, sorted by name."""
    sent = {k: str(v) for k, v in fields.items() if k not in ("confirm_duplicate",)}
    sent["vacancy"] = str(getattr(vacancy, "pk", ""))
    return hashlib.sha256(json.dumps(sent, sort_keys=True).encode()).hexdigest()


def _replayed(earlier: ApplicationActivity, fingerprint: str) -> ApplicationActivity:
    """A key sent again: the application it recorded, if the fields are the same."""
    if earlier.idempotency_fingerprint and earlier.idempotency_fingerprint != fingerprint:
        raise KeyReused(
            {
                "idempotency_key": _(
                    "This form was already sent with other details, so this application "
                    "was not recorded. Open the form again and record it."
                )
            }
        )
    return earlier


def _own_key(actor, key) -> uuid.UUID | None:
    """The key as stored: derived from the sender's key and the sender (UUID 5), so a key is
    the actor's own and another person's use of the same key neither collides with it nor
    tells anything. The nil UUID (what a client sends that made no key) is no key."""
    if key is None or str(key) == "":
        return None
    key = uuid.UUID(str(key))
    if key.int == 0:
        writes.refuse(None, _("This form was already used. Open it again."))
    return uuid.uuid5(actor.uuid, str(key))


def _sent_before(actor, trajectory, key) -> ApplicationActivity | None:
    """The application this actor sent with ``key`` before: keys are the actor's own."""
    return (
        ApplicationActivity.objects.visible_to(actor)
        .filter(trajectory=trajectory, recorded_by=actor, idempotency_key=key)
        .first()
    )


@transaction.atomic
def activity_update(
    *, actor: User, activity: ApplicationActivity, confirm_duplicate: bool = False, **fields
) -> ApplicationActivity:
    """Change an application's details (its status has its own dated history)."""
    writes.allowed(access.can_record_applications(actor, activity.trajectory))
    activity = writes.fresh(activity, actor, lock=True)
    fields.pop("status", None)  # status changes go through activity_status_set
    changed = writes.apply(activity, fields, exclude=["agency", "trajectory"])
    _check_activity(activity, confirm_duplicate=confirm_duplicate)
    writes.saved(activity, actor=actor, changed=changed, creating=False)
    repeats.refresh(activity.trajectory)
    activity.refresh_from_db(fields=["repeat_of"])
    return activity


@transaction.atomic
def activity_status_set(
    *, actor: User, activity: ApplicationActivity, status: str, on: date
) -> ApplicationActivity:
    """A new status, added to the dated history."""
    writes.allowed(access.can_record_applications(actor, activity.trajectory))
    if status not in ApplicationStatus.values:
        writes.refuse("status", _("That status does not exist."))
    activity = writes.fresh(activity, actor, lock=True)
    StatusChange.objects.create(activity=activity, status=status, date=on, changed_by=actor)
    activity.status = status
    activity.save(update_fields=["status", "updated_at"])
    writes.record(AuditAction.UPDATE, activity, actor=actor, details={"status": status})
    return activity


#: How long a status change can be taken back by the person who made it (a mis-tap on a phone).
STATUS_UNDO_MINUTES = 10


@transaction.atomic
def activity_status_undo(
    *, actor: User, activity: ApplicationActivity, change_id: int
) -> ApplicationActivity:
    """Take back the status change ``change_id``: only the latest change of the activity,
    only by the person who made it, only within ``STATUS_UNDO_MINUTES``, and never the first
    status (the application itself). The history row goes, the status before it returns; the
    audit trail keeps both steps."""
    writes.allowed(access.can_record_applications(actor, activity.trajectory))
    activity = writes.fresh(activity, actor, lock=True)
    changes = list(activity.status_changes.order_by("-date", "-created_at", "-pk")[:2])
    latest = changes[0] if changes else None
    too_late = timezone.now() - timedelta(minutes=STATUS_UNDO_MINUTES)
    if (
        len(changes) < 2
        or latest.pk != change_id
        or latest.changed_by_id != actor.pk
        or latest.created_at < too_late
    ):
        writes.refuse("status", _("This status change can no longer be undone."))
    latest.delete()
    activity.status = changes[1].status
    activity.save(update_fields=["status", "updated_at"])
    writes.record(
        AuditAction.UPDATE, activity, actor=actor,
        details={"status_undone": latest.status, "status": activity.status},
    )  # fmt: skip
    return activity


@transaction.atomic
def evidence_add(*, actor: User, activity: ApplicationActivity, upload) -> Evidence:
    """A letter, confirmation email or screenshot as proof of an application."""
    writes.allowed(access.can_record_applications(actor, activity.trajectory))
    return _evidence_create(activity=activity, upload=upload, actor=actor)


def _evidence_create(*, activity: ApplicationActivity, upload, actor: User) -> Evidence:
    if not isinstance(upload, UploadedFile):
        writes.refuse("file", _("Choose a file."))
    if not hasattr(upload, "detected_content_type"):
        try:
            uploads.checked(upload)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
    evidence = Evidence.objects.create(
        trajectory=activity.trajectory,
        activity=activity,
        file=upload,
        original_name=uploads.display_name_of(upload),
        content_type=upload.detected_content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    writes.record(AuditAction.CREATE, evidence, actor=actor)
    return evidence


@transaction.atomic
def temp_agency_register(
    *, actor: User, trajectory: Trajectory, agency_name: str, date: date | None = None
) -> TempAgencyRegistration:
    """A registration with an employment or secondment agency (today, unless said)."""
    writes.allowed(access.can_record_applications(actor, trajectory))
    day = date or timezone.localdate()
    try:
        date_not_in_future(day)
    except ValidationError as exc:
        raise ValidationError({"date": exc.messages}) from exc
    registration = TempAgencyRegistration(trajectory=trajectory, agency_id=trajectory.agency_id)
    writes.apply(
        registration, {"agency_name": agency_name.strip(), "date": day}, exclude=["agency"]
    )
    return writes.saved(registration, actor=actor, changed=None, creating=True)


@transaction.atomic
def norm_set(
    *,
    actor: User,
    trajectory: Trajectory,
    count: int,
    weeks: int,
    reason: str,
    medical_confirmed: bool = False,
) -> ApplicationNorm:
    """The trajectory's own norm (N counting activities per P weeks), with a reason; the
    employer reads the reason, so medical words in it are named first (``portal.medical``)."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    words = medical.medical_words(reason)
    medical.check(words, confirmed=medical_confirmed)
    norm = ApplicationNorm.objects.filter(trajectory=trajectory).first() or ApplicationNorm(
        trajectory=trajectory, agency_id=trajectory.agency_id
    )
    norm.set_by = actor
    writes.apply(norm, {"count": count, "weeks": weeks, "reason": reason}, exclude=["agency"])
    norm.save()
    details = {"count": count, "weeks": weeks}
    if words:
        details["medical_words_confirmed"] = words
    writes.record(AuditAction.UPDATE, norm, actor=actor, details=details)
    return norm


def application_from_vacancy(
    *, actor: User, trajectory: Trajectory, vacancy: Vacancy
) -> ApplicationActivity:
    """One click from a suggestion to a recorded application (sent today)."""
    if not access.is_visible(actor, vacancy):
        writes.refuse(None, _("This vacancy does not exist."))
    return activity_create(
        actor=actor,
        trajectory=trajectory,
        vacancy=vacancy,
        confirm_duplicate=True,
        date=timezone.localdate(),
        kind=ActivityKind.WRITTEN_APPLICATION,
        channel=Channel.JOB_HUNTER,
        organisation=vacancy.organisation,
        vacancy_title=vacancy.title,
        vacancy_url=vacancy.url,
        place=vacancy.place,
        hours_per_week=vacancy.hours_per_week,
        status=ApplicationStatus.SENT,
    )


# --- Jobport ----------------------------------------------------------------------------------


@transaction.atomic
def vacancy_save(*, actor: User, vacancy: Vacancy | None = None, **fields) -> Vacancy:
    """A vacancy on the agency's board, new or changed."""
    writes.allowed(access.can_manage_vacancies(actor))
    creating = vacancy is None
    if creating:
        vacancy = Vacancy(agency_id=actor.agency_id, created_by=actor)
    else:
        vacancy = writes.fresh(vacancy, actor, lock=True)
    changed = writes.apply(vacancy, fields)
    return writes.saved(vacancy, actor=actor, changed=changed, creating=creating)


@transaction.atomic
def vacancies_import(*, actor: User, rows: list[VacancyRow]) -> int:
    """All rows or none: the caller only imports a file without rejected rows."""
    writes.allowed(access.can_manage_vacancies(actor))
    Vacancy.objects.bulk_create(
        [Vacancy(agency_id=actor.agency_id, created_by=actor, **row.fields()) for row in rows],
        batch_size=1000,
    )
    tenancy.analyze_after_bulk(Vacancy, rows=len(rows))
    audit.record(
        AuditAction.CREATE, object_type="vacancy", actor=actor, details={"imported": len(rows)}
    )
    return len(rows)
