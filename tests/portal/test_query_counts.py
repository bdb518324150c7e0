"""Pages cost a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import RLS_QUERIES, enrol_totp
from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    EmployerContactFactory,
    EmployerFactory,
    InvitationFactory,
    LegalEntityFactory,
    TrajectoryFactory,
    UserFactory,
)

# 18: the trajectory list as an employer contact, whose "next report due" leaves out a report
# already signed early (one query per page, rapportages.selectors.delivered); the trajectory
# file as a specialist is 17 (its caseload asks which colleagues they stand in for today).
MAX_QUERIES = 18 + RLS_QUERIES


def build(n: int):
    agency = AgencyFactory()
    admin = UserFactory(agency=agency, admin=True)
    specialist = UserFactory(agency=agency, specialist=True)
    employer = EmployerFactory(agency=agency)
    contact = EmployerContactFactory(employer=employer).user
    for user in (admin, specialist, contact):
        enrol_totp(user)
    employee_user = None
    for i in range(n):
        bv = LegalEntityFactory(employer=employer) if i < 10 else employer.legal_entities.first()
        employee = EmployeeFactory(agency=agency, with_login=(i == 0))
        trajectory = TrajectoryFactory(legal_entity=bv, employee=employee, specialist=specialist)
        employee_user = employee_user or employee.user
        UserFactory(agency=agency, specialist=True)
        InvitationFactory(agency=agency)
    return {
        "admin": admin,
        "specialist": specialist,
        "contact": contact,
        "employee": employee_user,
        "employer": employer,
        "trajectory": trajectory,
    }


PAGES = {
    "trajectories as admin": ("admin", lambda w: reverse("trajecten:list")),
    "trajectories as specialist": ("specialist", lambda w: reverse("trajecten:list")),
    "trajectories as employer contact": ("contact", lambda w: reverse("trajecten:list")),
    "employers": ("admin", lambda w: reverse("portal:employer_list")),
    "employer detail": (
        "contact",
        lambda w: reverse("portal:employer_detail", args=[w["employer"].uuid]),
    ),
    "team": ("admin", lambda w: reverse("portal:team")),
    "audit trail": ("admin", lambda w: reverse("portal:audit_log")),
    "trajectory": (
        "specialist",
        lambda w: reverse("trajecten:file", args=[w["trajectory"].uuid]),
    ),
    "who viewed my file": ("employee", lambda w: reverse("portal:my_file_access")),
}


def count_queries(client, world, page) -> int:
    who, url_for = PAGES[page]
    client.force_login(world[who])
    client.get(url_for(world))  # warm-up: session and audit rows exist for both sizes
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url_for(world))
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", PAGES)
def test_page_uses_the_same_number_of_queries_for_1_and_50_rows(db, client, page):
    small = count_queries(client, build(1), page)
    large = count_queries(client, build(50), page)
    assert small == large
    assert large <= MAX_QUERIES


@pytest.mark.parametrize("page", PAGES)
def test_page_stays_within_its_query_budget(db, client, django_assert_max_num_queries, page):
    world = build(5)
    who, url_for = PAGES[page]
    client.force_login(world[who])
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(url_for(world)).status_code == 200
