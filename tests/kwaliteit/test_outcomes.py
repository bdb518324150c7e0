"""The results of a measurement period against figures computed by hand, over the period's
edges; the small-number rule; scope (other employers and agencies see nothing); and the page,
CSV, PDF and API telling the same figures."""

import csv
import io
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kwaliteit import outcomes
from kwaliteit.outcomes import suppress
from rapportages.models import Report
from tests.conftest import CAST_NAMES
from tests.rapportages.conftest import pdf_text
from trajecten.models import Placement

TODAY = datetime(2026, 7, 15, 12, 0)
H1 = {"start": "2026-01-01", "end": "2026-06-30"}  # counts only: not a whole quarter or year
YEAR = {"start": "2026-01-01", "end": "2026-12-31"}  # the calendar year: marks released
RESULTS = reverse("kwaliteit:results")


@pytest.fixture
def h1(cast, closed_trajectory, answered):
    """Six closed trajectories around the first half of 2026 (see each line), with surveys.

    In the period: t1 (closed on its first day) and t2 (on its last day) placed with a recorded
    start, t3 without placement, t4 placed without a recorded start. Outside: t5 (closed the
    day after) and t6 (the day before)."""
    tz = timezone.get_current_timezone()
    a, a2 = cast.specialist_a, cast.specialist_a2
    t = SimpleNamespace()
    t.t1 = closed_trajectory(cast.x1, a, start=date(2025, 10, 1), end=date(2026, 1, 1))
    t.t2 = closed_trajectory(cast.x1, a, start=date(2026, 1, 10), end=date(2026, 6, 30))
    t.t3 = closed_trajectory(
        cast.x2, a2, start=date(2026, 2, 1), end=date(2026, 3, 15), reason="return_own_employer"
    )
    t.t4 = closed_trajectory(
        cast.y1,
        a2,
        start=date(2026, 2, 1),
        end=date(2026, 5, 20),
        reason="placement_via_experience",
    )
    t.t5 = closed_trajectory(cast.y1, a2, start=date(2026, 3, 1), end=date(2026, 7, 1))
    t.t6 = closed_trajectory(cast.x1, a, start=date(2025, 6, 1), end=date(2025, 12, 31))
    for trajectory, start in ((t.t1, date(2026, 1, 1)), (t.t2, date(2026, 4, 10))):
        Placement.objects.create(
            trajectory=trajectory, new_employer="Jumbo", function="Teamleider", start_date=start,
            hours_per_week=32, contract_type="employment",
        )  # fmt: skip
    # Intake: t2 met (Saturday 10 January, the fifth working day is Friday 16), t3 missed,
    # t4 and t5 never had one (missed by now).
    t.t2.intake_date = date(2026, 1, 12)
    t.t3.intake_date = date(2026, 2, 20)
    for x in (t.t2, t.t3):
        x.save(update_fields=["intake_date"])
    # Reports: on time, late, unsigned and overdue; one due after the period.
    for trajectory, due, signed in (
        (t.t2, date(2026, 3, 1), datetime(2026, 2, 27, 10, tzinfo=tz)),
        (t.t3, date(2026, 4, 1), datetime(2026, 4, 5, 10, tzinfo=tz)),
        (t.t4, date(2026, 6, 30), None),
        (t.t5, date(2026, 7, 10), None),
    ):
        Report.objects.create(
            agency=cast.agency_a, trajectory=trajectory, kind="progress", number=1,
            period_start=due - timedelta(days=90), period_end=due, due_date=due,
            status="final" if signed else "draft", signed_at=signed,
        )  # fmt: skip
    # Employees: three answers (t3 had nobody to ask) and one outside the period.
    answered(t.t1, marks=(8, 7, 9), comment="Goed geholpen")
    answered(t.t2, marks=(6, 6, 6))
    answered(t.t4, marks=(10, 9, 10))
    answered(t.t5, marks=(1, 1, 1), comment="Buiten de periode")
    # Employers: five answers, one unanswered, one "no thanks".
    answered(t.t1, "employer", marks=(8, 8, 8), comment="Prima samenwerking")
    answered(t.t1, "employer", marks=(7, 7, 7))
    answered(t.t2, "employer", marks=(9, 9, 9))
    answered(t.t2, "employer")
    answered(t.t3, "employer", marks=(5, 6, 7), comment="Trage terugkoppeling")
    answered(t.t4, "employer", marks=(6, 7, 8))
    answered(t.t4, "employer", declined=True)
    return t


