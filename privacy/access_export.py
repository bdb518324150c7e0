"""The right of access (AVG art. 15): everything Spoorboek holds about one employee as a ZIP.

Asked for by the employee, or by an agency admin on their behalf; built by a task; available
for ``EXPORT_DAYS`` days, then removed by the nightly retention run. The ZIP holds one JSON file
per kind of record of every trajectory of the employee (also the records the employee does not
see in the portal, such as the agency's internal notes: they are personal data too; medical
notes only in the archive the employee asks for themself, never in one an admin prepares), the
uploaded files and report PDFs, and the access log of their file. Requests and downloads are
recorded in the audit trail.
"""

import io
import json
import logging
import zipfile
from datetime import timedelta
from pathlib import PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from facturen.models import InvoiceLine
from kwaliteit.constants import SurveyParty
from kwaliteit.models import SurveyInvitation
from portal import access, writes
from portal.constants import AuditAction
from portal.models import AuditEvent, RecordChange, User
from rapportages.models import Report
from sollicitaties.models import (
    ApplicationActivity,
    ApplicationNorm,
    Evidence,
    StatusChange,
    TempAgencyRegistration,
)
from trajecten.models import (
    AccessExport,
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    Employee,
    Employment,
    Extension,
    MedicalNote,
    Message,
    PersonProfile,
    PhaseChange,
    Placement,
    Renewal,
    SearchFunction,
    SearchProfile,
    SicknessCase,
    Task,
    TimeEntry,
    Training,
    Trajectory,
    WorkCapacity,
)

EXPORT_DAYS = 7

#: (file name, model, lookup from the record to the employee)
logger = logging.getLogger(__name__)

RECORDS = [
    ("trajectories", Trajectory, "employee"),
    ("employments", Employment, "employee"),
    ("sickness_cases", SicknessCase, "employee"),
    ("phase_changes", PhaseChange, "trajectory__employee"),
    ("person_profiles", PersonProfile, "trajectory__employee"),
    ("work_capacity", WorkCapacity, "trajectory__employee"),
    ("medical_notes", MedicalNote, "trajectory__employee"),
    ("search_profiles", SearchProfile, "trajectory__employee"),
    ("search_functions", SearchFunction, "profile__trajectory__employee"),
    ("conversation_reports", ConversationReport, "trajectory__employee"),
    ("appointments", Appointment, "trajectory__employee"),
    ("assignments", Assignment, "trajectory__employee"),
    ("trainings", Training, "trajectory__employee"),
    ("documents", Document, "trajectory__employee"),
    ("placements", Placement, "trajectory__employee"),
    ("tasks", Task, "trajectory__employee"),
    ("time_entries", TimeEntry, "trajectory__employee"),
    ("renewals", Renewal, "trajectory__employee"),
    ("applications", ApplicationActivity, "trajectory__employee"),
    ("application_status_history", StatusChange, "activity__trajectory__employee"),
    ("application_evidence", Evidence, "trajectory__employee"),
    ("temp_agency_registrations", TempAgencyRegistration, "trajectory__employee"),
    ("application_norms", ApplicationNorm, "trajectory__employee"),
    ("reports", Report, "trajectory__employee"),
    ("messages", Message, "trajectory__employee"),
    ("invoice_lines", InvoiceLine, "trajectory__employee"),
]
FILES = [("documents", Document, "file"), ("certificates", Training, "certificate"),
         ("evidence", Evidence, "file"), ("reports", Report, "pdf")]  # fmt: skip

README = """Inzage: alles wat Spoorboek over u bewaart
=========================================

Dit archief is gemaakt op {made} en bevat:

* employee.json: uw gegevens als werknemer;
* records/*.json: alle onderdelen van uw re-integratiedossier, per soort (ook de interne
  aantekeningen van het re-integratiebureau);
* records/messages.json: de berichten tussen uw werkgever en het re-integratiebureau over
  uw traject. U ziet die berichten niet in het portaal, maar ze gaan over u en horen daarom
  bij uw inzage (artikel 15 AVG);
* records/invoice_lines.json: de regels van de facturen van het re-integratiebureau aan uw
  werkgever waarop u genoemd wordt (uw traject, de maand, het bedrag);
* files/: de geüploade bestanden en de PDF's van rapportages;
* history.json: de geschiedenis van uw dossier: elke wijziging, door wie, wanneer, via welke
  weg, met de waarde ervoor en erna;
* access_log.json: wie uw dossier heeft geopend, gedownload of gewijzigd, en wanneer.

Vragen over deze gegevens stelt u aan uw re-integratiebureau.
"""


@transaction.atomic
def export_request(*, employee: Employee, actor: User) -> AccessExport:
    """An archive of everything about the employee, built by a task after the commit."""
    writes.allowed(access.can_request_access_export(actor, employee))
    export = AccessExport.objects.create(
        agency_id=employee.agency_id,
        employee=employee,
        requested_by=actor,
        includes_medical=employee.user_id is not None and employee.user_id == actor.pk,
    )
    writes.record(AuditAction.CREATE, export, details={"access_export": True})
    from .tasks import build_access_export

    transaction.on_commit(
        lambda: build_access_export.delay(export.pk, agency_id=export.agency_id), robust=True
    )
    return export


