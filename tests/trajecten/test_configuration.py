"""Agency admins set prices, time categories and action lists for their own agency only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import Product, TimeCategory
from tests.conftest import CAST_NAMES
from trajecten.models import ActionTemplate


@pytest.mark.parametrize(
    "name", ["trajecten:prices", "trajecten:action_lists", "trajecten:action_list_new"]
)
@pytest.mark.parametrize("who", CAST_NAMES)
def test_configuration_pages_are_for_agency_admins_only(cast, login, name, who):
    status = login(getattr(cast, who)).get(reverse(name)).status_code
    assert status == (200 if who in {"admin_a", "admin_b"} else 404)


def formset_payload(cast, **price_changes):
    products = list(Product.objects.filter(agency=cast.agency_a).order_by("kind"))
    categories = list(TimeCategory.objects.filter(agency=cast.agency_a).order_by("name"))
    data = {
        "products-TOTAL_FORMS": len(products), "products-INITIAL_FORMS": len(products),
        "categories-TOTAL_FORMS": len(categories) + 2,
        "categories-INITIAL_FORMS": len(categories),
    }  # fmt: skip
    for i, p in enumerate(products):
        data |= {f"products-{i}-id": p.pk, f"products-{i}-price": str(p.price),
                 f"products-{i}-base_months": p.base_months or "",
                 f"products-{i}-budget_hours": p.budget_hours or ""}  # fmt: skip
    for i, c in enumerate(categories):
        data |= {f"categories-{i}-id": c.pk, f"categories-{i}-name": c.name,
                 f"categories-{i}-billable": "on" if c.billable else ""}  # fmt: skip
    for i in (len(categories), len(categories) + 1):  # empty extra rows, as a browser sends them
        data[f"categories-{i}-billable"] = "on"
    data.update(price_changes)
    return data, products, len(categories)


def test_admin_changes_a_price_and_adds_a_time_category(cast, login):
    data, products, n = formset_payload(cast)
    index = [p.kind for p in products].index("renewal")
    data[f"products-{index}-price"] = "349.50"
    data[f"categories-{n}-name"] = "Werkgeversoverleg"
    data[f"categories-{n}-billable"] = "on"
    response = login(cast.admin_a).post(reverse("trajecten:prices"), data)
    assert response.status_code == 302
    assert Product.objects.get(agency=cast.agency_a, kind="renewal").price == Decimal("349.50")
    assert Product.objects.get(agency=cast.agency_b, kind="renewal").price == Decimal("335.00")
    assert TimeCategory.objects.get(name="Werkgeversoverleg").agency == cast.agency_a


def test_a_product_of_another_agency_cannot_be_changed(cast, login):
    data, _products, _ = formset_payload(cast)
    foreign = Product.objects.get(agency=cast.agency_b, kind="renewal")
    data["products-0-id"] = foreign.pk
    data["products-0-price"] = "1.00"
    count = Product.objects.count()
    login(cast.admin_a).post(reverse("trajecten:prices"), data)  # Django ignores the foreign id
    foreign.refresh_from_db()
    assert foreign.price == Decimal("335.00")
    assert Product.objects.count() == count


def test_a_duplicate_time_category_is_explained(cast, login):
    data, _, n = formset_payload(cast)
    data[f"categories-{n}-name"] = "coaching"
    response = login(cast.admin_a).post(reverse("trajecten:prices"), data)
    assert response.status_code == 200
    assert "twee keer" in response.content.decode()


def test_admin_builds_an_action_list_that_specialists_of_the_agency_can_apply(cast, login):
    login(cast.admin_a).post(
        reverse("trajecten:action_list_new"),
        {"name": "Zesstappen", "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0",
         "items-0-title": "Loopbaantest", "items-0-week": "1", "items-0-day": "3",
         "items-0-performer": "employee", "items-0-reportable": "on",
         # the two empty extra rows, with the defaults a browser submits
         "items-1-day": "1", "items-1-performer": "specialist", "items-1-reportable": "on",
         "items-2-day": "1", "items-2-performer": "specialist", "items-2-reportable": "on"},
    )  # fmt: skip
    template = ActionTemplate.objects.get(name="Zesstappen")
    assert template.agency == cast.agency_a
    assert [i.title for i in template.items.all()] == ["Loopbaantest"]
    url = reverse("trajecten:action_list_apply", args=[cast.traj_x1.uuid])
    assert "Zesstappen" in login(cast.specialist_a).get(url).content.decode()
    foreign_page = login(cast.specialist_b).get(
        reverse("trajecten:action_list_apply", args=[cast.traj_z1.uuid])
    )
    assert "Zesstappen" not in foreign_page.content.decode()
    assert (
        login(cast.admin_b)
        .get(reverse("trajecten:action_list_edit", args=[template.pk]))
        .status_code
        == 404
    )
