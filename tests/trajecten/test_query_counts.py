"""The caseload, the file (every tab) and the employee's home cost a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import TimeCategory
from rapportages.models import Report
from tests.conftest import RLS_QUERIES, enrol_totp
from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    EmployerContactFactory,
    EmployerFactory,
    LegalEntityFactory,
    TrajectoryFactory,
    UserFactory,
)
from trajecten.models import (
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    PhaseChange,
    SearchFunction,
    SearchProfile,
    Task,
    TimeEntry,
    Training,
)

TABS = ["reports", "riv", "overview", "conversations", "profile", "agenda", "trainings",
        "documents", "tasks", "time", "log"]  # fmt: skip


def world(n: int):
    """An agency with n trajectories on one caseload, and n records of each kind in the first."""
    agency = AgencyFactory()
    specialist = UserFactory(agency=agency, specialist=True)
    admin = UserFactory(agency=agency, admin=True)
    employer = EmployerFactory(agency=agency)
    contact = EmployerContactFactory(employer=employer).user
    for user in (specialist, admin, contact):
        enrol_totp(user)
    bv = LegalEntityFactory(employer=employer)
    trajectories = [
        TrajectoryFactory(
            legal_entity=bv,
            employee=EmployeeFactory(agency=agency, with_login=(i == 0)),
            specialist=specialist,
        )
        for i in range(n)
    ]
    t = trajectories[0]
    now, today = timezone.now(), timezone.localdate()
    category = TimeCategory.objects.filter(agency=agency).first()
    phase = agency.phases.first()
    for i in range(n):
        ConversationReport.objects.create(
            trajectory=t,
            kind="coaching",
            duration_minutes=30,
            summary=f"s{i}",
            visibility="employer",
            author=specialist,
        )
        Appointment.objects.create(
            trajectory=t,
            subject=f"a{i}",
            location="x",
            starts_at=now + timedelta(days=i + 1),
            ends_at=now + timedelta(days=i + 1, hours=1),
        )
        Assignment.objects.create(trajectory=t, title=f"o{i}", due_date=today)
        Training.objects.create(trajectory=t, name=f"t{i}")
        Task.objects.create(trajectory=t, title=f"k{i}", due_date=today - timedelta(days=1))
        TimeEntry.objects.create(trajectory=t, minutes=10, category=category, user=specialist)
        PhaseChange.objects.create(trajectory=t, phase=phase, changed_by=specialist)
        Document.objects.create(
            trajectory=t,
            kind="other",
            title=f"d{i}",
            file="documents/x.pdf",
            visibility="employer",
            uploaded_by=specialist,
        )
        profile = SearchProfile.objects.create(
            trajectory=t, version=i + 1, sectors="a, b", region="r", author=specialist
        )
        SearchFunction.objects.create(profile=profile, title="f", reason="r")
        Report.objects.create(
            trajectory=t, agency_id=agency.pk, kind="progress", number=i + 1,
            period_start=today, period_end=today, due_date=today,
        )  # fmt: skip
    return {
        "specialist": specialist,
        "admin": admin,
        "contact": contact,
        "employee": t.employee.user,
        "trajectory": t,
    }


def queries(client, user, url, params=None) -> int:
    client.force_login(user)
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("who", ["specialist", "admin", "contact"])
def test_caseload_queries_do_not_grow_with_trajectories(db, client, who):
    small, large = world(1), world(50)
    assert queries(client, small[who], reverse("dashboards:home")) == queries(
        client, large[who], reverse("dashboards:home")
    )


def test_employee_home_queries_do_not_grow_with_appointments_and_assignments(db, client):
    small, large = world(1), world(50)
    url = reverse("dashboards:home")
    assert queries(client, small["employee"], url) == queries(client, large["employee"], url)


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("who", ["specialist", "contact", "employee"])
def test_file_tab_queries_do_not_grow_with_records(db, client, tab, who):
    small, large = world(1), world(50)
    counts = [
        queries(
            client, w[who], reverse("trajecten:file", args=[w["trajectory"].uuid]), {"tab": tab}
        )
        for w in (small, large)
    ]
    assert counts[0] == counts[1]
    assert counts[1] <= 25 + RLS_QUERIES


def test_file_page_stays_within_budget(db, client, django_assert_max_num_queries):
    w = world(10)
    client.force_login(w["specialist"])
    with django_assert_max_num_queries(25 + RLS_QUERIES):
        client.get(reverse("trajecten:file", args=[w["trajectory"].uuid]), {"tab": "log"})
