"""The figures of a whole file's reports, read from their PDFs as a UWV labour expert reads them,
against the database: the 3-, 6- and 9-month progress reports and the final report of one
trajectory, each drafted by the scheduler and signed through the web pages on its due date.

Two reports that cover the same norm period print the same count and verdict for it; the search
profile printed is the version in force at the end of each period (by the date it was agreed,
not by when it was typed in); the last period of a closed trajectory is a partial period."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from rapportages.models import Report
from rapportages.services import reports_schedule
from sollicitaties.constants import COUNTING_KINDS, ActivityKind
from sollicitaties.models import ApplicationActivity
from trajecten.models import (
    Employment,
    Renewal,
    SearchFunction,
    SearchProfile,
    Training,
    WorkCapacity,
)
from trajecten.services import renewals_record

from .conftest import pdf_text, respond_in_page

START = date(2026, 1, 5)
END = date(2026, 11, 16)
#: Kinds in turn; the non-counting ones show that only the counting kinds count.
KINDS = ["written_application", "open_application", "reading_vacancies", "phone_application",
         "agency_registration", "cv_online", "job_interview"]  # fmt: skip
#: No activities in these days after the start: one norm period falls short.
QUIET = range(31, 52)

NORM_ROW = re.compile(
    r"^(\d+) (\d\d-\d\d-\d{4}) – (\d\d-\d\d-\d{4}) (\d+) / (\d+) (.+)$", re.MULTILINE
)
MET_IN = re.compile(r"Norm gehaald in (\d+) van (\d+) afgeronde period")


MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]  # fmt: skip


def day(value: date) -> str:
    """A date as a Dutch report writes it, spelled out here rather than taken from the code."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _day(text: str) -> date:
    d, m, y = text.split("-")
    return date(int(y), int(m), int(d))


@pytest.fixture
def file(cast):
    """traj_x1: started 5 January 2026, a year of activities, two search-profile versions typed
    in long after they were agreed, a training with its result, an FML."""
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = START, date(2025, 12, 29), date(2026, 1, 2)
    t.referral_basis, t.referral_advice_date = "labour_expert", date(2025, 12, 15)
    t.save()
    case = t.sickness_case
    case.first_sick_day = date(2025, 3, 3)
    case.first_year_evaluation_date = date(2026, 2, 20)
    case.current_assessment_date, case.current_assessment_by = date(2026, 11, 2), "A. Jansen"
    case.save()
    employee = t.employee
    employee.date_of_birth, employee.external_id = date(1971, 4, 9), "P-4711"
    employee.save()
    Employment.objects.update_or_create(
        employee=employee, legal_entity=t.legal_entity, defaults={"job_title": "Chauffeur C/E"}
    )
    for version, valid_from, title in [
        (1, date(2026, 1, 12), "Planner"),
        (2, date(2026, 5, 20), "Medewerker klantenservice"),
    ]:
        profile = SearchProfile.objects.create(
            trajectory=t, version=version, valid_from=valid_from, sectors=f"Sector v{version}",
            region="Utrecht", hours_per_week=Decimal("27.5"), author=cast.specialist_a,
        )  # fmt: skip
        SearchFunction.objects.create(profile=profile, title=title, reason="Past")
    WorkCapacity.objects.create(
        trajectory=t, fml_reference="FML 10-12-2025", hours_per_week=Decimal("30.0"),
        hours_per_day=Decimal("6"), limitations="Niet tillen",
    )  # fmt: skip
    Training.objects.create(
        trajectory=t, name="Loopbaantest", start_date=date(2026, 1, 20), status="completed",
        result="Past bij plannen",
    )  # fmt: skip
    n = 0
    for offset in range(1, (END - START).days + 1, 5):
        if offset in QUIET:
            continue
        ApplicationActivity.objects.create(
            trajectory=t, date=START + timedelta(days=offset), kind=KINDS[n % len(KINDS)],
            organisation=f"Werkgever {n}", status="rejected" if n % 3 else "sent",
            recorded_by=cast.employee_x1, recorded_by_role="employee",
        )  # fmt: skip
        n += 1
    return t


