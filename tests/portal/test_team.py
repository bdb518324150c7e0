"""Running the team (#19, item 1): edit, deactivate, MFA reset, transfer and stand-ins, each by
role (404 outside the agency, 403 for a non-admin) and audited with names."""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.api_tokens import token_create
from portal.constants import AuditAction, Role
from portal.models import AuditEvent, StandIn, User
from trajecten import services as trajecten_services
from trajecten.models import TrajectoryMember

TODAY = timezone.localdate()


def url(name, user):
    return reverse(f"portal:{name}", args=[user.uuid])


ACTIONS = ["team_member", "team_member_deactivate", "team_member_reactivate",
           "team_member_mfa_reset", "team_transfer", "stand_in_create"]  # fmt: skip


@pytest.mark.parametrize("action", ACTIONS)
def test_team_actions_are_404_outside_the_agency_and_403_for_non_admins(cast, login, action):
    target = cast.specialist_a
    assert login(cast.admin_b).post(url(action, target)).status_code == 404
    assert login(cast.specialist_a2).post(url(action, target)).status_code == 404
    assert login(cast.contact_x_all).post(url(action, target)).status_code == 404
    assert login(cast.employee_x1).post(url(action, target)).status_code == 404
    # Their own page: visible, not theirs to manage.
    assert login(cast.specialist_a).post(url(action, target)).status_code == 403
    assert User.objects.get(pk=target.pk).is_active


def test_the_team_list_shows_mfa_and_status_and_links_each_member(cast, login):
    User.objects.filter(pk=cast.specialist_a2.pk).update(is_active=False)
    Authenticator.objects.filter(user=cast.contact_x1).delete()
    html = login(cast.admin_a).get(reverse("portal:team")).content.decode()
    assert url("team_member", cast.specialist_a) in html
    assert "gedeactiveerd" in html and ">uit<" in html


def test_an_admin_changes_a_name_and_a_role_and_the_trail_shows_names(cast, login):
    client = login(cast.admin_a)
    response = client.post(url("team_member", cast.specialist_a), {
        "first_name": "Sanne", "last_name": "de Boer", "role": Role.AGENCY_ADMIN})  # fmt: skip
    assert response.status_code == 302
    member = User.objects.get(pk=cast.specialist_a.pk)
    assert (member.get_full_name(), member.role) == ("Sanne de Boer", Role.AGENCY_ADMIN)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_uuid=member.uuid).get()
    assert set(event.details["fields"]) == {"first_name", "last_name", "role"}
    trail = client.get(reverse("portal:audit_log")).content.decode()
    assert cast.admin_a.get_full_name() in trail
    assert f">{cast.admin_a.email}<" not in trail


def test_the_last_admin_keeps_the_role(cast, login):
    response = login(cast.admin_a).post(url("team_member", cast.admin_a), {
        "first_name": "A", "last_name": "B", "role": Role.SPECIALIST})  # fmt: skip
    assert response.status_code == 400
    assert "minstens één actieve beheerder" in response.content.decode()
    assert User.objects.get(pk=cast.admin_a.pk).role == Role.AGENCY_ADMIN


def test_a_specialist_with_open_trajectories_is_transferred_before_deactivation(cast, login):
    admin = login(cast.admin_a)
    page = admin.post(url("team_member_deactivate", cast.specialist_a), follow=True)
    assert "draag het eerst over aan een collega" in page.content.decode()
    assert User.objects.get(pk=cast.specialist_a.pk).is_active

    response = admin.post(url("team_transfer", cast.specialist_a), {
        "trajectories": [cast.traj_x1.pk], "to_user": cast.specialist_a2.pk})  # fmt: skip
    assert response.status_code == 302
    primary = TrajectoryMember.objects.get(trajectory=cast.traj_x1, role="primary")
    assert primary.user == cast.specialist_a2
    event = AuditEvent.objects.get(object_uuid=cast.traj_x1.uuid, action=AuditAction.UPDATE)
    assert event.details["primary_specialist"]["to"] == cast.specialist_a2.get_full_name()
    assert admin.post(url("team_member_deactivate", cast.specialist_a)).status_code == 302
    assert not User.objects.get(pk=cast.specialist_a.pk).is_active


def test_a_transfer_takes_over_a_colleague_already_on_the_team(cast, login):
    trajecten_services.member_set(
        actor=cast.admin_a, trajectory=cast.traj_x1, user=cast.specialist_a2, role="second_coach"
    )
    login(cast.admin_a).post(url("team_transfer", cast.specialist_a), {
        "trajectories": [cast.traj_x1.pk], "to_user": cast.specialist_a2.pk})  # fmt: skip
    members = list(TrajectoryMember.objects.filter(trajectory=cast.traj_x1).values_list(
        "user_id", "role"))  # fmt: skip
    assert members == [(cast.specialist_a2.pk, "primary")]