def _figures(user, start=date(2026, 1, 1), end=date(2026, 6, 30)):
    return outcomes.outcomes(user=user, start=start, end=end, today=TODAY.date())


@time_machine.travel(TODAY, tick=False)
def test_the_agencys_figures_equal_those_computed_by_hand(cast, h1):
    r = _figures(cast.admin_a)
    assert (r.started, r.closed, r.with_total, r.without_total) == (4, 4, 3, 1)
    assert [(reason.value, n) for reason, n in r.with_placement] == [
        ("new_job", 2),
        ("placement_via_experience", 1),
    ]
    assert [(reason.value, n) for reason, n in r.without_placement] == [("return_own_employer", 1)]
    assert (r.placement_rate.hits, r.placement_rate.total, r.placement_rate.percentage) == (
        3,
        4,
        75,
    )
    assert r.median_days_to_placement == 91  # 92 days (t1) and 90 days (t2)
    assert (r.placements_measured, r.placements_unmeasured) == (2, 1)
    assert (r.intake.hits, r.intake.total, r.intake.percentage) == (1, 4, 25)
    assert (r.reports.hits, r.reports.total, r.reports.percentage) == (1, 3, 33)


@time_machine.travel(TODAY, tick=False)
def test_satisfaction_with_the_small_number_rule(cast, h1):
    r = _figures(cast.admin_a)
    e = r.employee
    assert (e.invited, e.answered, e.declined, e.not_asked) == (3, 3, 0, 1)
    assert e.hidden and e.too_few and e.overall is None and e.averages == {}
    w = r.employer
    assert (w.invited, w.answered, w.declined, w.not_asked) == (7, 5, 1, 0)
    assert w.response_rate.percentage == 71
    # The first half year is no fixed period of the release rule: counts, never marks.
    assert not r.marks_released and w.hidden and w.overall is None
    # The calendar year holds the same five employer answers (t5 has none, t6 is in 2025).
    r = _figures(cast.admin_a, end=date(2026, 12, 31))
    assert r.marks_released
    e, w = r.employee, r.employer
    assert e.answered == 4 and e.hidden and e.overall is None
    # guidance (8+7+9+5+6)/5, communication (8+7+9+6+7)/5, result (8+7+9+7+8)/5, all 15 marks
    assert w.averages == {"guidance": 7.0, "communication": 7.4, "result": 7.8}
    assert w.overall == 7.4


@time_machine.travel(TODAY, tick=False)
def test_a_period_edge_moves_a_trajectory_in_or_out(cast, h1):
    assert _figures(cast.admin_a, start=date(2026, 1, 2)).closed == 3  # t1 closed on 1 January
    assert _figures(cast.admin_a, end=date(2026, 7, 1)).closed == 5  # t5 closed on 1 July
    assert _figures(cast.admin_a, start=date(2025, 12, 31)).closed == 5  # t6


@time_machine.travel(TODAY, tick=False)
def test_quarters_and_breakdowns_add_up_to_the_period(cast, h1):
    r = _figures(cast.admin_a)
    assert [(q.name, q.closed, q.placed, q.placement_rate.percentage) for q in r.quarters] == [
        ("K1 2026", 2, 1, 50),
        ("K2 2026", 2, 2, 100),
    ]
    assert [(g.name, g.closed, g.placed) for g in r.by_specialist] == [
        ("Cast Specialist A", 2, 2),
        ("Cast Specialist A2", 2, 1),
    ]
    assert [(g.name, g.closed, g.placed) for g in r.by_employer] == [
        ("Employer X", 3, 2),
        ("Employer Y", 1, 1),
    ]
    for groups in (r.quarters, r.by_specialist, r.by_employer):
        assert sum(g.closed for g in groups) == r.closed
        assert sum(g.employer.answered for g in groups) == r.employer.answered
        assert all(g.employer.overall is None for g in groups)  # 3+2, 3+2 and 4+1 answers
    assert r.placement_chart.series[0].values == [50, 100]


@pytest.mark.parametrize(
    ("answered", "hidden"),
    [
        ({"a": 6, "b": 3, "c": 10}, {"a", "b"}),  # b alone could be worked out from the total
        ({"a": 2, "b": 3, "c": 7}, {"a", "b"}),  # together five: enough
        ({"a": 4}, {"a"}),
        ({"a": 5, "b": 5}, set()),
        ({"a": 6, "b": 0}, set()),  # no answers: nothing to hide
        ({"a": 1, "b": 5, "c": 9}, {"a", "b"}),
    ],
)
def test_suppress_hides_small_groups_and_enough_others(answered, hidden):
    assert suppress(answered) == hidden


