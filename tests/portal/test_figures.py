"""The agency overview (quality-mark figures), billing and the staff search."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rapportages.models import Report
from tests.factories import EmployeeFactory, TrajectoryFactory
from trajecten.constants import TrajectoryStatus
from trajecten.models import Renewal, Trajectory

OVERVIEW = reverse("dashboards:agency_overview")
BILLING = reverse("dashboards:billing")
SEARCH = reverse("trajecten:search")
YEAR = {"start": "2026-01-01", "end": "2026-11-24"}


@pytest.mark.parametrize(
    "who", ["specialist_a", "contact_x_all", "employee_x1", "admin_b", "specialist_b"]
)
@pytest.mark.parametrize("url", [OVERVIEW, BILLING])
def test_only_agency_admins_see_figures_and_billing(cast, login, who, url):
    response = login(getattr(cast, who)).get(url, YEAR)
    if who == "admin_b":  # their own agency's figures, none of agency A
        assert response.status_code == 200
        assert "Employer X" not in response.content.decode()
    else:
        assert response.status_code == 404


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_agency_overview_counts_promises_reports_and_closings(cast, login):
    # Intake promises: x1 met (intake 2 working days after referral), x2 missed.
    cast.traj_x1.referral_date, cast.traj_x1.intake_date = date(2026, 3, 2), date(2026, 3, 4)
    cast.traj_x1.save()
    cast.traj_x2.referral_date, cast.traj_x2.intake_date = date(2026, 3, 2), date(2026, 3, 20)
    cast.traj_x2.save()
    # Reports: one signed on time, one signed late, one still unsigned and overdue.
    tz = timezone.get_current_timezone()
    for number, due, signed in (
        (1, date(2026, 4, 1), datetime(2026, 3, 30, 10, tzinfo=tz)),
        (2, date(2026, 7, 1), datetime(2026, 7, 9, 10, tzinfo=tz)),
        (3, date(2026, 10, 1), None),
    ):
        Report.objects.create(
            agency=cast.agency_a,
            trajectory=cast.traj_x1,
            kind="progress",
            number=number,
            period_start=due - timedelta(days=90),
            period_end=due,
            due_date=due,
            status="final" if signed else "draft",
            signed_at=signed,
        )
    # Closings: one with placement, one without.
    cast.traj_y1.status, cast.traj_y1.end_date = TrajectoryStatus.ENDED, date(2026, 9, 1)
    cast.traj_y1.closing_reason = "new_job"
    cast.traj_y1.save()
    TrajectoryFactory(
        legal_entity=cast.x1,
        status=TrajectoryStatus.ENDED,
        end_date=date(2026, 10, 1),
        closing_reason="no_cooperation",
    )
    client = login(cast.admin_a)
    period = {"start": "2026-03-01", "end": "2026-10-15"}  # the cast's other referrals: later
    overview = client.get(OVERVIEW, period).context["overview"]
    assert (overview.intake.hits, overview.intake.total) == (1, 2)
    assert (overview.reports.hits, overview.reports.total) == (1, 3)
    assert overview.closed_with_total == 1 and overview.closed_without_total == 1
    html = client.get(OVERVIEW, period).content.decode()
    assert "50%" in html and "33%" in html

    csv = client.get(OVERVIEW, {**period, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Intake binnen 5 werkdagen;totaal;2" in text
    assert "Rapportages op tijd;op tijd;1" in text


def test_a_bad_period_gets_a_clear_error(cast, login):
    client = login(cast.admin_a)
    for params in ({"start": "2026-12-01", "end": "2026-01-01"}, {"start": "gisteren"}):
        response = client.get(OVERVIEW, params)
        assert response.status_code == 200
        assert response.context["overview"] is None
        assert 'class="error"' in response.content.decode()
    response = client.get(BILLING, {"start": "2026-12-01", "end": "2026-01-01"})
    assert "ligt na het einde" in response.content.decode()


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_billing_per_employer_and_month_with_base_fees_and_renewals(cast, login):
    cast.traj_x1.start_date = date(2026, 5, 10)
    cast.traj_x1.save()
    cast.traj_x2.start_date = date(2026, 5, 20)
    cast.traj_x2.save()
    cast.traj_y1.start_date = date(2025, 12, 1)  # before the period: no base fee
    cast.traj_y1.save()
    Renewal.objects.create(
        trajectory=cast.traj_y1, period_start=date(2026, 6, 1), price=Decimal("335.00")
    )
    Renewal.objects.create(
        trajectory=cast.traj_z1, period_start=date(2026, 6, 1), price=Decimal("999.00")
    )  # agency B
    client = login(cast.admin_a)
    response = client.get(BILLING, YEAR)
    months = dict(response.context["months"])
    may = {line.employer: line for line in months[date(2026, 5, 1)]}
    assert may["Employer X"].base_count == 2
    assert may["Employer X"].base_amount == Decimal("3550.00")  # 2 x 1,775 (3 months)
    june = {line.employer: line for line in months[date(2026, 6, 1)]}
    assert june["Employer Y"].renewal_amount == Decimal("335.00")
    assert response.context["total"].total == Decimal("3885.00")
    html = response.content.decode()
    assert "3.885,00" in html  # money in the Dutch notation

    csv = client.get(BILLING, {**YEAR, "format": "csv"}).content.decode("utf-8-sig")
    assert "Employer X;2026-05;2;3550,00;0;0,00;3550,00" in csv
    assert "999" not in csv


def test_csv_cells_cannot_run_as_spreadsheet_formulas(cast, login):
    cast.employer_x.name = "=HYPERLINK(evil)"
    cast.employer_x.save()
    cast.traj_x1.start_date = date(2026, 5, 10)
    cast.traj_x1.save()
    csv = login(cast.admin_a).get(BILLING, {**YEAR, "format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in csv


# --- Search -----------------------------------------------------------------------------------


def test_staff_find_trajectories_by_name_within_what_they_may_see(cast, login):
    html = login(cast.admin_a).get(SEARCH, {"q": "xav"}).content.decode()
    assert "Xavier" in html and "Xenia" not in html
    assert "Zbigniew" not in login(cast.admin_a).get(SEARCH, {"q": "zbig"}).content.decode()
    # A specialist finds only their own caseload.
    assert "Xenia" not in login(cast.specialist_a).get(SEARCH, {"q": "xen"}).content.decode()
    assert "Xenia" in login(cast.specialist_a2).get(SEARCH, {"q": "xen"}).content.decode()


def test_search_by_full_name_and_employee_number(cast, login):
    employee = EmployeeFactory(
        agency=cast.agency_a, first_name="Anna", last_name="de Boer", external_id="P-4711"
    )
    TrajectoryFactory(legal_entity=cast.x1, employee=employee)
    client = login(cast.admin_a)
    assert "Anna" in client.get(SEARCH, {"q": "anna boer"}).content.decode()
    assert "Anna" in client.get(SEARCH, {"q": "P-4711"}).content.decode()
    assert "Anna" not in client.get(SEARCH, {"q": "anna jansen"}).content.decode()


def test_search_input_is_checked(cast, login):
    client = login(cast.admin_a)
    assert "minstens twee tekens" in client.get(SEARCH, {"q": "x"}).content.decode()
    assert client.get(SEARCH, {"q": "%_" * 300}).status_code == 200


@pytest.mark.parametrize("who", ["contact_x_all", "employee_x1"])
def test_search_is_for_staff(cast, login, who):
    assert login(getattr(cast, who)).get(SEARCH, {"q": "xav"}).status_code == 404


def _section_rows(html: str, heading_id: str) -> dict[str, int]:
    section = re.search(rf'id="{heading_id}".*?</section>', html, re.S).group()
    return {label: int(n) for label, n in
            re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', section)}  # fmt: skip


def test_the_running_trajectories_by_phase_and_by_specialist_add_up_to_the_active_ones(cast, login):
    """A referral (no intake yet) is not running: "actief" in the status figures, and the
    rows by phase and by specialist sum to exactly that."""
    TrajectoryFactory(legal_entity=cast.x1, specialist=cast.specialist_a, referred=True,
                      employee=EmployeeFactory(agency=cast.agency_a, first_name="Ivo"))  # fmt: skip
    ed = EmployeeFactory(agency=cast.agency_a, first_name="Ed")
    lead = TrajectoryFactory(legal_entity=cast.x1, specialist=cast.specialist_a, employee=ed)
    lead.memberships.filter(role="primary").delete()  # nobody leads this one: still counted
    html = login(cast.admin_a).get(OVERVIEW).content.decode()
    active = _section_rows(html, "h-status")["Actief"]
    assert active == Trajectory.objects.filter(agency=cast.agency_a, status="active").count()
    by_specialist = _section_rows(html, "h-specialist")
    assert sum(by_specialist.values()) == active
    assert by_specialist["Zonder hoofdbegeleider"] == 1
    assert sum(_section_rows(html, "h-phase").values()) == active