def export_build(*, export_id: int) -> AccessExport | None:
    export = (
        AccessExport.objects.select_related("employee")
        .filter(pk=export_id, status=AccessExport.Status.QUEUED)
        .first()
    )
    if export is None:
        return None
    employee = export.employee
    buffer, missing = io.BytesIO(), []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "LEESMIJ.txt", README.format(made=f"{timezone.localtime():%d-%m-%Y %H:%M}")
        )
        archive.writestr("employee.json", serializers.serialize("json", [employee], indent=2))
        for name, model, lookup in RECORDS:
            if model is MedicalNote and not export.includes_medical:
                continue
            records = model.objects.filter(**{lookup: employee}).order_by("pk")
            archive.writestr(
                f"records/{name}.json", serializers.serialize("json", records, indent=2)
            )
        if export.includes_medical:  # asked by the employee: their own survey answers too,
            # which the agency only ever sees as aggregates (kwaliteit.outcomes), so an
            # archive an admin prepares leaves them out, as it leaves out medical notes
            answers = SurveyInvitation.objects.filter(
                trajectory__employee=employee, party=SurveyParty.EMPLOYEE
            ).order_by("pk")
            archive.writestr(
                "records/survey_answers.json", serializers.serialize("json", answers, indent=2)
            )
        for folder, model, field in FILES:
            for record in model.objects.filter(trajectory__employee=employee).exclude(
                **{field: ""}
            ):
                stored = getattr(record, field)
                try:
                    with stored.open("rb") as handle:
                        content = handle.read()
                except OSError:  # lost from storage: the archive says so, the operator's log too
                    logger.error("Stored file missing: %s (%s)", stored.name, record.uuid)
                    missing.append(f"{folder}/{record.uuid}")
                    continue
                archive.writestr(
                    f"files/{folder}/{record.uuid}-{PurePosixPath(stored.name).name}", content
                )
        if missing:
            archive.writestr(
                "files/ONTBREEKT.txt",
                "Deze bestanden konden niet worden gelezen; uw bureau is gewaarschuwd:\n"
                + "\n".join(missing),
            )
        log = [
            {
                "when": event.at.isoformat(),
                "who": event.actor_email,
                "role": event.actor_role,
                "what": event.action,
                "object": event.object_type,
                "from": event.ip_address,
            }
            for event in AuditEvent.objects.filter(subject_uuid=employee.uuid).order_by("at")
        ]
        archive.writestr("access_log.json", json.dumps(log, indent=2, ensure_ascii=False))
        archive.writestr(
            "history.json",
            json.dumps(
                _history(employee, includes_medical=export.includes_medical),
                indent=2,
                ensure_ascii=False,
            ),
        )
    export.file.save(f"inzage-{export.uuid}.zip", ContentFile(buffer.getvalue()), save=False)
    export.status = AccessExport.Status.READY
    export.expires_at = timezone.now() + timedelta(days=EXPORT_DAYS)
    export.save()
    return export


def _history(employee: Employee, *, includes_medical: bool) -> list[dict]:
    """The history of every record of the employee's trajectories and sickness cases
    (``portal.changelog``), as stored: every change with its old and new values. Medical notes
    only in the archive the employee asked for themself, as in ``records/``."""
    trajectories = list(Trajectory.objects.filter(employee=employee).values_list("pk", flat=True))
    cases = list(SicknessCase.objects.filter(employee=employee).values_list("pk", flat=True))
    case_types = ContentType.objects.get_for_models(SicknessCase, Extension)
    rows = RecordChange.objects.filter(
        Q(trajectory_id__in=trajectories)
        | Q(content_type=case_types[SicknessCase], object_id__in=cases)
        | Q(content_type=case_types[Extension], snapshot__case_id__in=cases)
    ).order_by("session_date", "id")
    if not includes_medical:
        rows = rows.exclude(content_type=ContentType.objects.get_for_model(MedicalNote))
    people = dict(
        User.objects.filter(pk__in={row.actor_id for row in rows if row.actor_id}).values_list(
            "pk", "email"
        )
    )
    return [
        {
            "when": row.session_date.isoformat() if row.session_date else None,
            "who": people.get(row.actor_id, ""),
            "via": row.via,
            "path": row.path,
            "record": ContentType.objects.get_for_id(row.content_type_id).model,
            "record_id": row.object_id,
            "what": {"I": "created", "U": "changed", "D": "removed"}[row.change_type],
            "changes": row.changes if row.change_type == "U" else None,
            "values": row.snapshot if row.change_type != "U" else None,
        }
        for row in rows
    ]


def exports_expire(*, now) -> int:
    """Remove the archives whose download period has passed; returns how many."""
    expired = list(AccessExport.objects.filter(expires_at__lt=now))
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
    return len(expired)
