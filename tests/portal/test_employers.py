"""Agency admins manage employers and their BVs; bad input is explained and nothing is lost."""

import pytest
from django.urls import reverse

from portal.models import Employer, LegalEntity


def test_admin_creates_an_employer_with_a_bv(cast, login):
    client = login(cast.admin_a)
    response = client.post(reverse("portal:employer_create"), {"name": "Nieuw Holding"})
    employer = Employer.objects.get(name="Nieuw Holding")
    assert employer.agency == cast.agency_a
    assert response.url == reverse("portal:employer_detail", args=[employer.uuid])
    client.post(
        reverse("portal:legal_entity_create", args=[employer.uuid]),
        {"name": "Nieuw BV", "kvk_number": "87654321", "payroll_tax_number": "123456789l01"},
    )
    bv = LegalEntity.objects.get(name="Nieuw BV")
    assert (bv.employer, bv.agency, bv.payroll_tax_number) == (
        employer,
        cast.agency_a,
        "123456789L01",
    )


def test_duplicate_employer_name_is_refused_within_an_agency_only(cast, login):
    duplicate = login(cast.admin_a).post(reverse("portal:employer_create"), {"name": "employer x"})
    assert "Je bureau heeft al een werkgever met deze naam." in duplicate.content.decode()
    other_agency = login(cast.admin_b).post(
        reverse("portal:employer_create"), {"name": "Employer X"}
    )
    assert other_agency.status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kvk_number": "1234"}, "Een KvK-nummer heeft precies 8 cijfers."),
        ({"payroll_tax_number": "12345"}, "Een loonheffingennummer ziet eruit als 123456789L01."),
        ({"name": ""}, "Dit veld is vereist."),
        ({"name": "X1 BV"}, "Deze werkgever heeft al een BV met deze naam."),
    ],
)
def test_bv_form_explains_each_error_and_keeps_what_was_typed(cast, login, data, message):
    payload = {"name": "Typed BV", "kvk_number": "11223344", "payroll_tax_number": ""}
    payload.update(data)
    response = login(cast.admin_a).post(
        reverse("portal:legal_entity_create", args=[cast.employer_x.uuid]), payload
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    for value in payload.values():
        if value:
            assert f'value="{value}"' in html
    assert not LegalEntity.objects.filter(name="Typed BV").exists()


def test_admin_cannot_edit_a_bv_of_another_agency_through_own_employer_url(cast, login):
    response = login(cast.admin_a).post(
        reverse("portal:legal_entity_edit", args=[cast.employer_x.uuid, cast.z1.uuid]),
        {"name": "hijacked"},
    )
    assert response.status_code == 404
    cast.z1.refresh_from_db()
    assert cast.z1.name == "Z1 BV"


def test_admin_cannot_edit_another_agencys_employer(cast, login):
    response = login(cast.admin_a).post(
        reverse("portal:employer_edit", args=[cast.employer_z.uuid]), {"name": "hijacked"}
    )
    assert response.status_code == 404
    assert Employer.objects.get(pk=cast.employer_z.pk).name == "Employer Z"


def test_an_employer_name_of_another_agency_is_free_to_use(cast, login):
    """The name check looks only at the admin's own agency: it tells nothing of another's."""
    response = login(cast.admin_a).post(
        reverse("portal:employer_create"), {"name": "Employer Z", "is_self_insurer": ""}
    )
    assert response.status_code == 302
