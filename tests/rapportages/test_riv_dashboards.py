"""The RIV check's counts on the specialist's day and the employer dashboard per BV: each
figure equals the list it summarises, for every role's own scope."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from .riv_cases import build

ON = date(2026, 7, 20)


@pytest.fixture
def files(cast):
    """X1: every rule broken (at risk); X2: a clean file; Y1: started a day late (at risk)."""
    build("everything wrong at once", trajectory=cast.traj_x1, specialist=cast.specialist_a)
    build("clean file in week 81", trajectory=cast.traj_x2, specialist=cast.specialist_a2)
    build("2e spoor started one day late", trajectory=cast.traj_y1, specialist=cast.specialist_a2)
    return cast


@pytest.mark.parametrize(
    "who,names",
    [
        ("specialist_a", ["Xavier"]),
        ("specialist_a2", ["Yara"]),
        ("admin_a", ["Xavier", "Yara"]),
        ("specialist_b", ["Zbigniew"]),  # a factory file: no WvP step recorded
    ],
)
@time_machine.travel(ON, tick=False)
def test_the_specialists_day_counts_the_files_it_lists(files, login, who, names):
    page = login(getattr(files, who)).get(reverse("dashboards:specialist")).content.decode()
    count = int(re.search(r'id="riv-count">(\d+)<', page).group(1))
    listed = re.search(r'id="riv-list">(.*?)</ul>', page, re.S)
    shown = re.findall(r"\?tab=riv\">([^<]+)</a>", listed.group(1)) if listed else []
    assert count == len(shown) == len(names)
    assert all(any(n in s for s in shown) for n in names)


@pytest.mark.parametrize(
    "who,per_bv",
    [("contact_x_all", {"X1 BV": 1, "X2 BV": 0}), ("contact_x1", {"X1 BV": 1}),
     ("contact_y", {"Y1 BV": 1}), ("admin_a", {"X1 BV": 1, "X2 BV": 0, "Y1 BV": 1})],
)  # fmt: skip
@time_machine.travel(ON, tick=False)
def test_the_employer_dashboard_counts_per_bv_the_rows_it_marks(files, login, who, per_bv):
    page = login(getattr(files, who)).get(reverse("dashboards:employer")).content.decode()
    found = {}
    for name, cell in re.findall(
        r'<th scope="row" data-label="[^"]*"><a href="\?legal_entity=[^"]*">([^<]+)</a></th>'
        r'.*?class="riv-at-risk">(.*?)</td>',
        page,
        re.S,
    ):
        found[name] = int(re.sub(r"<[^>]+>", "", cell))
    assert found == per_bv
    assert page.count('class="risk risk-critical riv-risk"') == sum(per_bv.values())


@pytest.mark.parametrize("signed_off", [False, True])
@time_machine.travel(ON, tick=False)
def test_a_late_start_with_its_reason_signed_off_no_longer_asks_the_employer_for_it(
    cast, login, signed_off
):
    name = "late start with a signed-off valid reason" if signed_off else (
        "2e spoor started one day late"
    )  # fmt: skip
    build(name, trajectory=cast.traj_x1, specialist=cast.specialist_a)
    page = login(cast.contact_x1).get(reverse("dashboards:employer")).content.decode()
    asked = "Het 2e spoor startte na de uiterste datum" in page
    assert asked is not signed_off
    assert ('class="risk risk-critical riv-risk"' in page) is not signed_off
