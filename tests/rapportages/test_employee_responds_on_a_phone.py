"""The employee's side of a report on a phone (issue 40, item 3): the home page says a report
waits, the report reads "Ter reactie" (not "Concept") while it is out, a refused response
answers at the top and lands at the field, the reason given is shown back, and the notice
that asked for the response stops waiting once it is given."""

import re
from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from rapportages import services


@pytest.fixture(autouse=True)
def _on_offer_day():
    with time_machine.travel(timezone.make_aware(datetime.combine(date(2026, 8, 1), time(10))),
                             tick=False):  # fmt: skip
        yield


@pytest.fixture
def offered(cast, draft, on_commit):
    report = on_commit(services.report_offer, actor=cast.specialist_a, report=draft)
    assert Notification.objects.filter(user=cast.employee_x1, read_at__isnull=True).exists()
    return report


def test_the_employee_is_told_responds_and_reads_it_back(cast, offered, login):
    client = login(cast.employee_x1)
    home = client.get(reverse("dashboards:home")).content.decode()
    assert "Voortgangsrapportage 3 mnd wacht op je reactie." in home
    assert reverse("rapportages:detail", args=[offered.uuid]) + "#respond" in home

    page = client.get(reverse("rapportages:detail", args=[offered.uuid])).content.decode()
    badge = re.search(r'<span class="badge badge-report-[a-z]+">([^<]*)</span>', page).group(1)
    assert badge == "Ter reactie"  # not "Concept"
    assert f'action="{reverse("rapportages:respond", args=[offered.uuid])}#respond"' in page
    sha = re.search(r'name="content_sha256" value="([0-9a-f]{64})"', page).group(1)

    # "Niet akkoord" without a reason: said at the top, and the page lands at the field.
    refused = client.post(
        reverse("rapportages:respond", args=[offered.uuid]),
        {"decision": "disagree", "reason": "", "content_sha256": sha},
    )
    html = refused.content.decode()
    top = html.index('class="form-errors" role="alert"')
    assert top < html.index('id="respond"')
    assert "Je reactie is nog niet vastgelegd." in html[top : top + 400]

    done = client.post(
        reverse("rapportages:respond", args=[offered.uuid]),
        {"decision": "disagree", "reason": "Ik zie meer in zorgwerk.", "content_sha256": sha},
        follow=True,
    ).content.decode()
    assert "Ik zie meer in zorgwerk." in done  # the reason given, shown back
    assert not Notification.objects.filter(user=cast.employee_x1, read_at__isnull=True).exists()
    home = client.get(reverse("dashboards:home")).content.decode()
    assert "wacht op je reactie" not in home


def test_nobody_else_is_told_of_it(cast, offered, login):
    for user in (cast.employee_x2, cast.employee_y1, cast.contact_x1):
        home = login(user).get(reverse("dashboards:home")).content.decode()
        assert "wacht op je reactie" not in home, user
