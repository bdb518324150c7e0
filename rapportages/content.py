"""What a report says, gathered from the file (domain.md section 5).

The result is plain JSON: it is what a draft shows, and at signing it is frozen as the
report's snapshot, from which the PDF is rendered. It reads the file as an employer may see
it, because the report goes to the employer and UWV: the content of a conversation only when
it was shared with the employer (and never a medical one), work capacity in functional terms,
no medical notes.

**One cut-off per report** (``late.cutoff``): the end of its period, or the day its text is
fixed (offered for a response, else signed; today for a draft) when that is earlier. Every
block reads the file as of that day: nothing dated after it, the WvP dates as they stood then
(an evaluation not yet held is not printed, and the latest 2e-spoor start is computed as it
could be then), an application's result as its status history stood, a training's status as
it ran, so every count and table on the page comes from the same set. Entries recorded after an
earlier report was fixed, for days it covered, are listed as late entries (``late``).

**Figures are computed over the whole file and then shown for the report's period**, so that two
reports covering the same period never disagree: the search profile *in force* at the cut-off
(by the date each version was agreed) with the changes within the period; the norm periods that
overlap the report's period, each counted over all of the trajectory's activities up to the
cut-off; a period "loopt" only while it has not ended on the cut-off, and the last one of a
closed trajectory is a partial period, not a running one.
"""

import hashlib
import json
import re
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import override

from portal.models import Agency
from sollicitaties.constants import COUNTING_KINDS, STATUS_KINDS, ActivityKind, ApplicationStatus
from sollicitaties.models import ApplicationActivity, TempAgencyRegistration
from sollicitaties.norm import overlapping, periods
from sollicitaties.services import norm_for
from trajecten import workdays, wvp
from trajecten.constants import MemberRole, TrainingStatus, Visibility
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

from . import late
from .constants import ReportKind
from .schedule import FINAL_REPORT_DAYS, INTERVAL_MONTHS, progress_report_due_dates

#: The shape of a snapshot. Signed reports keep the shape they were signed in (a final report
#: never changes), so the templates read all: 1 (no "schema" key), 2, and 3 (2 with the
#: cut-off and the late entries).
SCHEMA = 3

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
    """The report's blocks, in Dutch (reports for UWV are Dutch), with its text fixed on
    ``today`` (the file as of ``late.cutoff``)."""
    with override("nl"):
        return _build(report, today)


def _build(report, today: date) -> dict:
    t = report.trajectory
    start, cut = report.period_start, late.cutoff(report, today)
    final = report.kind in (ReportKind.FINAL, ReportKind.FEASIBILITY_ADVICE)
    file = _File(t, cut, late.told_before(report))
    return {
        "schema": SCHEMA,
        "identification": _identification(report, t, today, cut),
        "referral": referral(t, cut),
        "work_capacity": _work_capacity(t, cut),
        "person_profile": _person_profile(t),
        "search_profile": _search_profile(t, start, cut),
        "phase_route": [
            {"date": day_label(c.started_on), "phase": c.phase.name}
            for c in PhaseChange.objects.filter(trajectory=t, started_on__lte=cut)
            .select_related("phase")
            .order_by("started_on", "id")
        ],
        "contacts": [_contact(c, file) for c in file.conversations if c.date >= start],
        "trainings": [_training(tr, file) for tr in file.trainings if _ran_in(tr, start, cut)],
        "applications": _applications(file, start),
        "norm": _norm(t, start, file),
        "temp_agencies": [
            {"name": r.agency_name, "date": short_day(r.date)}
            for r in TempAgencyRegistration.objects.filter(trajectory=t, date__lte=cut).order_by(
                "date"
            )
        ],
        "late": _late(t, start, file),
        "placement": _placement(t, cut),
        "schedule": _schedule(t) if report.kind == ReportKind.TRAJECTORY_PLAN else None,
        "closing": _closing(t) if final and file.ended else None,
        "final_evaluation": _final_evaluation(t, cut) if final else None,
    }


