"""Orders from a verzuim system: ``POST /api/v1/referrals/`` with an employer contact's token
for orders, idempotent by the system's reference; followed by the same token (issue 43,
item 2)."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api_tokens import token_create
from rapportages.models import Report
from trajecten.models import Trajectory

URL = "/api/v1/referrals/"


def order(**changes) -> dict:
    data = {
        "reference": "XS-2026-000123",
        "employee": {"first_name": "Jan", "last_name": "de Vries", "email": "jan@example.nl"},
        "first_sick_day": "2026-01-05",
        "product": "base_6m",
        "referral_basis": "company_doctor",
        "referral_advice_date": "2026-11-20",
    }
    return {**data, **changes}


def orders_client(user, *, orders_only=True, language="nl"):
    _token, raw = token_create(
        user=user, name="Xpert Suite", read_only=False, valid_days=30, orders_only=orders_only
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def system(cast):
    return orders_client(cast.contact_x_all)


def test_an_order_makes_a_referral_and_the_same_order_again_makes_nothing(
    cast, system, mailoutbox, on_commit
):
    response = on_commit(system.post, URL, order(kvk_number=cast.x1.kvk_number), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    trajectory = Trajectory.objects.get(uuid=body["trajectory"])
    assert (body["reference"], body["status"]) == ("XS-2026-000123", "referred")
    assert trajectory.legal_entity == cast.x1
    assert trajectory.referral_advice_date.isoformat() == "2026-11-20"
    assert trajectory.product.kind == "base_6m"
    assert mailoutbox, "the agency hears of the referral as from the page"

    again = system.post(URL, order(kvk_number=cast.x1.kvk_number), format="json")
    assert again.status_code == 200
    assert again.json()["trajectory"] == body["trajectory"]
    assert Trajectory.objects.filter(employee__last_name="de Vries").count() == 1

    other = system.post(
        URL, order(kvk_number=cast.x1.kvk_number, first_sick_day="2026-02-01"), format="json"
    )
    assert other.status_code == 400
    assert other.json()["fields"]["reference"] == [
        "Deze referentie is al gebruikt voor een andere opdracht."
    ]


def test_an_order_is_followed_until_its_reports_are_final(cast, system, api):
    created = system.post(URL, order(legal_entity=str(cast.x2.uuid)), format="json").json()
    trajectory = Trajectory.objects.get(uuid=created["trajectory"])
    trajectory.status, trajectory.start_date = "active", timezone.localdate()
    trajectory.intake_date = timezone.localdate()
    trajectory.save()
    report = Report(trajectory=trajectory, agency=trajectory.agency, kind="trajectory_plan",
                    period_start=trajectory.start_date, period_end=trajectory.start_date,
                    due_date=trajectory.start_date, status="final", pdf_sha256="ab" * 32,
                    signed_at=timezone.now(), finalized_at=timezone.now())  # fmt: skip
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 plan"), save=False)
    report.save()

    followed = system.get(URL + "XS-2026-000123/")
    assert followed.status_code == 200
    body = followed.json()
    assert (body["status"], body["intake_date"]) == ("active", trajectory.intake_date.isoformat())
    [plan] = body["reports"]
    assert (plan["kind"], plan["sha256"]) == ("trajectory_plan", "ab" * 32)
    assert plan["pdf"].endswith(f"/api/v1/reports/{report.uuid}/pdf/")
    assert system.get(plan["pdf"]).status_code == 200  # the same token fetches the PDF
    assert [o["reference"] for o in system.get(URL).json()["results"]] == ["XS-2026-000123"]


def test_an_orders_token_reaches_nothing_else(cast, system):
    assert system.get("/api/v1/trajectories/").status_code == 403
    assert system.get("/api/v1/employees/").status_code == 403
    assert system.get(URL).status_code == 200
    # A report of a trajectory the employer referred on the page is not the system's.
    t = cast.traj_x1
    report = Report(trajectory=t, agency=t.agency, kind="trajectory_plan", status="final",
                    period_start=t.start_date, period_end=t.start_date, due_date=t.start_date,
                    signed_at=timezone.now(), finalized_at=timezone.now())  # fmt: skip
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 plan"), save=False)
    report.save()
    assert system.get(f"/api/v1/reports/{report.uuid}/pdf/").status_code == 403
    assert system.get(f"/api/v1/reports/{report.uuid}/").status_code == 403


@pytest.mark.parametrize("who", ["admin_a", "specialist_a", "employee_x1"])
def test_only_an_employers_contact_places_orders(cast, who, api):
    with pytest.raises(Exception, match="contactpersoon van een werkgever"):
        token_create(user=getattr(cast, who), name="x", read_only=False, valid_days=1,
                     orders_only=True)  # fmt: skip
    client = api(getattr(cast, who))
    response = client.post(URL, order(kvk_number=cast.x1.kvk_number), format="json")
    assert response.status_code == 403
    assert not Trajectory.objects.filter(employee__last_name="de Vries").exists()


def test_another_employers_order_is_not_found_and_its_reference_is_free(cast, system):
    """Employer Y's system uses the same reference: its own order, not a refusal that would
    tell the reference is taken elsewhere; neither sees the other's."""
    assert system.post(URL, order(kvk_number=cast.x1.kvk_number), format="json").status_code == 201
    other = orders_client(cast.contact_y)
    response = other.post(URL, order(kvk_number=cast.y1.kvk_number), format="json")
    assert response.status_code == 201
    assert response.json()["trajectory"] != system.get(URL + "XS-2026-000123/").json()["trajectory"]
    assert Trajectory.objects.filter(employee__last_name="de Vries").count() == 2
    # A BV of another employer (or agency) is unknown, as one that does not exist.
    for kvk in (cast.y1.kvk_number, cast.z1.kvk_number, "99999999"):
        refused = system.post(URL, order(kvk_number=kvk, reference="B-2"), format="json")
        assert refused.status_code == 400
        assert refused.json()["fields"] == {"kvk_number": ["Onbekende BV."]}
    assert system.get(URL + "B-2/").status_code == 404
    # A contact who sees only BV X1 follows the orders for X1, not those for X2.
    assert system.post(URL, order(kvk_number=cast.x2.kvk_number, reference="X2-1"),
                       format="json").status_code == 201  # fmt: skip
    bv_limited = orders_client(cast.contact_x1)
    assert bv_limited.get(URL + "XS-2026-000123/").status_code == 200
    assert bv_limited.get(URL + "X2-1/").status_code == 404


