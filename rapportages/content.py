"""What a report says, gathered from the file (domain.md section 5).

The result is plain JSON: it is what a draft shows, and at signing it is frozen as the
report's snapshot, from which the PDF is rendered. It reads the file as an employer may see
it, because the report goes to the employer and UWV: the content of a conversation only when
it was shared with the employer (and never a medical one), work capacity in functional terms,
no medical notes.

**Figures are computed over the whole file and then shown for the report's period**, as of
the report's date (the day it is signed; today for a draft), so that two reports covering the
same period never disagree: the search profile *in force* at the period's end (by the date each
version was agreed) with the changes within the period; the norm periods that overlap the
report's period, each counted over all of the trajectory's activities; a period "loopt" only
while it has not ended on the report's date, and the last one of a closed trajectory is a
partial period, not a running one.
"""

import hashlib
import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.formats import date_format, number_format
from django.utils.translation import override

from portal.models import Agency
from sollicitaties.constants import COUNTING_KINDS, STATUS_KINDS, ActivityKind, ApplicationStatus
from sollicitaties.models import ApplicationActivity, TempAgencyRegistration
from sollicitaties.norm import overlapping, periods
from sollicitaties.services import norm_for
from trajecten import wvp
from trajecten.constants import MemberRole, Visibility
from trajecten.models import (
    ConversationReport,
    Employment,
    PersonProfile,
    PhaseChange,
    Placement,
    Renewal,
    SearchProfile,
    Training,
    WorkCapacity,
)

from .constants import ReportKind
from .schedule import FINAL_REPORT_DAYS, INTERVAL_MONTHS, progress_report_due_dates

#: The shape of a snapshot. Signed reports keep the shape they were signed in (a final report
#: never changes), so the templates read both: 1 (no "schema" key) and this one.
SCHEMA = 2

#: How the signer is named under the report.
SPECIALIST_ROLE = "Re-integratiedeskundige"


def digest(data: dict) -> str:
    """The SHA-256 of a text as respondents read it: canonical JSON (sorted keys, UTF-8), so
    the same content always gives the same hash."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def day_label(day: date | None) -> str:
    """A date as reports print it, in Dutch: 4 mei 2026."""
    return date_format(day, "j F Y") if day else ""


def short_day(day: date | None) -> str:
    """A date in a table column: 04-05-2026."""
    return day.strftime("%d-%m-%Y") if day else ""


def number(value) -> str:
    """A number as Dutch readers write it: 30, 30,5, 1.775 (never 30.0)."""
    if value is None or value == "":
        return ""
    value = Decimal(value).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return number_format(value, force_grouping=True)


def hours_label(value) -> str:
    return f"{number(value)} uur" if value not in (None, "") else ""


def build(report, *, today: date) -> dict:
    """The report's blocks, in Dutch (reports for UWV are Dutch), as of ``today``."""
    with override("nl"):
        return _build(report, today)


def _build(report, today: date) -> dict:
    t = report.trajectory
    start, end = report.period_start, report.period_end
    final = report.kind in (ReportKind.FINAL, ReportKind.FEASIBILITY_ADVICE)
    return {
        "schema": SCHEMA,
        "identification": _identification(report, t, today),
        "referral": referral(t, end),
        "work_capacity": _work_capacity(t),
        "person_profile": _person_profile(t),
        "search_profile": _search_profile(t, start, end),
        "phase_route": [
            {"date": day_label(c.started_on), "phase": c.phase.name}
            for c in PhaseChange.objects.filter(trajectory=t, started_on__lte=end)
            .select_related("phase")
            .order_by("started_on", "id")
        ],
        "contacts": _contacts(t, start, end),
        "trainings": _trainings(t, end),
        "applications": _applications(t, start, end),
        "norm": _norm(t, start, end, today),
        "temp_agencies": [
            {"name": r.agency_name, "date": short_day(r.date)}
            for r in TempAgencyRegistration.objects.filter(trajectory=t, date__lte=end).order_by(
                "date"
            )
        ],
        "placement": _placement(t),
        "schedule": _schedule(t) if report.kind == ReportKind.TRAJECTORY_PLAN else None,
        "closing": _closing(t) if final and t.is_ended else None,
        "final_evaluation": _final_evaluation(t) if final else None,
    }


def _identification(report, t, today: date) -> dict:
    primary = t.memberships.filter(role=MemberRole.PRIMARY).select_related("user").first()
    employee = t.employee
    employment = Employment.objects.filter(employee=employee, legal_entity=t.legal_entity).first()
    agency: Agency = t.agency
    return {
        "kind": str(report.get_kind_display()),
        "title": str(report),
        "period": f"{day_label(report.period_start)} – {day_label(report.period_end)}",
        "date": day_label(today),
        "employee": employee.full_name,
        "date_of_birth": day_label(employee.date_of_birth),
        "personnel_number": employee.external_id,
        # Printed only when the agency records it; a report is a document for UWV.
        "bsn": employee.bsn if agency.record_bsn else "",
        "job": employment.job_title if employment else "",
        "employer": t.legal_entity.employer.name,
        "legal_entity": t.legal_entity.name,
        "kvk": t.legal_entity.kvk_number,
        "agency": agency.name,
        "specialist": primary.user.get_full_name() if primary else "",
        "specialist_role": SPECIALIST_ROLE,
    }