@time_machine.travel(TODAY, tick=False)
def test_five_answers_show_averages_and_four_do_not(cast, closed_trajectory, answered):
    t = closed_trajectory(cast.x1, cast.specialist_a, start=date(2026, 1, 5), end=date(2026, 2, 2))
    for mark in (6, 7, 8, 9):
        answered(t, marks=(mark, mark, mark))
    q1 = {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}
    assert _figures(cast.admin_a, **q1).employee.overall is None
    answered(t, marks=(10, 10, 10))
    assert _figures(cast.admin_a, **q1).employee.overall == 8.0


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("who", "closed", "placed"),
    [
        ("contact_x1", 2, 2),  # t1, t2 at x1
        ("contact_x_all", 3, 2),  # and t3 at x2
        ("contact_y", 1, 1),  # t4
        ("specialist_a", 2, 2),  # their caseload
        ("specialist_a2", 2, 1),
        ("admin_b", 0, 0),  # another agency: nothing of agency A
        ("contact_z", 0, 0),
    ],
)
def test_each_user_counts_only_what_they_may_see(cast, h1, who, closed, placed):
    r = _figures(getattr(cast, who))
    assert (r.closed, r.with_total) == (closed, placed)
    assert r.by_specialist == [] and r.by_employer == []


@time_machine.travel(TODAY, tick=False)
def test_an_employer_sees_no_comments_and_a_specialist_only_above_the_rule(cast, h1):
    year = {"end": date(2026, 12, 31)}
    assert _figures(cast.contact_x_all, **year).comments is None
    assert _figures(cast.specialist_a2, **year).comments == {}  # 3 answers of employers: hidden
    admin = _figures(cast.admin_a, **year).comments
    assert admin == {"employer": ["Prima samenwerking", "Trage terugkoppeling"]}
    assert _figures(cast.admin_a).comments == {}  # the first half year: no comments at all


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_results_page_answers_staff_and_contacts_and_404s_employees(cast, login, who):
    response = login(getattr(cast, who)).get(RESULTS, H1)
    assert response.status_code == (404 if who.startswith("employee") else 200)
    pdf = login(getattr(cast, who)).get(reverse("kwaliteit:results_pdf"), H1)
    assert pdf.status_code == (404 if who.startswith("employee") else 200)