class _File:
    """The dated records of a trajectory's file as of a cut-off, read once for every block:
    applications (with their result as their status history stood on the cut-off),
    conversations and trainings, and which of them no earlier report told (``late``)."""

    def __init__(self, t, cut: date, told: list):
        self.cut = cut
        self.ended = bool(t.end_date and t.end_date <= cut)
        self.activities = list(
            ApplicationActivity.objects.filter(trajectory=t, date__lte=cut)
            .prefetch_related("status_changes")
            .order_by("date", "id")
        )
        known = {a.uuid for a in self.activities}
        for a in self.activities:
            a.status_then = _status_on(a, cut)
            a.invited_then = any(
                c.status in INVITED and c.date <= cut for c in a.status_changes.all()
            ) or (a.status_then in INVITED)
            # A repeat of an entry this report holds (``sollicitaties.repeats``) does not count.
            a.repeat_then = a.repeat_of is not None and a.repeat_of in known
            a.counts_then = a.kind in COUNTING_KINDS and not a.repeat_then
        self.conversations = list(
            ConversationReport.objects.filter(trajectory=t, date__lte=cut).order_by("date", "id")
        )
        self.trainings = [
            tr
            for tr in Training.objects.filter(trajectory=t).order_by("start_date", "id")
            if tr.start_date is None or tr.start_date <= cut
        ]
        entries = [
            *(late.Entry(("a", a.pk), a.date, a.date, a.created_at) for a in self.activities),
            *(late.Entry(("c", c.pk), c.date, c.date, c.created_at) for c in self.conversations),
            *(
                late.Entry(("t", tr.pk), tr.start_date, tr.end_date or tr.start_date, tr.created_at)
                for tr in self.trainings
                if tr.start_date
            ),
        ]
        self.untold = late.untold(entries, told) if told else {}

    def norm_periods(self, t, norm) -> list:
        """Every norm period up to the cut-off, counted over the counting activities then."""
        if not hasattr(self, "_periods"):
            dates = [a.date for a in self.activities if a.counts_then]
            # The file as of the *end* of the cut-off day: a period ending that day is over.
            self._periods = [
                replace(p, in_progress=False) if p.in_progress and p.end == self.cut else p
                for p in periods(t.start_date, self.cut, norm, dates, t.end_date)
            ]
        return self._periods

    def late_note(self, kind: str, record) -> str:
        """Why no earlier report told this record ("nagekomen, vastgelegd op …"), else ""."""
        why = self.untold.get((kind, record.pk))
        return why.note() if why else ""


#: The statuses that mean an employer invited the employee (a job interview or further).
INVITED = frozenset(
    {
        ApplicationStatus.INVITED,
        ApplicationStatus.SECOND_INTERVIEW,
        ApplicationStatus.OFFER,
        ApplicationStatus.HIRED,
    }
)


def _status_on(activity, day: date) -> str:
    """An application's status as its history stood on ``day`` (the status now when it has
    no history)."""
    changes = list(activity.status_changes.all())
    then = [c for c in changes if c.date <= day]
    if then:
        return then[-1].status
    return changes[0].status if changes else activity.status