def referral(t, end: date) -> dict:
    """The referral in WvP terms as of ``end`` (a report's block; the UWV file's cover)."""
    case = t.sickness_case
    extension_weeks = case.extension_weeks()
    latest_start = wvp.latest_second_track_start(
        case.first_sick_day, case.first_year_evaluation_date
    )
    renewals = list(
        Renewal.objects.filter(trajectory=t, period_start__lte=end).order_by("period_start")
    )
    intake_deadline = t.intake_deadline()
    return {
        "first_sick_day": day_label(case.first_sick_day),
        "referral_date": day_label(t.referral_date),
        "intake_date": day_label(t.intake_date),
        "intake_deadline": day_label(intake_deadline),
        "intake_promise": t.intake_promise(end) if t.intake_date or end > intake_deadline else "",
        "advice_party": str(t.get_referral_basis_display()) if t.referral_basis else "",
        "advice_date": day_label(t.referral_advice_date),
        "first_year_evaluation": day_label(case.first_year_evaluation_date),
        "start": day_label(t.start_date),
        "start_week": wvp.wvp_week(case.first_sick_day, t.start_date) if t.start_date else None,
        "latest_start": day_label(latest_start),
        "latest_start_week": wvp.wvp_week(case.first_sick_day, latest_start),
        "timely": bool(t.start_date and t.start_date <= latest_start),
        "week_104": day_label(wvp.waiting_time_end(case.first_sick_day, extension_weeks)),
        "extension_weeks": extension_weeks,
        "product": str(t.product),
        "renewals": {
            "count": len(renewals),
            "first": day_label(renewals[0].period_start) if renewals else "",
            # Each renewal buys one month: the agreed trajectory runs until the day before
            # the last renewal's month is over.
            "until": day_label(renewals[-1].period_start + relativedelta(months=1, days=-1))
            if renewals
            else "",
        },
    }


def _work_capacity(t) -> dict:
    capacity = WorkCapacity.objects.filter(trajectory=t).first()
    if capacity is None:
        return {}
    per_day = hours_label(capacity.hours_per_day)
    per_week = hours_label(capacity.hours_per_week)
    return {
        "fml": capacity.fml_reference,
        "advice": ", ".join(
            x for x in (capacity.advice_author, day_label(capacity.advice_date)) if x
        ),
        "possibilities": capacity.possibilities,
        "limitations": capacity.limitations,
        "hours": " · ".join(
            x for x in (per_day and f"{per_day} per dag", per_week and f"{per_week} per week") if x
        ),
    }


def _person_profile(t) -> dict:
    profile = PersonProfile.objects.filter(trajectory=t).first()
    if profile is None:
        return {}
    fields = ("education", "work_history", "competences", "motivators", "test_results", "wishes")
    return {name: getattr(profile, name) for name in fields}


def _profile_dict(p: SearchProfile) -> dict:
    return {
        "version": p.version,
        "valid_from": day_label(p.valid_from),
        "sectors": p.sectors,
        "kinds_of_work": p.kinds_of_work,
        "region": p.region,
        "travel": f"{p.travel_minutes} minuten" if p.travel_minutes else "",
        "hours": hours_label(p.hours_per_week),
        "wage": p.wage_indication,
        "agreed": p.agreed_with_employee,
        "change_note": p.change_note,
        "functions": [{"title": f.title, "reason": f.reason} for f in p.functions.all()],
    }


def _search_profile(t, start: date, end: date) -> dict:
    """The version in force at the period's end, and the versions agreed within the period
    (the route to it)."""
    versions = list(
        SearchProfile.objects.filter(trajectory=t, valid_from__lte=end)
        .prefetch_related("functions")
        .order_by("valid_from", "version")
    )
    in_force = versions[-1] if versions else None
    return {
        "in_force": _profile_dict(in_force) if in_force else None,
        "changes": [_change(p) for p in versions if start <= p.valid_from <= end],
    }


def _change(p: SearchProfile) -> dict:
    note = p.change_note or ("Eerste versie" if p.version == 1 else "")
    return {"version": p.version, "valid_from": day_label(p.valid_from), "note": note}


def _contacts(t, start: date, end: date) -> list[dict]:
    """Every conversation with the employee in the period, by date and kind; its content only
    when it was shared with the employer and holds no medical information."""
    contacts = []
    for c in ConversationReport.objects.filter(
        trajectory=t, date__gte=start, date__lte=end
    ).order_by("date", "id"):
        shared = c.visibility == Visibility.EMPLOYER and not c.contains_medical
        contacts.append(
            {
                "date": short_day(c.date),
                "kind": str(c.get_kind_display()),
                "minutes": c.duration_minutes,
                "shared": shared,
                "summary": c.summary if shared else "",
                "agreements": c.agreements if shared else "",
            }
        )
    return contacts


