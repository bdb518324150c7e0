"""What ends a user's rights ends their sessions and tokens at once (issue 38, item 2): a
deactivation (also when reactivated later, and also for a session kept alive by polling
meanwhile), a reset of two-step verification and a role change."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal import team
from portal.api_tokens import token_create
from portal.models import ApiToken

HOME = reverse("dashboards:home")


def _signed_in(user):
    session = Client()
    session.force_login(user)
    assert session.get(HOME).status_code == 200
    _token, raw = token_create(user=user, name="koppeling", read_only=True, valid_days=30)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/trajectories/").status_code == 200
    return session, api


def _ended(session, api):
    response = session.get(HOME)
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert "_auth_user_id" not in session.session
    assert api.get("/api/v1/trajectories/").status_code == 401


def test_reactivating_does_not_revive_the_old_session_even_one_kept_alive(cast):
    member = cast.contact_x1
    session, api = _signed_in(member)
    team.member_deactivate(actor=cast.admin_a, member=member)
    session.get(HOME)  # polling while deactivated, as an open dashboard would
    team.member_reactivate(actor=cast.admin_a, member=member)
    _ended(session, api)
    # They log in again, as anyone would (a login reads the user as stored).
    member.refresh_from_db()
    fresh = Client()
    fresh.force_login(member)
    assert fresh.get(HOME).status_code == 200


def test_a_reactivation_alone_ends_a_cookie_kept_from_before(cast):
    """Even were the session's key carried over a deactivation the database never saw (as
    with a copy of the cookie made before it), the reactivation ends it too."""
    member = cast.contact_x1
    session, _api = _signed_in(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    team.member_reactivate(actor=cast.admin_a, member=member)
    response = session.get(HOME)
    assert response.status_code == 302


def test_a_two_step_reset_ends_every_session_and_token(cast):
    member = cast.specialist_a2
    session, api = _signed_in(member)
    team.mfa_reset(actor=cast.admin_a, member=member)
    _ended(session, api)
    assert not ApiToken.objects.filter(user=member, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("role", ["agency_admin"])
def test_a_role_change_ends_every_session_and_token(cast, role):
    member = cast.specialist_a2
    session, api = _signed_in(member)
    team.member_update(
        actor=cast.admin_a, member=member, first_name=member.first_name,
        last_name=member.last_name, role=role,
    )  # fmt: skip
    _ended(session, api)


def test_a_name_change_ends_nothing(cast):
    member = cast.specialist_a2
    session, api = _signed_in(member)
    team.member_update(actor=cast.admin_a, member=member, first_name="Anna", last_name="Smit")
    assert session.get(HOME).status_code == 200
    assert api.get("/api/v1/trajectories/").status_code == 200


def test_the_other_users_sessions_go_on(cast):
    other, other_api = _signed_in(cast.contact_x_all)
    team.member_deactivate(actor=cast.admin_a, member=cast.contact_x1)
    team.member_reactivate(actor=cast.admin_a, member=cast.contact_x1)
    assert other.get(HOME).status_code == 200
    assert other_api.get("/api/v1/trajectories/").status_code == 200