def test_a_transfer_only_moves_what_the_specialist_is_primary_on(cast, login):
    response = login(cast.admin_a).post(url("team_transfer", cast.specialist_a), {
        "trajectories": [cast.traj_x2.pk], "to_user": cast.specialist_a2.pk})  # fmt: skip
    assert response.status_code == 400  # traj_x2 is not in the list offered
    assert TrajectoryMember.objects.get(trajectory=cast.traj_x2, role="primary").user == (
        cast.specialist_a2
    )


def test_a_deactivated_users_session_tokens_and_feed_stop_at_once(cast, login, client):
    from rest_framework.test import APIClient

    from trajecten.services import calendar_feed_for

    member = cast.contact_x1
    _token, raw = token_create(user=member, name="koppeling", read_only=True, valid_days=30)
    feed = calendar_feed_for(user=member)
    session = login(member)
    assert session.get(reverse("dashboards:home")).status_code == 200

    from django.test import Client

    admin = Client()
    admin.force_login(cast.admin_a)
    assert admin.post(url("team_member_deactivate", member)).status_code == 302

    assert session.get(reverse("dashboards:home")).status_code == 302  # to the login
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/trajectories/").status_code == 401
    assert client.get(reverse("trajecten:calendar_feed", args=[feed.token])).status_code == 404
    # Reactivated: they log in again, but the old secrets stay dead.
    assert admin.post(url("team_member_reactivate", member)).status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/trajectories/").status_code == 401
    assert client.get(reverse("trajecten:calendar_feed", args=[feed.token])).status_code == 404


def test_an_admin_resets_a_colleagues_mfa(cast, login):
    assert Authenticator.objects.filter(user=cast.specialist_a).exists()
    login(cast.admin_a).post(url("team_member_mfa_reset", cast.specialist_a))
    assert not Authenticator.objects.filter(user=cast.specialist_a).exists()
    assert AuditEvent.objects.filter(object_uuid=cast.specialist_a.uuid,
                                     details__mfa_reset__gte=1).exists()  # fmt: skip
    # Their session ended; at their next login they enrol before anything else.
    cast.specialist_a.refresh_from_db()
    response = login(cast.specialist_a).get(reverse("dashboards:home"))
    assert response.status_code == 302 and "/accounts/2fa/" in response.url


def test_a_stand_in_sees_a_colleagues_trajectories_only_inside_the_period(cast, login):
    file = reverse("trajecten:file", args=[cast.traj_x1.uuid])
    standin = cast.specialist_a2
    assert login(standin).get(file).status_code == 404
    response = login(cast.admin_a).post(url("stand_in_create", cast.specialist_a), {
        "stand_in": standin.pk, "starts_on": (TODAY + timedelta(days=2)).isoformat(),
        "ends_on": (TODAY + timedelta(days=9)).isoformat()})  # fmt: skip
    assert response.status_code == 302
    record = StandIn.objects.get()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_uuid=record.uuid).exists()
    assert login(standin).get(file).status_code == 404  # not yet
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert login(standin).get(file).status_code == 200
        list_html = login(standin).get(reverse("trajecten:list")).content.decode()
        assert escape(cast.traj_x1.employee.last_name) in list_html
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert login(standin).get(file).status_code == 404  # over
    # Another agency's specialist is never offered or accepted.
    bad = login(cast.admin_a).post(url("stand_in_create", cast.specialist_a), {
        "stand_in": cast.specialist_b.pk, "starts_on": TODAY.isoformat(),
        "ends_on": TODAY.isoformat()})  # fmt: skip
    assert bad.status_code == 400 and StandIn.objects.count() == 1
    # Removing it is audited too.
    login(cast.admin_a).post(reverse("portal:stand_in_delete", args=[record.uuid]))
    assert not StandIn.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_uuid=record.uuid).exists()


def test_stand_in_removal_is_404_outside_the_agency(cast, login):
    record = StandIn.objects.create(
        agency=cast.agency_a, absent=cast.specialist_a, stand_in=cast.specialist_a2,
        starts_on=TODAY, ends_on=TODAY,
    )  # fmt: skip
    delete = reverse("portal:stand_in_delete", args=[record.uuid])
    assert login(cast.admin_b).post(delete).status_code == 404
    assert login(cast.contact_x_all).post(delete).status_code == 404
    assert login(cast.specialist_a2).post(delete).status_code == 403  # theirs to see
    assert StandIn.objects.exists()


def test_a_deactivated_user_cannot_log_in(cast, client):
    from tests.factories import PASSWORD

    User.objects.filter(pk=cast.employee_x1.pk).update(is_active=False)
    client.post(reverse("account_login"), {"login": cast.employee_x1.email, "password": PASSWORD})
    assert client.get(reverse("dashboards:home")).status_code == 302  # still anonymous
    assert "_auth_user_id" not in client.session
