"""Writing the transfer format (``overdracht.format``): one trajectory or all of an employer's,
as an agency admin sees them, in a ZIP that ``overdracht.services`` imports into another agency
(or the same one) as it was.

Every field the format names is written, nothing else: no ids, no UUIDs, no login data. The
reports are the published versions (final and superseded) with their PDF byte for byte and its
SHA-256; the RIV check's reasons are those signed off and not withdrawn; a draft stays behind
(the receiving agency writes its own). Medical notes, documents, messages, tasks and time
entries are not part of the format (docs/transfer.md says why).
"""

import datetime
import hashlib
import io
import json
import logging
import zipfile
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from portal.models import User
from rapportages.constants import PUBLISHED
from rapportages.models import Report, RivException
from sollicitaties.models import ApplicationActivity
from trajecten.models import Employment, SearchProfile, Trajectory

from . import format as fmt

logger = logging.getLogger(__name__)


def _value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj, fields) -> dict:
    return {name: _value(getattr(obj, name)) for name in fields}


def _email(user) -> str:
    return user.email if user else ""


def trajectories_for(queryset):
    """``queryset`` (already scoped) with everything the format reads, in a fixed number of
    queries however many trajectories it holds."""
    return queryset.select_related(
        "employee", "legal_entity__employer", "product", "phase", "sickness_case",
        "person_profile", "work_capacity", "application_norm", "placement",
    ).prefetch_related(
        "sickness_case__extensions",
        "memberships__user",
        "phasechanges__phase",
        "renewals",
        "conversationreports__author",
        "appointments",
        "assignments",
        "trainings",
        "tempagencyregistrations",
        Prefetch("rivexceptions", RivException.objects.filter(withdrawn_at__isnull=True)
                 .select_related("signed_by").order_by("signed_at", "pk")),
        Prefetch("searchprofiles", SearchProfile.objects.select_related("author")
                 .prefetch_related("functions").order_by("version")),
        Prefetch("applicationactivitys", ApplicationActivity.objects
                 .prefetch_related("status_changes").order_by("date", "created_at")),
        Prefetch("reports", Report.objects.filter(status__in=PUBLISHED)
                 .select_related("signed_by").order_by("kind", "number", "version")),
    ).order_by("created_at", "pk")  # fmt: skip


def document(trajectory: Trajectory, employment: Employment | None) -> tuple[dict, list]:
    """The trajectory's JSON and the reports' PDFs it refers to: ``(data, [(report, pdf
    path)])``."""
    t, employee, case = trajectory, trajectory.employee, trajectory.sickness_case
    bv = t.legal_entity
    data = {
        "format": fmt.VERSION,
        "key": t.external_ref or f"spoorboek:{t.uuid}",
        "employer": {"name": bv.employer.name, "self_insurer": bv.employer.is_self_insurer},
        "bv": {"name": bv.name, "kvk_number": bv.kvk_number},
        "employee": {
            **_row(employee, fmt.EMPLOYEE_FIELDS),
            "personnel_number": employee.external_id or f"spoorboek:{employee.uuid}",
            "job_title": employment.job_title if employment else "",
            "hours_per_week": _value(employment.hours_per_week) if employment else None,
        },
        "sickness_case": {
            **_row(case, fmt.CASE_FIELDS),
            "extensions": [
                _row(e, fmt.LISTS[0][2])
                for e in sorted(case.extensions.all(), key=lambda e: (e.decided_on, e.pk))
            ],
        },
        **_row(t, fmt.TRAJECTORY_FIELDS),
        "product": t.product.kind,
        "phase": t.phase.name if t.phase else "",
        "members": [
            {"email": m.user.email, "role": m.role}
            for m in sorted(t.memberships.all(), key=lambda m: (m.role != "primary", m.pk))
        ],
    }
    for key, _model, fields, user_field in fmt.LISTS[1:]:
        rows = getattr(t, _RELATED[key]).all()
        data[key] = [
            {
                **_row(r, fields),
                **({user_field: _email(getattr(r, user_field))} if user_field else {}),
                **({"phase": r.phase.name} if key == "phase_changes" else {}),
            }
            for r in sorted(rows, key=_ORDER[key])
        ]
    for key, _model, fields in fmt.SINGLES:
        record = getattr(t, key, None)
        data[key] = _row(record, fields) if record else None
    data["search_profiles"] = [
        {
            **_row(p, fmt.SEARCH_PROFILE_FIELDS),
            "author": _email(p.author),
            "functions": [_row(f, fmt.SEARCH_FUNCTION_FIELDS) for f in p.functions.all()],
        }
        for p in t.searchprofiles.all()
    ]
    data["applications"] = [
        {
            **_row(a, fmt.APPLICATION_FIELDS),
            "status_changes": [_row(c, fmt.STATUS_CHANGE_FIELDS) for c in a.status_changes.all()],
        }
        for a in t.applicationactivitys.all()
    ]
    reports, files = [], []
    for report in t.reports.all():
        if not (report.pdf and report.pdf_sha256 and report.signed_at):
            continue
        path = f"{report.kind}-{report.number}-v{report.version}.pdf"
        reports.append(
            {
                **_row(report, fmt.REPORT_FIELDS),
                "signed_on": timezone.localdate(report.signed_at).isoformat(),
                "signed_by": report.signed_elsewhere_by or _name(report.signed_by),
                "pdf": path,
                "sha256": report.pdf_sha256,
            }
        )
        files.append((report, path))
    data["reports"] = reports
    data["riv_exceptions"] = [
        {**_row(e, fmt.RIV_EXCEPTION_FIELDS), "signed_by": _email(e.signed_by)}
        for e in t.rivexceptions.all()
    ]
    return data, files


