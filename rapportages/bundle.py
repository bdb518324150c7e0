"""The UWV file: the 2e spoor part of the re-integratieverslag (RIV), as the employer uploads
it to UWV.

One PDF, in this order: a cover with the identification and the WvP dates; the list of every
report the schedule asked for by today with its status (final, signed late, missing), so a gap
is stated and never hidden; a RIV checklist of what this file holds and what the employer adds;
then each final report exactly as signed (its stored PDF's pages, so the SHA-256 in the list is
the hash of that file); then the application log, the conversations shared with the employer,
the placement and the employee's later views. And a ZIP with the same documents one PDF each,
as UWV's upload asks (one file per document type)."""

import io
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.translation import override
from pypdf import PdfReader, PdfWriter

from sollicitaties.models import ApplicationActivity
from trajecten.constants import Visibility
from trajecten.models import ConversationReport, Placement

from . import content, riv_facts, riv_panel
from .constants import DRAFT_LEAD_DAYS, PUBLISHED, ReportKind, ReportStatus
from .models import Report
from .pdf import logo_data_uri, render_to_pdf
from .schedule import trajectory_reports_due

KIND_NAMES = {
    ReportKind.TRAJECTORY_PLAN: "Re-integratieplan (trajectplan)",
    ReportKind.PROGRESS: "Voortgangsrapportage",
    ReportKind.FINAL: "Eindrapportage en evaluatie",
    ReportKind.FEASIBILITY_ADVICE: "Advies haalbaarheid",
}


#: Rows of the list of reports that fit on a page of the front (for the first guess).
ROWS_PER_PAGE = 8


@dataclass
class Document:
    """One document of the file: its name in the ZIP and its PDF."""

    name: str
    data: bytes

    @cached_property
    def pages(self) -> int:
        return len(PdfReader(io.BytesIO(self.data)).pages)


#: The largest file UWV's upload of the re-integratieverslag takes.
UWV_MAX_BYTES = 10 * 1024 * 1024


def _label(kind: str, number: int) -> str:
    name = KIND_NAMES.get(kind, kind)
    return f"{name} {number * 3} maanden" if kind == ReportKind.PROGRESS else name


def schedule_rows(t, today) -> list[dict]:
    """Every report the schedule asked for by ``today``, and every report signed final before
    its due date (a final report is a final report, also when it was early), with the version
    that counts (the newest final one) and its status in words: a missing or late report is
    said, not left out."""

    due = trajectory_reports_due(t, today=today, lead_days=DRAFT_LEAD_DAYS)
    reports = {}
    for r in Report.objects.filter(trajectory=t).order_by("version"):
        reports.setdefault((r.kind, r.number), []).append(r)
    rows = []
    for d in due:
        versions = reports.get((d.kind, d.number), [])
        final = [r for r in versions if r.status == ReportStatus.FINAL]
        if d.due_date > today and not final:
            continue  # not due yet, and not signed early
        report = final[-1] if final else None
        row = {"kind": d.kind, "label": _label(d.kind, d.number),
               "due": content.day_label(d.due_date),
               "period": f"{content.short_day(d.period_start)} – {content.short_day(d.period_end)}",
               "report": report, "corrected": bool(report and report.version > 1)}  # fmt: skip
        if report is None:
            pending = any(r.status != ReportStatus.SUPERSEDED for r in versions)
            row["status"] = "ontbreekt" + (" (nog niet ondertekend)" if pending else "")
            row["missing"] = True
        else:
            signed_on = timezone.localdate(report.signed_at)
            late = (signed_on - d.due_date).days
            row["signed"] = content.day_label(signed_on)
            row["status"] = "definitief" if late <= 0 else f"te laat ondertekend ({late} dagen)"
            if report.signed_elsewhere_by:  # brought along from the system the file came from
                row["status"] += (
                    f", ondertekend in een eerder systeem ({report.signed_elsewhere_by})"
                )
            row["late"] = late > 0
        rows.append(row)
    return rows


