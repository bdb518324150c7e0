"""The employee's page, the file's applications tab and the overview stay at a fixed number
of queries, whatever the number of applications and trajectories."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sollicitaties.models import ApplicationActivity, Evidence, StatusChange, TempAgencyRegistration
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


def world(n):
    agency = AgencyFactory(share_application_evidence_with_employer=True)
    specialist = UserFactory(agency=agency, specialist=True)
    employer = EmployerFactory(agency=agency)
    contact = EmployerContactFactory(employer=employer).user
    enrol_totp(specialist)
    enrol_totp(contact)
    bvs = [LegalEntityFactory(employer=employer) for _ in range(min(n, 5))]
    trajectories = [
        TrajectoryFactory(
            legal_entity=bvs[i % len(bvs)],
            employee=EmployeeFactory(agency=agency, with_login=(i == 0)),
            specialist=specialist,
        )
        for i in range(n)
    ]
    t = trajectories[0]
    user = t.employee.user
    for i in range(n):
        a = ApplicationActivity.objects.create(
            trajectory=trajectories[i % len(trajectories)] if i % 2 else t,
            kind="written_application", date=timezone.localdate() - timedelta(days=i % 40),
            organisation=f"org{i}", recorded_by=user, recorded_by_role="employee",
        )  # fmt: skip
        StatusChange.objects.create(activity=a, status="sent", changed_by=user)
        Evidence.objects.create(
            trajectory=a.trajectory, activity=a, file="evidence/x.pdf", uploaded_by=user
        )
        TempAgencyRegistration.objects.create(trajectory=t, agency_name=f"ua{i}")
    return {"employee": user, "specialist": specialist, "contact": contact, "trajectory": t}


def count(client, user, url, params=None):
    client.force_login(user)
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def test_my_applications_page(db, client):
    small, large = world(1), world(50)
    url = reverse("sollicitaties:mine")
    assert count(client, small["employee"], url) == count(client, large["employee"], url)


@pytest.mark.parametrize("who", ["specialist", "contact", "employee"])
def test_file_applications_tab(db, client, who):
    counts = [
        count(client, w[who], reverse("trajecten:file", args=[w["trajectory"].uuid]),
              {"tab": "applications"})
        for w in (world(1), world(50))
    ]  # fmt: skip
    assert counts[0] == counts[1]


@pytest.mark.parametrize("who", ["specialist", "contact"])
def test_overview(db, client, who, django_assert_max_num_queries):
    small, large = world(1), world(50)
    url = reverse("sollicitaties:overview")
    assert count(client, small[who], url) == count(client, large[who], url)
    client.force_login(large[who])
    with django_assert_max_num_queries(15 + RLS_QUERIES):
        client.get(url)