def _name(user: User | None) -> str:
    return str(user) if user else ""


#: The related name of each list section on the trajectory, and the order rows are written in.
_RELATED = {
    "phase_changes": "phasechanges",
    "renewals": "renewals",
    "conversations": "conversationreports",
    "appointments": "appointments",
    "assignments": "assignments",
    "trainings": "trainings",
    "temp_agency_registrations": "tempagencyregistrations",
}
_ORDER = {
    "phase_changes": lambda r: (r.started_on, r.created_at, r.pk),
    "renewals": lambda r: r.period_start,
    "conversations": lambda r: (r.date, r.created_at, r.pk),
    "appointments": lambda r: (r.starts_at, r.pk),
    "assignments": lambda r: (r.due_date, r.created_at, r.pk),
    "trainings": lambda r: (r.start_date or datetime.date.min, r.created_at, r.pk),
    "temp_agency_registrations": lambda r: (r.date, r.pk),
}


def write(trajectories, *, source: str, out) -> dict:
    """Write the archive of ``trajectories`` (from ``trajectories_for``) to the binary file
    ``out``; returns the manifest. A PDF storage has lost is left out and named in the
    manifest's ``missing`` (the import then refuses that trajectory, saying so)."""
    trajectories = list(trajectories)
    employments = {
        (e.employee_id, e.legal_entity_id): e
        for e in Employment.objects.filter(
            employee_id__in=[t.employee_id for t in trajectories]
        ).only("employee_id", "legal_entity_id", "job_title", "hours_per_week")
    }
    manifest = {
        "format": fmt.FORMAT,
        "version": fmt.VERSION,
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "source": source,
        "trajectories": [],
        "missing": [],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n, t in enumerate(trajectories, start=1):
            data, files = document(t, employments.get((t.employee_id, t.legal_entity_id)))
            folder = f"reports/{n:05d}"
            for report, path in files:
                member = f"{folder}/{path}"
                try:
                    with report.pdf.open("rb") as handle:
                        content = handle.read()
                except OSError:
                    logger.error(
                        "Stored file missing: %s (report %s)", report.pdf.name, report.uuid
                    )
                    manifest["missing"].append(member)
                    content = None
                if content is not None and hashlib.sha256(content).hexdigest() != report.pdf_sha256:
                    logger.error("Report PDF does not match its hash: report %s", report.uuid)
                    manifest["missing"].append(member)
                    content = None
                if content is not None:
                    archive.writestr(member, content, compress_type=zipfile.ZIP_STORED)
            for entry in data["reports"]:
                entry["pdf"] = f"{folder}/{entry['pdf']}"
            name = f"trajectories/{n:05d}.json"
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False))
            manifest["trajectories"].append(name)
        archive.writestr(fmt.MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def to_bytes(trajectories, *, source: str) -> bytes:
    buffer = io.BytesIO()
    write(trajectories, source=source, out=buffer)
    return buffer.getvalue()