def _identification(report, t, today: date, cut: date) -> dict:
    primary = t.memberships.filter(role=MemberRole.PRIMARY).select_related("user").first()
    employee = t.employee
    employment = Employment.objects.filter(employee=employee, legal_entity=t.legal_entity).first()
    agency: Agency = t.agency
    return {
        "kind": str(report.get_kind_display()),
        "title": str(report),
        "period": f"{day_label(report.period_start)} – {day_label(report.period_end)}",
        "date": day_label(today),
        # The one cut-off: the file as it stood on this day (``late.cutoff``).
        "cutoff": day_label(cut),
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


def referral(t, cut: date) -> dict:
    """The referral in WvP terms as they stood on ``cut`` (a report's block; the UWV file's
    cover): an intake, evaluation or start after that day is not printed, extensions count
    from the day they were decided, and the latest 2e-spoor start is the one that applied
    then (week 58 while the first-year evaluation had not been held)."""
    case = t.sickness_case
    extensions = [e for e in case.extensions.all() if e.decided_on <= cut]
    extension_weeks = sum(e.weeks for e in extensions)
    evaluation = _on_or_before(case.first_year_evaluation_date, cut)
    latest_start = wvp.latest_second_track_start(case.first_sick_day, evaluation)
    start = _on_or_before(t.start_date, cut)
    intake = _on_or_before(t.intake_date, cut)
    renewals = list(
        Renewal.objects.filter(trajectory=t, period_start__lte=cut).order_by("period_start")
    )
    intake_deadline = t.intake_deadline()
    promise = workdays.intake_promise(t.referral_date, intake, cut)
    return {
        "first_sick_day": day_label(case.first_sick_day),
        "referral_date": day_label(t.referral_date),
        "intake_date": day_label(intake),
        "intake_deadline": day_label(intake_deadline),
        "intake_promise": promise if intake or cut > intake_deadline else "",
        "advice_party": str(t.get_referral_basis_display()) if t.referral_basis else "",
        "advice_date": day_label(_on_or_before(t.referral_advice_date, cut)),
        "first_year_evaluation": day_label(evaluation),
        "start": day_label(start),
        "start_week": wvp.wvp_week(case.first_sick_day, start) if start else None,
        "latest_start": day_label(latest_start),
        "latest_start_week": wvp.wvp_week(case.first_sick_day, latest_start),
        "timely": bool(start and start <= latest_start),
        "week_104": day_label(wvp.waiting_time_end(case.first_sick_day, extension_weeks)),
        "extension_weeks": extension_weeks,
        # Each one as UWV reads it: a loonsanctie is named, with its day and reason.
        "extensions": [
            {
                "kind": str(e.get_kind_display()),
                "weeks": e.weeks,
                "decided_on": day_label(e.decided_on),
                "note": e.note,
            }
            for e in extensions
        ],
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


def _on_or_before(day: date | None, cut: date) -> date | None:
    return day if day and day <= cut else None


def _work_capacity(t, cut: date) -> dict:
    """The recorded capacity, unless its advice is dated after the cut-off (then it was not
    known yet)."""
    capacity = WorkCapacity.objects.filter(trajectory=t).first()
    if capacity is None or (capacity.advice_date and capacity.advice_date > cut):
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


def _contact(c, file: _File) -> dict:
    """A conversation with the employee, by date and kind; its content only when it was
    shared with the employer and holds no medical information."""
    shared = c.visibility == Visibility.EMPLOYER and not c.contains_medical
    return {
        "date": short_day(c.date),
        "kind": str(c.get_kind_display()),
        "minutes": c.duration_minutes,
        "shared": shared,
        "summary": c.summary if shared else "",
        "agreements": c.agreements if shared else "",
        "late": file.late_note("c", c),
    }


def _ran_in(tr, start: date, cut: date) -> bool:
    """A training belongs to the reports of the periods it ran in; an undated one (planned,
    no date yet) to every report while it is planned or running."""
    if tr.start_date is None:
        return tr.status in (TrainingStatus.PLANNED, TrainingStatus.IN_PROGRESS)
    return tr.start_date <= cut and (tr.end_date or tr.start_date) >= start


def _training(tr, file: _File) -> dict:
    """A training as it stood on the cut-off: one that ended after it was still running then
    (its result came later)."""
    status = tr.status
    if tr.end_date and tr.end_date > file.cut and status in (
        TrainingStatus.COMPLETED, TrainingStatus.STOPPED
    ):  # fmt: skip
        status = TrainingStatus.IN_PROGRESS
    return {
        "name": tr.name,
        "provider": tr.provider,
        "online": tr.online,
        "status": str(TrainingStatus(status).label),
        "dates": " – ".join(x for x in (short_day(tr.start_date), short_day(tr.end_date)) if x),
        "result": tr.result if status == tr.status else "",
        "late": file.late_note("t", tr),
    }


def _applications(file: _File, start: date) -> dict:
    """The period's applications (from its start to the cut-off), each with its result as it
    stood on the cut-off; the counts are of this same list."""
    activities = [a for a in file.activities if a.date >= start]
    counting = [a for a in activities if a.counts_then]
    kinds = Counter(a.kind for a in activities if not a.repeat_then)
    repeated = Counter(a.kind for a in activities if a.repeat_then)
    # A status (sent, invited, rejected) means something only for an application to an
    # employer; a registration or reading vacancies has none.
    statuses = Counter(a.status_then for a in activities if a.kind in STATUS_KINDS)
    return {
        "total": len(activities),
        "counting": len(counting),
        # Applications that led to an invitation by the cut-off (also when turned down later).
        "invited": sum(1 for a in activities if a.kind in STATUS_KINDS and a.invited_then),
        "by_kind": [
            {"kind": str(ActivityKind(k).label), "counts": k in COUNTING_KINDS, "count": n}
            for k, n in sorted(kinds.items(), key=lambda kv: (kv[0] not in COUNTING_KINDS, kv[0]))
        ]
        + [
            {
                "kind": f"{ActivityKind(k).label} (herhaling)",
                "counts": False,
                "count": n,
                "repeat": True,
            }
            for k, n in sorted(repeated.items())
        ],
        "by_status": [
            {"status": str(ApplicationStatus(s).label), "count": n}
            for s, n in sorted(statuses.items())
        ],
        "table": [_application_row(a, file) for a in activities],
    }


def _application_row(a, file: _File) -> dict:
    return {
        "date": short_day(a.date),
        "organisation": a.organisation,
        "vacancy": a.vacancy_title,
        "kind": str(a.get_kind_display()),
        "counts": a.counts_then,
        "repeat": a.repeat_then,
        "result": str(ApplicationStatus(a.status_then).label) if a.kind in STATUS_KINDS else "",
        "late": file.late_note("a", a),
    }


def _norm(t, start: date, file: _File) -> dict:
    """The norm periods that overlap the report's period, each counted over all of the
    trajectory's counting activities, as they stood on the cut-off."""
    norm = norm_for(t)
    description = f"{norm.count} meetellende activiteiten per {norm.weeks} weken"
    if not t.start_date:
        return {"description": description, "periods": [], "met": 0, "complete": 0}
    shown = overlapping(file.norm_periods(t, norm), start, file.cut)
    complete = [p for p in shown if p.complete]
    return {
        "description": description,
        "periods": [_period_row(p, t) for p in shown],
        "met": sum(p.met for p in complete),
        "complete": len(complete),
    }


def _period_row(p, t) -> dict:
    return {
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


def _late(t, start: date, file: _File) -> dict:
    """The additions to earlier reports: entries dated before this report's period, for days
    an earlier report covered, and told by none (``late``); with what the added applications
    change for a norm period that lies wholly before this report's period."""
    applications = [a for a in file.activities if a.date < start and ("a", a.pk) in file.untold]
    effects = []
    counting = Counter(a.date for a in applications if a.counts_then)
    if counting and t.start_date:
        # Only periods wholly before this report's: the others are in its norm table, counted
        # in full. Everything else in such a period was told by earlier reports, so its count
        # without these additions is what they said together.
        for p in file.norm_periods(t, norm_for(t)):
            if p.end >= start:
                continue
            added = sum(n for day, n in counting.items() if p.start <= day <= p.end)
            if added:
                before = p.count - added
                effects.append(
                    {**_period_row(p, t), "added": added, "before": before,
                     "met_before": before >= p.required}
                )  # fmt: skip
    return {
        "applications": [_application_row(a, file) for a in applications],
        "contacts": [
            _contact(c, file)
            for c in file.conversations
            if c.date < start and ("c", c.pk) in file.untold
        ],
        "trainings": [
            _training(tr, file)
            for tr in file.trainings
            if tr.start_date
            and ("t", tr.pk) in file.untold
            and (tr.end_date or tr.start_date) < start
        ],
        "norm": effects,
    }


def _placement(t, cut: date) -> dict | None:
    """The placement once it was known: it started by the cut-off, or was recorded by then
    (a contract signed that starts later)."""
    placement = Placement.objects.filter(trajectory=t).first()
    if placement is None:
        return None
    if placement.start_date > cut and timezone.localdate(placement.created_at) > cut:
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


def _final_evaluation(t, cut: date) -> dict:
    """The employer's final evaluation and the company doctor's current assessment, when they
    were held by the cut-off."""
    case = t.sickness_case
    assessed = _on_or_before(case.current_assessment_date, cut)
    return {
        "final_evaluation": day_label(_on_or_before(case.final_evaluation_date, cut)),
        # Not held yet: when it falls (WvP week 87, with the WIA application), so a report
        # closed earlier does not read as a step missed.
        "due": day_label(wvp.deadline_of_week(case.first_sick_day, 87)),
        "week_now": wvp.wvp_week(case.first_sick_day, cut),
        "current_assessment": ", ".join(
            x for x in (case.current_assessment_by if assessed else "", day_label(assessed)) if x
        ),
    }