def _sign_due_reports(cast, login, on_commit, day: date) -> list[Report]:
    """On ``day``: the scheduler drafts what falls due, and the specialist writes, discusses
    and signs every draft, through the pages."""
    signed = []
    with time_machine.travel(day, tick=False):
        reports_schedule(today=day)
        renewals_record(today=day)
        for report in Report.objects.filter(trajectory=cast.traj_x1, status="draft"):
            client = login(cast.specialist_a)
            client.post(
                reverse("rapportages:detail", args=[report.uuid]),
                {"discussed_on": (day - timedelta(days=2)).isoformat(), "progress": "Voortgang",
                 "results": "Resultaat", "evaluation": "Evaluatie", "next_steps": "Vervolg"},
            )  # fmt: skip
            client.post(reverse("rapportages:offer", args=[report.uuid]))
            respond_in_page(login(cast.employee_x1), report)
            if report.kind == "trajectory_plan":  # the employer signs the plan too
                respond_in_page(login(cast.contact_x1), report)
            client = login(cast.specialist_a)
            response = on_commit(
                client.post,
                reverse("rapportages:sign", args=[report.uuid]),
                {"step": "sign", "confirm": "on"},
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            report.refresh_from_db()
            assert report.status == "final"
            signed.append(report)
    return signed


def _counting(t, start: date, end: date, until: date) -> int:
    return ApplicationActivity.objects.filter(
        trajectory=t, kind__in=COUNTING_KINDS, date__gte=start, date__lte=min(end, until)
    ).count()


def test_every_figure_of_every_report_equals_the_file(cast, file, login, on_commit):
    reports = []
    for due in (date(2026, 4, 5), date(2026, 7, 5), date(2026, 10, 5)):
        reports += _sign_due_reports(cast, login, on_commit, due)
    with time_machine.travel(END, tick=False):
        on_commit(
            login(cast.specialist_a).post,
            reverse("trajecten:close", args=[file.uuid]),
            {"closing_reason": "new_job", "end_date": END.isoformat(),
             "closing_note": "Vast contract bij Bakker BV."},
        )  # fmt: skip
    reports += _sign_due_reports(cast, login, on_commit, date(2026, 11, 25))
    assert [(r.kind, r.number) for r in reports if r.kind != "trajectory_plan"] == [
        ("progress", 1), ("progress", 2), ("progress", 3), ("final", 0)
    ]  # fmt: skip

    seen: dict[int, tuple] = {}  # norm period number -> (dates, count, verdict) where complete
    for report in reports:
        if report.kind == "trajectory_plan":
            continue
        text = pdf_text(report)
        # The report's one cut-off (issue 39, item 2): its period's end, or the day it was
        # signed when that is earlier.
        cut = min(report.period_end, report.signed_at.date())
        rows = NORM_ROW.findall(text)
        assert rows, text
        for number, begin, finish, count, required, verdict in rows:
            begin, finish = _day(begin), _day(finish)
            cut_short = report.kind == "final" and begin + timedelta(days=27) > END
            # A period the end cut short ends on the end date (issue 39, item 6).
            assert finish - begin == timedelta(days=27) or (cut_short and finish == END)
            assert begin <= report.period_end and finish >= report.period_start  # overlaps
            assert int(count) == _counting(file, begin, finish, cut), (report, number)
            assert int(required) == 4
            if cut_short:
                assert verdict == "deelperiode (traject beëindigd)" and finish == END
            elif finish > cut:
                assert verdict.startswith("loopt nog")
            else:
                assert verdict == ("gehaald" if int(count) >= 4 else "niet gehaald")
                key = int(number)
                assert seen.setdefault(key, (begin, count, verdict)) == (begin, count, verdict)
        complete = [r for r in rows if r[5] in ("gehaald", "niet gehaald")]
        met = sum(r[5] == "gehaald" for r in complete)
        assert MET_IN.search(text).groups() == (str(met), str(len(complete)))

        # The activity counts are this report's period, over the database.
        in_period = ApplicationActivity.objects.filter(
            trajectory=file, date__gte=report.period_start, date__lte=cut
        )
        counting = in_period.filter(kind__in=COUNTING_KINDS).count()
        assert (
            f"In deze periode {in_period.count()} activiteiten, waarvan {counting} meetellend"
            in (text.replace("\n", " "))
        )
        for kind in {a.kind for a in in_period}:
            n = in_period.filter(kind=kind).count()
            label = str(ActivityKind(kind).label)
            with_nl = {"written_application": "Schriftelijke of online sollicitatie",
                       "open_application": "Open sollicitatie",
                       "reading_vacancies": "Vacatures lezen"}  # fmt: skip
            if kind in with_nl:
                flag = "ja" if kind in COUNTING_KINDS else "nee"
                assert f"{with_nl[kind]} {flag} {n}" in text, (report, label)

        # The search profile in force at the end of the period, by the day it was agreed.
        version = 1 if report.period_end < date(2026, 5, 20) else 2
        assert f"Versie {version}, geldig vanaf" in text
        assert f"Sector v{version}" in text and f"Sector v{3 - version}" not in text

        # Identification, referral and units as the labour expert reads them.
        flat = text.replace("\n", " ")
        for expected in ("9 april 1971", "P-4711", "Chauffeur C/E",
                         "arbeidsdeskundige, 15 december 2025", "(week 45)",
                         "2 januari 2026 (binnen 5 werkdagen)", "(week 57): op tijd",
                         "20 februari 2026", "FML 10-12-2025", "Past bij plannen",
                         "27,5 uur per week", "6 uur per dag · 30 uur per week"):  # fmt: skip
            assert expected in flat, (report, expected)
        renewals = list(
            Renewal.objects.filter(trajectory=file, period_start__lte=report.period_end).order_by(
                "period_start"
            )
        )
        if renewals:  # each renewal adds one month to the agreed trajectory
            until = renewals[-1].period_start + relativedelta(months=1, days=-1)
            assert (f"{len(renewals)} keer met een maand verlengd "
                    f"({day(renewals[0].period_start)} – {day(until)})") in flat  # fmt: skip
        else:
            assert "verlengd" not in flat
        assert ".0 uur" not in flat and ".)." not in flat and ". )" not in flat

    final = reports[-1]
    flat = pdf_text(final).replace("\n", " ")
    reason = "Reden: Nieuwe baan bij een andere werkgever: Vast contract bij Bakker BV."
    assert flat.count(reason) == 1
    assert flat.count("Nieuwe baan bij een andere werkgever") == 1
    assert "Actueel oordeel bedrijfsarts: A. Jansen, 2 november 2026" in flat
    assert "loopt nog" not in flat


def test_the_plan_promises_its_reporting_schedule(cast, file, login, on_commit):
    (plan,) = _sign_due_reports(cast, login, on_commit, date(2026, 1, 16))
    assert plan.kind == "trajectory_plan"
    flat = pdf_text(plan).replace("\n", " ")
    for months, day in ((3, "5 april 2026"), (6, "5 juli 2026"), (9, "5 oktober 2026")):
        assert f"Voortgangsrapportage {months} maanden {day}" in flat
    assert "binnen 14 dagen na het einde een eindrapportage" in flat
