"""Writes for the application log and Jobport. Every change is audited."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import access, audit, uploads
from portal.constants import AuditAction
from portal.models import User
from trajecten.models import Trajectory

from .constants import ActivityKind, ApplicationStatus, Channel, RecordedBy
from .csv_import import VacancyRow
from .models import ApplicationActivity, ApplicationNorm, Evidence, StatusChange, Vacancy
from .norm import Norm


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


@transaction.atomic
def activity_create(
    *, activity: ApplicationActivity, actor: User, evidence=None, details: dict | None = None
) -> ApplicationActivity:
    """Save a new (unsaved) activity with who recorded it and its first dated status: the
    one way an application is created, from a form, a suggested vacancy or the API."""
    activity.agency_id = activity.trajectory.agency_id
    activity.recorded_by = actor
    activity.recorded_by_role = (
        RecordedBy.EMPLOYEE if access.is_employee(actor) else RecordedBy.SPECIALIST
    )
    activity.save()
    StatusChange.objects.create(
        activity=activity, status=activity.status, date=activity.date, changed_by=actor
    )
    if evidence:
        evidence_add(activity=activity, upload=evidence, actor=actor)
    audit.record(AuditAction.CREATE, activity, details=details)
    return activity


def activity_record(*, form, trajectory: Trajectory, actor: User) -> ApplicationActivity:
    activity = form.save(commit=False)
    activity.trajectory = trajectory
    return activity_create(
        activity=activity, actor=actor, evidence=form.cleaned_data.get("evidence")
    )


def activity_update(*, form, actor: User):
    activity = form.save()
    audit.record(AuditAction.UPDATE, activity, details={"fields": form.changed_data})
    return activity


@transaction.atomic
def activity_status_set(*, activity: ApplicationActivity, status: str, on: date, actor: User):
    if status not in ApplicationStatus.values:
        raise ValueError(status)
    StatusChange.objects.create(activity=activity, status=status, date=on, changed_by=actor)
    activity.status = status
    activity.save(update_fields=["status", "updated_at"])
    audit.record(AuditAction.UPDATE, activity, details={"status": status})
    return activity


def evidence_add(*, activity: ApplicationActivity, upload, actor: User) -> Evidence:
    evidence = Evidence.objects.create(
        trajectory=activity.trajectory,
        activity=activity,
        file=upload,
        original_name=uploads.display_name_of(upload),
        content_type=upload.detected_content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    audit.record(AuditAction.CREATE, evidence)
    return evidence


def temp_agency_register(*, form, trajectory: Trajectory, actor: User):
    registration = form.save(commit=False)
    registration.trajectory = trajectory
    registration.agency_id = trajectory.agency_id
    registration.save()
    audit.record(AuditAction.CREATE, registration)
    return registration


def norm_set(*, form, trajectory: Trajectory, actor: User) -> ApplicationNorm:
    norm = form.save(commit=False)
    norm.trajectory = trajectory
    norm.agency_id = trajectory.agency_id
    norm.set_by = actor
    norm.save()
    audit.record(AuditAction.UPDATE, norm, details={"count": norm.count, "weeks": norm.weeks})
    return norm


def application_from_vacancy(*, vacancy: Vacancy, trajectory: Trajectory, actor: User):
    """One click from a suggestion to a recorded application (sent today)."""
    activity = ApplicationActivity(
        trajectory=trajectory,
        date=timezone.localdate(),
        kind=ActivityKind.WRITTEN_APPLICATION,
        channel=Channel.JOB_HUNTER,
        organisation=vacancy.organisation,
        vacancy_title=vacancy.title,
        vacancy_url=vacancy.url,
        place=vacancy.place,
        hours_per_week=vacancy.hours_per_week,
        status=ApplicationStatus.SENT,
        vacancy=vacancy,
    )
    return activity_create(
        activity=activity, actor=actor, details={"from_vacancy": str(vacancy.uuid)}
    )


# --- Jobport ----------------------------------------------------------------------------------


def vacancy_save(*, form, actor: User) -> Vacancy:
    vacancy = form.save(commit=False)
    vacancy.agency_id = actor.agency_id
    if vacancy.pk is None:
        vacancy.created_by = actor
    vacancy.save()
    return vacancy


@transaction.atomic
def vacancies_import(*, rows: list[VacancyRow], actor: User) -> int:
    """All rows or none: the caller only imports a file without rejected rows."""
    Vacancy.objects.bulk_create(
        [Vacancy(agency_id=actor.agency_id, created_by=actor, **row.fields()) for row in rows],
        batch_size=1000,
    )
    audit.record(
        AuditAction.CREATE, object_type="vacancy", actor=actor, details={"imported": len(rows)}
    )
    return len(rows)