def test_a_bad_order_is_told_field_by_field_in_the_systems_language(cast):
    client = orders_client(cast.contact_x_all, language="en")
    response = client.post(
        URL,
        order(kvk_number="123", first_sick_day="05-01-2026", product="x", reference="a b"),
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"reference", "kvk_number", "first_sick_day", "product"}
    assert not Trajectory.objects.filter(employee__last_name="de Vries").exists()


def test_a_contact_makes_an_orders_token_on_the_api_page(cast, login):
    from django.urls import reverse

    from portal.models import ApiToken

    page = login(cast.contact_x_all).get(reverse("portal:api_tokens")).content.decode()
    assert "Alleen voor opdrachten (een verzuimsysteem)" in page
    response = login(cast.contact_x_all).post(
        reverse("portal:api_tokens"),
        {"name": "Xpert Suite", "valid_days": 90, "orders_only": "on", "read_only": "on"},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(user=cast.contact_x_all)
    assert (token.orders_only, token.read_only) == (True, False)  # it places orders
    staff_page = login(cast.specialist_a).get(reverse("portal:api_tokens")).content.decode()
    assert "Alleen voor opdrachten" not in staff_page


def test_the_orders_list_takes_the_same_queries_for_one_order_or_three(cast, system):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert system.get(URL).status_code == 200
        return len(ctx.captured_queries)

    system.post(URL, order(kvk_number=cast.x1.kvk_number), format="json")
    one = queries()
    for n in (2, 3):
        system.post(URL, order(kvk_number=cast.x1.kvk_number, reference=f"R-{n}"), format="json")
    assert queries() == one
