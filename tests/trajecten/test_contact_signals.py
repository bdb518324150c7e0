"""Signals that prevent a failed trajectory (#19, item 3): too little personal contact on the
specialist's day and the employer's dashboard, the advised WIA application date on the clock,
and conversation reports that cannot be dated in the future."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from trajecten import services, wvp
from trajecten.constants import Visibility
from trajecten.models import ConversationReport

TODAY = timezone.localdate()
HOME = reverse("dashboards:home")


def _started(trajectory, days_ago: int):
    trajectory.start_date = TODAY - timedelta(days=days_ago)
    trajectory.save(update_fields=["start_date"])


def _conversation(trajectory, days_ago: int, visibility=Visibility.AGENCY):
    return ConversationReport.objects.create(
        trajectory=trajectory, date=TODAY - timedelta(days=days_ago), kind="coaching",
        duration_minutes=45, summary="Geheim gesprek over de voortgang.", visibility=visibility,
        author=trajectory.memberships.get(role="primary").user,
    )  # fmt: skip


def test_the_specialists_day_lists_employees_without_a_recent_conversation(cast, login):
    _started(cast.traj_x1, 40)
    _conversation(cast.traj_x1, 20)
    html = login(cast.specialist_a).get(HOME).content.decode()
    section = html.split('id="h-contact"', 1)[1].split("</section>", 1)[0]
    assert escape(cast.traj_x1.employee.full_name) in section and "20 dagen geen gesprek" in section

    _conversation(cast.traj_x1, 2)
    section = login(cast.specialist_a).get(HOME).content.decode().split('id="h-contact"')[1]
    assert escape(cast.traj_x1.employee.full_name) not in section.split("</section>")[0]


def test_the_limit_is_the_agencys_setting_and_counts_from_the_start(cast, login):
    _started(cast.traj_x1, 20)  # no conversation at all yet: counted from the start
    cast.agency_a.contact_alert_days = 30
    cast.agency_a.save(update_fields=["contact_alert_days"])
    section = login(cast.specialist_a).get(HOME).content.decode().split('id="h-contact"')[1]
    assert escape(cast.traj_x1.employee.full_name) not in section.split("</section>")[0]
    cast.agency_a.contact_alert_days = 14
    cast.agency_a.save(update_fields=["contact_alert_days"])
    section = login(cast.specialist_a).get(HOME).content.decode().split('id="h-contact"')[1]
    assert "20 dagen geen gesprek" in section.split("</section>")[0]


def test_the_employer_sees_the_risk_but_not_the_hidden_conversation(cast, login):
    _started(cast.traj_x1, 60)
    _conversation(cast.traj_x1, 23)  # agency-only: its content stays with the agency
    html = login(cast.contact_x_all).get(HOME).content.decode()
    assert "Al 23 dagen geen gesprek met de werknemer" in html
    assert "Geheim gesprek" not in html
    # Another employer's contact sees nothing of it.
    assert "23 dagen" not in login(cast.contact_y).get(HOME).content.decode()


def test_a_conversation_report_cannot_be_dated_in_the_future(cast):
    with pytest.raises(ValidationError) as refused:
        services.record_save(
            actor=cast.specialist_a, trajectory=cast.traj_x1, model=ConversationReport,
            date=TODAY + timedelta(days=1), kind="coaching", duration_minutes=30,
            summary="Gepland gesprek",
        )  # fmt: skip
    assert "date" in refused.value.message_dict
    assert not ConversationReport.objects.exists()


def test_a_future_conversation_is_refused_on_the_page(cast, login):
    url = reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"])
    response = login(cast.specialist_a).post(url, {
        "date": (TODAY + timedelta(days=3)).isoformat(), "kind": "coaching",
        "duration_minutes": 30, "summary": "Nog niet gevoerd", "visibility": "agency",
    })  # fmt: skip
    assert response.status_code == 200
    assert "De datum kan niet in de toekomst liggen." in response.content.decode()
    assert not ConversationReport.objects.exists()


def test_the_clock_shows_the_advised_wia_application_date_moved_by_extensions():
    first = date(2025, 1, 6)
    clock = wvp.clock(wvp.CaseDates(first_sick_day=first), today=date(2026, 6, 1))
    advice = next(m for m in clock.milestones if m.key == "wia_advice")
    deadline = next(m for m in clock.milestones if m.key == "wia_application")
    assert advice.due == first + timedelta(days=7 * 91 - 1) and advice.week == 91
    assert advice.due < deadline.due
    extended = wvp.clock(wvp.CaseDates(first_sick_day=first, extension_weeks=10), date(2026, 6, 1))
    moved = next(m for m in extended.milestones if m.key == "wia_advice")
    assert moved.due == advice.due + timedelta(weeks=10)