def test_an_anonymous_visitor_is_sent_to_the_login(client, db):
    for url in (RESULTS, reverse("kwaliteit:results_pdf")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@time_machine.travel(TODAY, tick=False)
def test_the_page_of_a_bv_contact_shows_nothing_of_other_bvs(cast, h1, login):
    html = login(cast.contact_x1).get(RESULTS, H1).content.decode()
    assert "X1 BV" in html
    for other in ("X2 BV", "Y1 BV", "Employer Y", "Cast Specialist", "Prima samenwerking"):
        assert other not in html


@time_machine.travel(TODAY, tick=False)
def test_page_csv_pdf_and_api_tell_the_same_figures(cast, h1, login, api):
    client = login(cast.admin_a)
    html = client.get(RESULTS, H1).content.decode()
    assert "75% <small>(3 van 4)</small>" in html  # placement rate
    assert "25% <small>(1 van 4)</small>" in html  # intake
    assert "33% <small>(1 van 3)</small>" in html  # reports on time
    assert "7,4" not in html and "verborgen" in html and "Prima samenwerking" not in html
    assert "alleen voor een heel kwartaal of een hele meetperiode" in html
    html = client.get(RESULTS, YEAR).content.decode()
    assert "7,4" in html and "verborgen" in html
    assert "Prima samenwerking" in html and "Buiten de periode" not in html

    response = client.get(RESULTS, {**YEAR, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    value = {(figure, item): v for figure, item, v in rows[1:]}
    assert value[("Trajecten", "afgesloten")] == "5"  # t5 closed on 1 July
    assert value[("Trajecten", "plaatsingspercentage (%)")] == "80"
    assert value[("Trajecten", "mediaan dagen van start tot plaatsing")] == "91"
    assert value[("Tevredenheid werkgevers", "gemiddelde: totaal")] == "7,4"
    assert value[("Tevredenheid werknemers", "gemiddelde: totaal")] == ""  # hidden
    assert "Prima samenwerking" not in response.content.decode()  # comments are no figures

    response = client.get(reverse("kwaliteit:results_pdf"), YEAR)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())  # a name may wrap in its column
    assert "Resultaten van de meetperiode" in text
    assert "1 januari 2026 – 31 december 2026" in text
    assert "80%" in text and "7,4" in text and "91" in text
    assert "Employer X" in text and "Cast Specialist A2" in text
    assert "Prima samenwerking" not in text

    data = api(cast.admin_a).get("/api/v1/outcomes/", H1).json()
    assert (data["closed"], data["closed_with_placement"], data["started"]) == (4, 3, 4)
    assert data["placement_rate"]["percentage"] == 75
    assert data["median_days_to_placement"] == 91
    assert data["marks_released"] is False and data["employers"]["overall"] is None
    assert data["employers"]["answered"] == 5 and data["employers"]["hidden"] is True
    data = api(cast.admin_a).get("/api/v1/outcomes/", YEAR).json()
    assert data["marks_released"] is True
    assert data["employers"]["overall"] == 7.4 and data["employers"]["answered"] == 5
    assert data["employees"]["overall"] is None and data["employees"]["hidden"] is True
    assert [g["name"] for g in data["by_employer"]] == ["Employer X", "Employer Y"]
    assert data["by_closing_reason"][0] == {
        "reason": "new_job",
        "label": "Nieuwe baan bij een andere werkgever",
        "with_placement": True,
        "count": 3,  # t5, closed on 1 July, too
    }


@time_machine.travel(TODAY, tick=False)
def test_the_api_scopes_like_the_page(cast, h1, api):
    contact = api(cast.contact_y).get("/api/v1/outcomes/", H1).json()
    assert contact["closed"] == 1 and contact["by_employer"] == []
    assert api(cast.admin_b).get("/api/v1/outcomes/", H1).json()["closed"] == 0
    assert api(cast.employee_x1).get("/api/v1/outcomes/", H1).status_code == 404
    bad = api(cast.admin_a).get("/api/v1/outcomes/", {"start": "2026-07-01", "end": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert api(cast.admin_a).get("/api/v1/outcomes/", {"start": "nonsense"}).status_code == 400


@time_machine.travel(TODAY, tick=False)
def test_the_default_period_is_the_agencys_measurement_period(cast, h1, login):
    client = login(cast.admin_a)
    html = client.get(RESULTS).content.decode()
    assert 'value="2026-01-01"' in html and 'value="2026-12-31"' in html  # the calendar year
    cast.agency_a.measurement_period_start = date(2025, 9, 1)
    cast.agency_a.save()
    html = client.get(RESULTS).content.decode()
    assert 'value="2025-09-01"' in html and 'value="2026-08-31"' in html


@time_machine.travel(TODAY, tick=False)
def test_a_bad_period_is_explained_not_a_500(cast, login):
    response = login(cast.admin_a).get(RESULTS, {"start": "2026-07-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "ligt na het einde" in response.content.decode()
    assert (
        login(cast.admin_a).get(reverse("kwaliteit:results_pdf"), {"start": "x"}).status_code == 404
    )


@time_machine.travel(TODAY, tick=False)
def test_the_results_page_costs_the_same_queries_for_few_and_many(
    cast, closed_trajectory, answered, login
):
    client = login(cast.admin_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(RESULTS, H1).status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            bv = (cast.x1, cast.x2, cast.y1)[i % 3]
            specialist = (cast.specialist_a, cast.specialist_a2)[i % 2]
            t = closed_trajectory(bv, specialist, start=date(2026, 1, 5), end=date(2026, 3, 1 + i))
            answered(t, marks=(7, 8, 9), comment=f"opmerking {i}")
            answered(t, "employer", marks=(6, 7, 8))

    add(2)
    few = count()
    add(10)
    assert count() == few


def test_the_measurement_period_cannot_start_in_the_future(cast):
    from django.core.exceptions import ValidationError

    from portal.services import agency_settings_update

    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        agency_settings_update(actor=cast.admin_a, measurement_period_start=tomorrow)
    assert "measurement_period_start" in refused.value.message_dict
    agency_settings_update(actor=cast.admin_a, measurement_period_start=date(2026, 1, 1))
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.measurement_period(date(2026, 7, 1)) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