def _trainings(t, end: date) -> list[dict]:
    return [
        {
            "name": tr.name,
            "provider": tr.provider,
            "online": tr.online,
            "status": str(tr.get_status_display()),
            "dates": " – ".join(x for x in (short_day(tr.start_date), short_day(tr.end_date)) if x),
            "result": tr.result,
        }
        for tr in Training.objects.filter(trajectory=t).order_by("start_date", "id")
        if tr.start_date is None or tr.start_date <= end
    ]


def _applications(t, start: date, end: date) -> dict:
    activities = list(
        ApplicationActivity.objects.filter(trajectory=t, date__gte=start, date__lte=end).order_by(
            "date", "id"
        )
    )
    counting = [a for a in activities if a.kind in COUNTING_KINDS]
    kinds = Counter(a.kind for a in activities)
    # A status (sent, invited, rejected) means something only for an application to an
    # employer; a registration or reading vacancies has none.
    statuses = Counter(a.status for a in activities if a.kind in STATUS_KINDS)
    return {
        "total": len(activities),
        "counting": len(counting),
        "by_kind": [
            {"kind": str(ActivityKind(k).label), "counts": k in COUNTING_KINDS, "count": n}
            for k, n in sorted(kinds.items(), key=lambda kv: (kv[0] not in COUNTING_KINDS, kv[0]))
        ],
        "by_status": [
            {"status": str(ApplicationStatus(s).label), "count": n}
            for s, n in sorted(statuses.items())
        ],
        "table": [
            {
                "date": short_day(a.date),
                "organisation": a.organisation,
                "vacancy": a.vacancy_title,
                "kind": str(a.get_kind_display()),
                "counts": a.kind in COUNTING_KINDS,
                "result": str(a.get_status_display()) if a.kind in STATUS_KINDS else "",
            }
            for a in activities
        ],
    }


def _norm(t, start: date, end: date, today: date) -> dict:
    """The norm periods that overlap the report's period, each counted over all of the
    trajectory's counting activities, as they stood on the report's date."""
    norm = norm_for(t)
    description = f"{norm.count} meetellende activiteiten per {norm.weeks} weken"
    if not t.start_date:
        return {"description": description, "periods": [], "met": 0, "complete": 0}
    dates = ApplicationActivity.objects.filter(
        trajectory=t, kind__in=COUNTING_KINDS, date__lte=today
    ).values_list("date", flat=True)
    shown = overlapping(periods(t.start_date, today, norm, dates, t.end_date), start, end)
    complete = [p for p in shown if p.complete]
    return {
        "description": description,
        "periods": [
            {
                "number": p.number,
                # A period the trajectory's end cut short ends on that day, as it is counted.
                "period": f"{short_day(p.start)} – "
                f"{short_day(min(p.end, t.end_date) if p.partial and t.end_date else p.end)}",
                "count": p.count,
                "required": p.required,
                "met": p.met,
                "running": p.in_progress,
                "partial": p.partial,
            }
            for p in shown
        ],
        "met": sum(p.met for p in complete),
        "complete": len(complete),
    }


def _placement(t) -> dict | None:
    placement = Placement.objects.filter(trajectory=t).first()
    if placement is None:
        return None
    return {
        "employer": placement.new_employer,
        "function": placement.function,
        "start": day_label(placement.start_date),
        "hours": hours_label(placement.hours_per_week),
        "contract": str(placement.get_contract_type_display()),
        "contract_end": day_label(placement.contract_end_date),
        "aftercare_until": day_label(placement.aftercare_until),
    }


def _schedule(t) -> dict:
    """The reporting schedule a plan promises: progress reports at 3, 6 and 9 months, then
    every 3 months while the trajectory runs, and the final report after the end."""
    if not t.start_date:
        return {"progress": [], "final_days": FINAL_REPORT_DAYS}
    dates = progress_report_due_dates(t.start_date, t.start_date + relativedelta(months=9))
    return {
        "progress": [
            {"months": INTERVAL_MONTHS * n, "due": day_label(day)}
            for n, day in enumerate(dates, start=1)
            if not t.end_date or day <= t.end_date
        ],
        "final_days": FINAL_REPORT_DAYS,
    }


def _closing(t) -> dict:
    """``note_ends``: the note closes its own sentence ("Gelukt!", "(zie verslag.)"), so the
    template adds no full stop after it (it printed "!." and ".).")."""
    note = t.closing_note.strip()
    ends = bool(re.search(r"[.!?][)\]\"'\u00bb\u201d\u2019]*$", note))
    if ends and note.endswith(".") and not note.endswith(".."):
        note, ends = note[:-1], False  # a plain full stop: the template's
    return {
        "reason": str(t.get_closing_reason_display()),
        "with_placement": t.ended_with_placement,
        "note": note,
        "note_ends": ends,
        "end": day_label(t.end_date),
    }


def _final_evaluation(t) -> dict:
    case = t.sickness_case
    return {
        "final_evaluation": day_label(case.final_evaluation_date),
        "current_assessment": ", ".join(
            x for x in (case.current_assessment_by, day_label(case.current_assessment_date)) if x
        ),
    }
