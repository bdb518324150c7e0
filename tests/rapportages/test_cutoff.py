"""A report is the file as of its one cut-off, and nothing falls between two reports (issue 39,
items 2 and 3).

The cut-off is the end of the report's period, or the day its text was fixed when that is
earlier. A file is built with a fact on the cut-off day and the same fact a day later, for
every block; each kind of report (a plan, a progress report signed early, one signed after its
period, a final report) is read as the PDF the API previews and as the page the specialist
sees: the facts of the cut-off day are there, the later ones are not, and the counts on the
page are of the same set as its tables.

Then a sequence through pages and API: a report is signed, an application and a conversation
for a day it covered are recorded later; the signed PDF does not change, the next report lists
them as late entries with the day they were recorded and what they change for the norm period,
and the report after that does not list them again."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rapportages import content
from rapportages.models import Report
from sollicitaties.constants import COUNTING_KINDS
from sollicitaties.models import ApplicationActivity, StatusChange, TempAgencyRegistration
from trajecten import wvp
from trajecten.constants import TrainingStatus
from trajecten.models import (
    ConversationReport,
    Extension,
    Placement,
    Renewal,
    SearchFunction,
    SearchProfile,
    Training,
    WorkCapacity,
)

from .conftest import pdf_text, respond_in_page

START = date(2026, 1, 5)

#: (kind, number, period start, period end, the day its text is fixed, the expected cut-off)
REPORTS = [
    ("trajectory_plan", 0, START, date(2026, 1, 16), date(2026, 1, 15), date(2026, 1, 15)),
    ("progress", 1, START, date(2026, 4, 4), date(2026, 3, 27), date(2026, 3, 27)),  # early
    ("progress", 1, START, date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 4)),
    ("final", 0, START, date(2026, 6, 10), date(2026, 6, 20), date(2026, 6, 10)),
]


def _file(cast, cut: date):
    """traj_x1 with the same kinds of fact on the cut-off day ("VOOR") and a day later
    ("NA"), plus enough before it for every block to have something to say."""
    t = cast.traj_x1
    after = cut + timedelta(days=1)
    t.start_date, t.referral_date, t.intake_date = START, date(2025, 12, 29), date(2026, 1, 2)
    t.referral_basis, t.referral_advice_date = "labour_expert", date(2025, 12, 15)
    t.save()
    case = t.sickness_case
    case.first_sick_day = date(2025, 3, 3)
    case.first_year_evaluation_date = after  # not yet held on the cut-off
    case.final_evaluation_date = after
    case.current_assessment_date, case.current_assessment_by = after, "NA-BEDRIJFSARTS"
    case.save()
    Extension.objects.create(
        agency_id=t.agency_id, case=case, kind="wage_sanction", weeks=13, decided_on=after
    )
    author = cast.specialist_a
    for version, valid_from, sector in [(1, START, "VOOR-SECTOR"), (2, after, "NA-SECTOR")]:
        profile = SearchProfile.objects.create(
            trajectory=t, version=version, valid_from=valid_from, sectors=sector,
            region="Utrecht", hours_per_week=Decimal("24"), author=author,
        )  # fmt: skip
        SearchFunction.objects.create(profile=profile, title=f"{sector}-FUNCTIE", reason="Past")
    WorkCapacity.objects.create(trajectory=t, fml_reference="FML 10-12-2025", limitations="Geen")
    Renewal.objects.create(trajectory=t, period_start=after, price=Decimal("100"))
    for day, tag in [(cut, "VOOR"), (after, "NA")]:
        ConversationReport.objects.create(
            trajectory=t, date=day, kind="coaching", duration_minutes=30,
            summary=f"{tag}-GESPREK", visibility="employer", author=author,
        )  # fmt: skip
        TempAgencyRegistration.objects.create(trajectory=t, agency_name=f"{tag}-UITZEND", date=day)
    # Runs over the cut-off and ended a day later: "loopt" on the report, without its result.
    Training.objects.create(
        trajectory=t, name="VOOR-TRAINING", start_date=cut - timedelta(days=5), end_date=after,
        status=TrainingStatus.COMPLETED, result="NA-RESULTAAT",
    )  # fmt: skip
    Training.objects.create(
        trajectory=t, name="NA-TRAINING", start_date=after, status=TrainingStatus.PLANNED
    )
    Placement.objects.create(
        trajectory=t, new_employer="NA-WERKGEVER", function="Planner", start_date=after,
        hours_per_week=Decimal("24"), contract_type="employment",
    )  # fmt: skip
    # A steady run of counting applications, one on the cut-off day invited only a day later,
    # and one a day after it.
    day, n = START + timedelta(days=1), 0
    while day < cut:
        _application(cast, t, day, f"Werkgever {n}", "written_application")
        day, n = day + timedelta(days=6), n + 1
    voor = _application(cast, t, cut, "VOOR-APP", "open_application")
    StatusChange.objects.create(activity=voor, status="invited", date=after,
                                changed_by=cast.employee_x1)  # fmt: skip
    ApplicationActivity.objects.filter(pk=voor.pk).update(status="invited")
    _application(cast, t, after, "NA-APP", "written_application")
    return t


def _application(cast, t, day, organisation, kind, status="sent"):
    activity = ApplicationActivity.objects.create(
        trajectory=t, date=day, kind=kind, organisation=organisation, status=status,
        recorded_by=cast.employee_x1, recorded_by_role="employee",
    )  # fmt: skip
    StatusChange.objects.create(activity=activity, status=status, date=day,
                                changed_by=cast.employee_x1)  # fmt: skip
    return activity


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(9)))


def _day_of(text: str) -> date:
    d, m, y = text.split("-")
    return date(int(y), int(m), int(d))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("kind", "number", "start", "end", "fixed", "cut"), REPORTS)
def test_every_block_reads_the_file_as_of_the_cut_off(
    cast, api, login, kind, number, start, end, fixed, cut
):
    t = _file(cast, cut)
    if kind == "final":
        t.status, t.end_date, t.closing_reason = "ended", end, "new_job"
        t.save()
    report = Report.objects.create(
        trajectory=t, agency_id=t.agency_id, kind=kind, number=number, period_start=start,
        period_end=end, due_date=end + timedelta(days=1),
    )  # fmt: skip
    with time_machine.travel(fixed, tick=False):
        response = api(cast.specialist_a).get(f"/api/v1/reports/{report.uuid}/preview/")
        assert response.status_code == 200
        pdf = _flat(pdf_text(response.content))
        page = login(cast.specialist_a).get(reverse("rapportages:detail", args=[report.uuid]))
        html = _flat(re.sub(r"<[^>]+>", " ", page.content.decode()))
    blocks = content.build(report, today=fixed)

    for text in (pdf, html):
        assert "NA-" not in text, re.findall(r".{60}NA-.{40}", text)
        for present in ("VOOR-SECTOR", "VOOR-GESPREK", "VOOR-UITZEND", "VOOR-TRAINING"):
            assert present in text, present
        assert "Eerstejaarsevaluatie Nog niet gehouden." in text
        assert "inclusief 13 weken verlenging" not in text
        # The latest start as it stood: week 58, the evaluation was not yet held.
        week_58 = content.day_label(wvp.deadline_of_week(date(2025, 3, 3), 58))
        assert f"Uiterlijke start {week_58} (week 58)" in text
    assert f"Stand van het dossier {content.day_label(cut)}" in pdf
    assert blocks["identification"]["cutoff"] == content.day_label(cut)

    # The training ran over the cut-off: "bezig" then, its result came later.
    (training,) = [tr for tr in blocks["trainings"] if tr["name"] == "VOOR-TRAINING"]
    assert training["status"] == "Bezig" and training["result"] == ""
    # The application of the cut-off day, with its result as it stood that day.
    rows = blocks["applications"]["table"]
    (voor,) = [r for r in rows if r["organisation"] == "VOOR-APP"]
    assert voor["result"] == "Verstuurd"
    assert max(_day_of(r["date"]) for r in rows) == cut

    # Every count on the page is of the same set as its tables.
    in_period = ApplicationActivity.objects.filter(trajectory=t, date__gte=start, date__lte=cut)
    counting = in_period.filter(kind__in=COUNTING_KINDS).count()
    a = blocks["applications"]
    assert (
        (a["total"], a["counting"])
        == (in_period.count(), counting)
        == (len(rows), sum(r["counts"] for r in rows))
    )
    assert f"In deze periode {a['total']} activiteiten, waarvan {a['counting']} meetellend" in pdf
    assert sum(k["count"] for k in a["by_kind"]) == a["total"]
    for period in blocks["norm"]["periods"]:
        first, last = (_day_of(x) for x in period["period"].split(" – "))
        assert (
            period["count"]
            == ApplicationActivity.objects.filter(
                trajectory=t, kind__in=COUNTING_KINDS, date__gte=first, date__lte=min(last, cut)
            ).count()
        )
        assert last <= cut or period["running"]


def _sign(cast, login, on_commit, report):
    """Write, offer, let the employee agree, and sign through the pages, on the day the clock
    is set to."""
    client = login(cast.specialist_a)
    client.post(
        reverse("rapportages:detail", args=[report.uuid]),
        {"discussed_on": (report.due_date - timedelta(days=3)).isoformat(),
         "progress": "Voortgang", "results": "Resultaat", "evaluation": "Evaluatie",
         "next_steps": "Vervolg"},
    )  # fmt: skip
    client.post(reverse("rapportages:offer", args=[report.uuid]))
    respond_in_page(login(cast.employee_x1), report)
    client = login(cast.specialist_a)
    response = on_commit(
        client.post, reverse("rapportages:sign", args=[report.uuid]),
        {"step": "sign", "confirm": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.status == "final"
    return report


def _progress(t, number: int) -> Report:
    from dateutil.relativedelta import relativedelta

    start = START + relativedelta(months=3 * (number - 1))
    due = START + relativedelta(months=3 * number)
    return Report.objects.create(
        trajectory=t, agency_id=t.agency_id, kind="progress", number=number,
        period_start=start, period_end=due - timedelta(days=1), due_date=due,
    )  # fmt: skip


def _steady(cast, t, until: date):
    """Four counting applications per norm period (4 weeks), each recorded on its own day."""
    day = START + timedelta(days=2)
    while day <= until:
        with time_machine.travel(day, tick=False):
            _application(cast, t, day, f"Werkgever {day:%d%m}", "written_application")
        day += timedelta(days=7)


def test_a_late_entry_is_in_the_next_report_once_and_the_signed_one_stays(
    cast, api, login, on_commit
):
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = START, date(2025, 12, 29), date(2026, 1, 2)
    t.referral_basis, t.referral_advice_date = "labour_expert", date(2025, 12, 15)
    t.save()
    with time_machine.travel(START, tick=False):
        profile = SearchProfile.objects.create(
            trajectory=t, version=1, valid_from=START, sectors="Logistiek", region="Utrecht",
            author=cast.specialist_a,
        )  # fmt: skip
        SearchFunction.objects.create(profile=profile, title="Planner", reason="Past")
    _steady(cast, t, date(2026, 9, 30))
    # Norm period 3 (2 March - 29 March) is one short: its 18 March application is missing.
    ApplicationActivity.objects.filter(trajectory=t, date=date(2026, 3, 18)).delete()

    with time_machine.travel(date(2026, 4, 5), tick=False):
        first = _sign(cast, login, on_commit, _progress(t, 1))
    signed_pdf = first.pdf.read()
    first_text = _flat(pdf_text(signed_pdf))
    assert "3 02-03-2026 – 29-03-2026 3 / 4 niet gehaald" in first_text
    assert "Aanvullingen" not in first_text

    # Recorded on 10 April, for days the first report covered: the employee's application
    # (through the API) and the specialist's write-up of a conversation (through the page).
    with time_machine.travel(date(2026, 4, 10), tick=False):
        response = api(cast.employee_x1).post(
            "/api/v1/application-activities/",
            {"trajectory": str(t.uuid), "date": "2026-03-18", "kind": "written_application",
             "organisation": "LATE-BV", "vacancy_title": "Planner"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        response = login(cast.specialist_a).post(
            reverse("trajecten:record_new", args=[t.uuid, "gesprek"]),
            {"date": "2026-03-25", "kind": "coaching", "duration_minutes": "45",
             "summary": "LATE-GESPREK", "visibility": "employer"},
        )  # fmt: skip
        assert response.status_code in (200, 302)
        assert ConversationReport.objects.filter(summary="LATE-GESPREK").exists()

    # The signed report is what it was.
    first.refresh_from_db()
    assert first.pdf.read() == signed_pdf

    with time_machine.travel(date(2026, 7, 5), tick=False):
        second = _sign(cast, login, on_commit, _progress(t, 2))
        api_pdf = api(cast.contact_x1).get(f"/api/v1/reports/{second.uuid}/pdf/")
    assert api_pdf.status_code == 200
    text = _flat(pdf_text(b"".join(api_pdf.streaming_content)))
    assert "Aanvullingen op eerdere rapportages" in text
    assert "18-03-2026 nagekomen, vastgelegd op 10-04-2026 LATE-BV Planner" in text
    assert "25-03-2026 nagekomen, vastgelegd op 10-04-2026" in text and "LATE-GESPREK" in text
    assert (
        "Normperiode 3 (02-03-2026 – 29-03-2026): 4 / 4 met 1 aangevulde activiteit, eerder "
        "3 / 4; de norm is daarmee alsnog gehaald." in text
    )
    # The employer reads it on the page too.
    page = login(cast.contact_x1).get(reverse("rapportages:detail", args=[second.uuid]))
    assert "LATE-BV" in page.content.decode()

    with time_machine.travel(date(2026, 10, 5), tick=False):
        third = _sign(cast, login, on_commit, _progress(t, 3))
    text = _flat(pdf_text(third))
    assert "LATE-BV" not in text and "LATE-GESPREK" not in text and "Aanvullingen" not in text


def test_days_after_an_early_cut_off_go_to_the_next_report(cast):
    """A report signed before its period ended leaves the days after its cut-off to the next
    one; what was recorded in time for it is not repeated."""
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = START, date(2025, 12, 29), date(2026, 1, 2)
    t.save()
    first = _progress(t, 1)  # 5 January - 4 April
    with time_machine.travel(date(2026, 3, 20), tick=False):
        told = _application(cast, t, date(2026, 3, 20), "TOLD-BV", "written_application")
    with time_machine.travel(date(2026, 3, 28), tick=False):
        Report.objects.filter(pk=first.pk).update(
            status="final", review_requested_at=_at(date(2026, 3, 28)),
            signed_at=_at(date(2026, 3, 30)),
            snapshot=content.build(first, today=date(2026, 3, 28)),
        )  # fmt: skip
    with time_machine.travel(date(2026, 4, 1), tick=False):
        gap = _application(cast, t, date(2026, 4, 1), "GAP-BV", "written_application")
    second = _progress(t, 2)
    with time_machine.travel(date(2026, 7, 5), tick=False):
        late = content.build(second, today=date(2026, 7, 5))["late"]
    assert [a["organisation"] for a in late["applications"]] == ["GAP-BV"]
    assert late["applications"][0]["late"] == "na de stand van de vorige rapportage (28-03-2026)"
    assert told.pk and gap.pk


def test_a_training_prints_in_the_periods_it_ran(cast):
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = START, date(2025, 12, 29), date(2026, 1, 2)
    t.save()
    Training.objects.create(trajectory=t, name="EARLY", start_date=date(2026, 1, 20),
                            end_date=date(2026, 2, 10), status="completed")  # fmt: skip
    Training.objects.create(trajectory=t, name="ACROSS", start_date=date(2026, 3, 20),
                            end_date=date(2026, 4, 20), status="completed")  # fmt: skip
    with time_machine.travel(date(2026, 7, 5), tick=False):
        names = [tr["name"] for tr in content.build(_progress(t, 2), today=date(2026, 7, 5))[
            "trainings"]]  # fmt: skip
    assert names == ["ACROSS"]