def _checklist(t, rows) -> list[dict]:
    """The parts of the re-integratieverslag: which this file holds, which the employer adds
    (with the date the file knows, so the employer can check it)."""
    case = t.sickness_case
    plan = next((r for r in rows if r["kind"] == ReportKind.TRAJECTORY_PLAN), None)
    progress = [r for r in rows if r["kind"] == ReportKind.PROGRESS]
    final = next((r for r in rows if r["kind"] == ReportKind.FINAL), None)

    def employer(label, day, note=""):
        when = content.day_label(day) if day else "datum niet bekend bij het bureau"
        return {"part": label, "who": "werkgever", "state": f"toe te voegen ({when})",
                "note": note}  # fmt: skip

    def here(label, present, note=""):
        return {"part": label, "who": "dit dossier",
                "state": "zit in dit dossier" if present else "ontbreekt", "note": note,
                "missing": not present}  # fmt: skip

    def employer_adds_bsn():
        return {
            "part": "BSN op elk stuk",
            "who": "werkgever",
            "state": "het bureau legt geen BSN vast: de werkgever vult het aan op elk stuk",
            "note": "UWV vraagt het BSN op elk document van het re-integratieverslag",
        }

    def not_yet(label, why):
        return {"part": label, "who": "dit dossier", "state": f"nog niet aan de orde: {why}",
                "note": ""}  # fmt: skip

    return [
        employer("Probleemanalyse (bedrijfsarts)", case.probleemanalyse_date),
        employer("Plan van aanpak en de bijstellingen", case.plan_van_aanpak_date),
        employer("Eerstejaarsevaluatie", case.first_year_evaluation_date),
        employer(
            "Actueel oordeel van de bedrijfsarts",
            case.current_assessment_date,
            case.current_assessment_by,
        ),
        employer("Eindevaluatie", case.final_evaluation_date),
        here("Re-integratieplan 2e spoor, getekend", bool(plan and plan.get("report"))),
        here(
            "Voortgangsrapportages 2e spoor",
            all(r.get("report") for r in progress),
            f"{sum(1 for r in progress if r.get('report'))} van {len(progress)} definitief",
        )
        if progress
        else not_yet("Voortgangsrapportages 2e spoor", "het schema vroeg er nog geen"),
        here("Eindrapportage 2e spoor", bool(final and final.get("report")))
        if final
        else not_yet("Eindrapportage 2e spoor", "het traject loopt"),
        here("Overzicht sollicitatieactiviteiten", True),
        here("Gespreksverslagen gedeeld met de werkgever", True),
        here("BSN op elk stuk", True)
        if t.agency.record_bsn and t.employee.bsn
        else employer_adds_bsn(),
    ]


def build(job) -> tuple[bytes, bytes]:
    """The file as one PDF and as a ZIP of one PDF per document."""
    t = job.trajectory
    today = timezone.localdate()
    with override("nl"):
        rows = schedule_rows(t, today)
        reports = [r["report"] for r in rows if r.get("report")]
        documents = []
        for report in reports:
            with report.pdf.open("rb") as f:
                data = f.read()
            slug = re.sub(r"[^a-z0-9]+", "-", _label(report.kind, report.number).lower())
            documents.append(Document(f"{slug.strip('-')}-v{report.version}.pdf", data))
        appendix = Document(
            "bijlagen-sollicitaties-gesprekken-plaatsing.pdf",
            render_to_pdf("rapportages/pdf/bundle_appendix.html", _appendix_context(t))[1],
        )
        checklist = _checklist(t, rows)
        too_large = [d.name for d in (*documents, appendix) if len(d.data) > UWV_MAX_BYTES]
        if too_large:
            checklist.append({
                "part": "Grootte per stuk", "who": "dit dossier", "missing": True,
                "state": "groter dan 10 MB, de grens van UWV's upload: " + ", ".join(too_large),
                "note": "verklein het stuk voordat je het uploadt",
            })  # fmt: skip
        context = {
            "riv": _riv(job, today),
            "trajectory": t,
            "logo": logo_data_uri(t.agency),
            "generated": content.day_label(today),
            "cover": _cover(t, today),
            "rows": rows,
            "checklist": checklist,
            "appendix_name": appendix.name,
        }
        front = _front(context, documents, appendix)
    merged = PdfWriter()
    for document in (front, *documents, appendix):
        merged.append(io.BytesIO(document.data))
    out = io.BytesIO()
    merged.write(out)
    archive = io.BytesIO()
    # PDFs are compressed already: stored, not deflated again.
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        for n, document in enumerate((front, *documents, appendix)):
            z.writestr(f"{n:02d}-{document.name}", document.data)
    return out.getvalue(), archive.getvalue()


