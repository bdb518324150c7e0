"""What a report says, gathered from the file (domain.md section 5).

The result is plain JSON: it is what a draft shows, and at signing it is frozen as the
report's snapshot, from which the PDF is rendered. It reads the file as an employer may see
it, because the report goes to the employer and UWV: only conversations shared with the
employer (never medical ones), work capacity in functional terms, no medical notes.
"""

from collections import Counter
from datetime import date

from django.db.models import Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from sollicitaties.constants import COUNTING_KINDS, ActivityKind, ApplicationStatus
from sollicitaties.models import ApplicationActivity, TempAgencyRegistration
from sollicitaties.norm import periods
from sollicitaties.services import norm_for
from trajecten import wvp
from trajecten.constants import MemberRole, Visibility
from trajecten.models import (
    ConversationReport,
    PersonProfile,
    PhaseChange,
    Placement,
    SearchProfile,
    Training,
    WorkCapacity,
)


def day_label(day: date | None) -> str:
    """A date as reports print it, in Dutch: 4 mei 2026."""
    return date_format(day, "j F Y") if day else ""


def build(report, *, today: date) -> dict:
    """The report's blocks, in Dutch (reports for UWV are Dutch)."""
    with override("nl"):
        return _build(report, today)


def _build(report, today: date) -> dict:
    t = report.trajectory
    start, end = report.period_start, report.period_end
    in_period = Q(date__gte=start, date__lte=end)
    case = t.sickness_case
    primary = t.memberships.filter(role=MemberRole.PRIMARY).select_related("user").first()
    latest_start = wvp.latest_second_track_start(
        case.first_sick_day, case.first_year_evaluation_date
    )

    conversations = ConversationReport.objects.filter(
        in_period, trajectory=t, visibility=Visibility.EMPLOYER, contains_medical=False
    ).order_by("date")
    activities = ApplicationActivity.objects.filter(in_period, trajectory=t).order_by("date")
    counting = [a for a in activities if a.kind in COUNTING_KINDS]
    norm = norm_for(t)
    norm_periods = (
        periods(t.start_date, min(today, end), norm, [a.date for a in counting], end)
        if t.start_date
        else []
    )
    profiles = list(
        SearchProfile.objects.filter(trajectory=t, created_at__date__lte=end)
        .prefetch_related("functions")
        .order_by("version")
    )
    capacity = WorkCapacity.objects.filter(trajectory=t).first()
    placement = Placement.objects.filter(trajectory=t).first()
    kinds = Counter(a.kind for a in activities)
    statuses = Counter(a.status for a in activities)
    return {
        "identification": {
            "kind": str(report.get_kind_display()),
            "title": str(report),
            "employee": t.employee.full_name,
            "legal_entity": t.legal_entity.name,
            "employer": t.legal_entity.employer.name,
            "agency": t.agency.name,
            "specialist": primary.user.get_full_name() if primary else "",
            "period": f"{day_label(start)} – {day_label(end)}",
            "date": day_label(today),
        },
        "referral": {
            "first_sick_day": day_label(case.first_sick_day),
            "second_track_start": day_label(t.start_date),
            "advice": (t.get_referral_basis_display() or "")
            + (f" ({day_label(t.referral_advice_date)})" if t.referral_advice_date else ""),
            "product": str(t.product),
            "latest_start": day_label(latest_start),
            "timely": bool(t.start_date and t.start_date <= latest_start),
        },
        "work_capacity": {
            "advice": ", ".join(
                x for x in (capacity.advice_author, day_label(capacity.advice_date)) if x
            )
            if capacity
            else "",
            "possibilities": capacity.possibilities if capacity else "",
            "limitations": capacity.limitations if capacity else "",
            "hours": _hours(capacity),
        },
        "person_profile": _person_profile(t),
        "search_profile": [
            {
                "version": p.version,
                "date": day_label(p.created_at.date()),
                "sectors": p.sectors,
                "region": p.region,
                "hours": str(p.hours_per_week or ""),
                "change_note": p.change_note,
                "functions": [{"title": f.title, "reason": f.reason} for f in p.functions.all()],
            }
            for p in profiles
        ],
        "phase_route": [
            {"date": day_label(c.started_on), "phase": c.phase.name}
            for c in PhaseChange.objects.filter(trajectory=t, started_on__lte=end)
            .select_related("phase")
            .order_by("started_on")
        ],
        "conversations": [
            {
                "date": day_label(c.date),
                "kind": str(c.get_kind_display()),
                "summary": c.summary,
                "agreements": c.agreements,
            }
            for c in conversations
        ],
        "trainings": [
            {
                "name": tr.name,
                "provider": tr.provider,
                "status": str(tr.get_status_display()),
                "dates": " – ".join(
                    x for x in (day_label(tr.start_date), day_label(tr.end_date)) if x
                ),
            }
            for tr in Training.objects.filter(trajectory=t).order_by("start_date")
        ],
        "applications": {
            "total": len(activities),
            "counting": len(counting),
            "by_kind": [
                {"kind": str(ActivityKind(k).label), "count": n} for k, n in sorted(kinds.items())
            ],
            "by_status": [
                {"status": str(ApplicationStatus(s).label), "count": n}
                for s, n in sorted(statuses.items())
            ],
            "table": [
                {
                    "date": day_label(a.date),
                    "organisation": a.organisation,
                    "vacancy": a.vacancy_title,
                    "kind": str(a.get_kind_display()),
                    "result": str(a.get_status_display()),
                }
                for a in activities
            ],
        },
        "temp_agencies": [
            {"name": r.agency_name, "date": day_label(r.date)}
            for r in TempAgencyRegistration.objects.filter(trajectory=t, date__lte=end)
        ],
        "norm": {
            "description": _("%(n)s counting activities per %(w)s weeks")
            % {"n": norm.count, "w": norm.weeks},
            "periods": [
                {
                    "period": f"{day_label(p.start)} – {day_label(p.end)}",
                    "count": p.count,
                    "required": p.required,
                    "met": p.met,
                    "in_progress": p.in_progress,
                }
                for p in norm_periods
            ],
        },
        "placement": {
            "employer": placement.new_employer,
            "function": placement.function,
            "start": day_label(placement.start_date),
            "hours": str(placement.hours_per_week),
            "contract": str(placement.get_contract_type_display()),
            "aftercare_until": day_label(placement.aftercare_until),
        }
        if placement
        else None,
        "closing": {
            "reason": str(t.get_closing_reason_display()),
            "note": t.closing_note,
            "end": day_label(t.end_date),
        }
        if t.is_ended
        else None,
    }


def _hours(capacity) -> str:
    if capacity is None:
        return ""
    per_day = number_format(capacity.hours_per_day) if capacity.hours_per_day else "–"
    per_week = number_format(capacity.hours_per_week) if capacity.hours_per_week else "–"
    return f"{per_day} per dag, {per_week} per week"


def _person_profile(t) -> dict:
    profile = PersonProfile.objects.filter(trajectory=t).first()
    if profile is None:
        return {}
    return {
        "education": profile.education,
        "work_history": profile.work_history,
        "competences": profile.competences,
        "motivators": profile.motivators,
        "wishes": profile.wishes,
    }
