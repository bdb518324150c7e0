"""Every page against every member of the cast: who may see it gets 200, everyone else 404."""

import pytest
from django.urls import reverse

from tests.conftest import CAST_NAMES
from tests.factories import InvitationFactory

ADMIN_ONLY_A = {"admin_a"}

# page name -> (url builder, who gets 200)
PAGES = {
    "trajectory x1": (
        lambda c: reverse("trajecten:file", args=[c.traj_x1.uuid]),
        {"admin_a", "specialist_a", "contact_x_all", "contact_x1", "employee_x1"},
    ),
    "trajectory x2 (BV-restricted contact excluded)": (
        lambda c: reverse("trajecten:file", args=[c.traj_x2.uuid]),
        {"admin_a", "specialist_a2", "contact_x_all", "employee_x2"},
    ),
    "trajectory z1 (agency B)": (
        lambda c: reverse("trajecten:file", args=[c.traj_z1.uuid]),
        {"admin_b", "specialist_b", "contact_z", "employee_z1"},
    ),
    "employer X": (
        lambda c: reverse("portal:employer_detail", args=[c.employer_x.uuid]),
        {"admin_a", "specialist_a", "specialist_a2", "contact_x_all", "contact_x1"},
    ),
    "employer Y": (
        lambda c: reverse("portal:employer_detail", args=[c.employer_y.uuid]),
        {"admin_a", "specialist_a2", "contact_y"},
    ),
    "edit employer X": (
        lambda c: reverse("portal:employer_edit", args=[c.employer_x.uuid]),
        ADMIN_ONLY_A,
    ),
    "new employer": (lambda c: reverse("portal:employer_create"), {"admin_a", "admin_b"}),
    "new BV for X": (
        lambda c: reverse("portal:legal_entity_create", args=[c.employer_x.uuid]),
        ADMIN_ONLY_A,
    ),
    "edit BV x1": (
        lambda c: reverse("portal:legal_entity_edit", args=[c.employer_x.uuid, c.x1.uuid]),
        ADMIN_ONLY_A,
    ),
    "BV z1 under employer X": (
        lambda c: reverse("portal:legal_entity_edit", args=[c.employer_x.uuid, c.z1.uuid]),
        set(),
    ),
    "team": (lambda c: reverse("portal:team"), {"admin_a", "admin_b"}),
    "invite": (lambda c: reverse("portal:invitation_create"), {"admin_a", "admin_b"}),
    "settings": (lambda c: reverse("portal:agency_settings"), {"admin_a", "admin_b"}),
    "audit trail": (lambda c: reverse("portal:audit_log"), {"admin_a", "admin_b"}),
    "who viewed my file": (
        lambda c: reverse("portal:my_file_access"),
        {"employee_x1", "employee_x2", "employee_y1", "employee_z1"},
    ),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", CAST_NAMES)
def test_page_answers_200_to_allowed_users_and_404_to_everyone_else(cast, login, page, who):
    url_for, allowed = PAGES[page]
    response = login(getattr(cast, who)).get(url_for(cast))
    assert response.status_code == (200 if who in allowed else 404)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitor_is_sent_to_login(cast, client, page):
    url_for, _ = PAGES[page]
    response = client.get(url_for(cast))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("admin_a", {"Xavier", "Xenia", "Yara"}, {"Zbigniew"}),
        ("specialist_a", {"Xavier"}, {"Xenia", "Yara", "Zbigniew"}),
        ("specialist_a2", {"Xenia", "Yara"}, {"Xavier", "Zbigniew"}),
        ("contact_x_all", {"Xavier", "Xenia"}, {"Yara", "Zbigniew"}),
        ("contact_x1", {"Xavier"}, {"Xenia", "Yara", "Zbigniew"}),
        ("contact_y", {"Yara"}, {"Xavier", "Xenia", "Zbigniew"}),
        ("employee_x1", {"Xavier"}, {"Xenia", "Yara", "Zbigniew"}),
        ("admin_b", {"Zbigniew"}, {"Xavier", "Xenia", "Yara"}),
        ("employee_z1", {"Zbigniew"}, {"Xavier", "Xenia", "Yara"}),
    ],
)
def test_home_lists_exactly_the_trajectories_the_role_may_see(cast, login, who, sees, does_not_see):
    html = login(getattr(cast, who)).get(reverse("dashboards:home")).content.decode()
    for name in sees:
        assert name in html
    for name in does_not_see:
        assert name not in html


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("admin_a", {"Employer X", "Employer Y"}, {"Employer Z"}),
        ("contact_x1", {"Employer X"}, {"Employer Y", "Employer Z"}),
        ("specialist_a", {"Employer X"}, {"Employer Y", "Employer Z"}),
        ("admin_b", {"Employer Z"}, {"Employer X", "Employer Y"}),
    ],
)
def test_employer_list_shows_only_visible_employers(cast, login, who, sees, does_not_see):
    html = login(getattr(cast, who)).get(reverse("portal:employer_list")).content.decode()
    assert all(name in html for name in sees)
    assert not any(name in html for name in does_not_see)


def test_bv_restricted_contact_sees_only_their_bv_on_the_employer_page(cast, login):
    html = (
        login(cast.contact_x1)
        .get(reverse("portal:employer_detail", args=[cast.employer_x.uuid]))
        .content.decode()
    )
    assert "X1 BV" in html
    assert "X2 BV" not in html


def test_team_page_lists_only_the_own_agency(cast, login):
    html = login(cast.admin_b).get(reverse("portal:team")).content.decode()
    assert "admin@b.example" in html
    assert "admin@a.example" not in html
    assert "spec@a.example" not in html


@pytest.mark.parametrize("action", ["portal:invitation_resend", "portal:invitation_revoke"])
@pytest.mark.parametrize("who", CAST_NAMES)
def test_invitation_actions_are_404_outside_the_inviting_agencys_admins(cast, login, action, who):
    invitation = InvitationFactory(agency=cast.agency_a)
    response = login(getattr(cast, who)).post(reverse(action, args=[invitation.uuid]))
    assert response.status_code == (302 if who == "admin_a" else 404)


def test_audit_trail_of_another_agency_is_not_shown(cast, login):
    login(cast.specialist_b).get(reverse("trajecten:file", args=[cast.traj_z1.uuid]))
    html = login(cast.admin_a).get(reverse("portal:audit_log")).content.decode()
    assert "spec@b.example" not in html


def test_malformed_uuid_in_url_is_404_not_500(cast, login):
    response = login(cast.admin_a).get("/trajecten/not-a-uuid/")
    assert response.status_code == 404