def _riv(job, today):
    """The RIV check as of today, in Dutch, as the employer may read it ("wat UWV zal vragen"):
    no agency-only evidence and no links (the file leaves the portal). ``None`` when whoever
    asked for the file can no longer see the trajectory."""
    result = riv_facts.result(user=job.requested_by, trajectory=job.trajectory, on=today)
    if result is None:
        return None
    found = riv_panel.for_result(
        result, user=job.requested_by, trajectory=job.trajectory, agency=False
    )
    return {"panel": found, "summary": riv_panel.summary(result),
            "repair_by": content.day_label(result.repair_by)}  # fmt: skip


def _front(context: dict, documents: list[Document], appendix: Document) -> Document:
    """The cover, the list and the checklist, with the page where each document starts in the
    merged file. The numbers depend on the front's own length: rendered with a guess (the
    cover, the list, the checklist), and again only if the guess was wrong."""
    pages = 2 + max(1, -(-len(documents) // ROWS_PER_PAGE))
    for _attempt in range(3):
        start = pages + 1
        for row, document in zip(
            [r for r in context["rows"] if r.get("report")], documents, strict=True
        ):
            row["page"], row["file"] = start, document.name
            row["sha256"] = row["report"].pdf_sha256
            start += document.pages
        context["appendix_page"] = start
        context["total_pages"] = start - 1 + appendix.pages
        front = Document("voorblad-overzicht-en-checklist.pdf",
                         render_to_pdf("rapportages/pdf/bundle.html", context)[1])  # fmt: skip
        if front.pages == pages:
            return front
        pages = front.pages
    return front


def _cover(t, today) -> dict:
    employee, bv = t.employee, t.legal_entity
    return {
        "employee": employee.full_name,
        "date_of_birth": content.day_label(employee.date_of_birth),
        "bsn": employee.bsn if t.agency.record_bsn else "",
        "personnel_number": employee.external_id,
        "employer": bv.employer.name,
        "legal_entity": bv.name,
        "kvk": bv.kvk_number,
        "agency": t.agency.name,
        "referral": content.referral(t, today),
    }


def _appendix_context(t) -> dict:
    """The appendix as of the file's date: nothing dated after it (the same cut-off rule as a
    report's), a result only where an application has one (as in the reports)."""
    today = timezone.localdate()
    conversations = ConversationReport.objects.filter(
        trajectory=t, visibility=Visibility.EMPLOYER, contains_medical=False, date__lte=today
    ).order_by("date")
    activities = ApplicationActivity.objects.filter(trajectory=t, date__lte=today).order_by("date")
    return {
        "trajectory": t,
        "cover": _cover(t, today),
        "generated": content.day_label(today),
        "conversations": [
            {
                "date": content.short_day(c.date),
                "kind": c.get_kind_display(),
                "summary": c.summary,
                "agreements": c.agreements,
            }
            for c in conversations
        ],
        "applications": [
            {
                "date": content.short_day(a.date),
                "kind": a.get_kind_display(),
                "organisation": a.organisation,
                "vacancy": a.vacancy_title,
                "status": a.get_status_display() if a.has_status_flow else "",
                "counts": a.counts,
                "repeat": a.repeat_of is not None,
            }
            for a in activities
        ],
        "placement": Placement.objects.filter(trajectory=t).first(),
        "later_views": [
            {
                "report": r.snapshot.get("identification", {}).get("title", str(r)),
                "text": r.employee_view,
                "date": content.day_label(timezone.localdate(r.employee_view_at))
                if r.employee_view_at
                else "",
            }
            for r in Report.objects.filter(trajectory=t, status__in=PUBLISHED)
            .exclude(employee_view="")
            .order_by("period_end")
        ],
    }
