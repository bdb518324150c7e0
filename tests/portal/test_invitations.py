"""An agency admin invites staff and employer contacts; the invitee sets a password once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from portal.constants import Role
from portal.models import User
from tests.conftest import enrol_totp
from tests.factories import PASSWORD, InvitationFactory

NEW_PASSWORD = "Spoor-Boek-2026!"


@pytest.fixture
def invite(on_commit):
    return lambda client, **data: on_commit(_invite, client, **data)


def _invite(client, **data):
    payload = {
        "email": "nieuw@example.nl",
        "first_name": "Noor",
        "last_name": "Vos",
        "role": Role.SPECIALIST,
        "language": "nl",
        "all_legal_entities": "on",
    }
    payload.update(data)
    return client.post(reverse("portal:invitation_create"), payload)


def link_from_last_email() -> str:
    return re.search(r"http://testserver(/uitnodiging/\S+/)", mail.outbox[-1].body).group(1)


def test_admin_invites_a_specialist_who_sets_a_password_and_must_enrol_mfa(
    cast, login, client, invite
):
    response = invite(login(cast.admin_a))
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["nieuw@example.nl"]
    assert "Agency A" in mail.outbox[-1].subject
    assert "Kies je wachtwoord" in mail.outbox[-1].body  # in the invitee's language
    link = link_from_last_email()

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in client.session  # setting a password is not a login

    user = User.objects.get(email="nieuw@example.nl")
    assert (user.agency, user.role, user.language) == (cast.agency_a, Role.SPECIALIST, "nl")
    assert user.emailaddress_set.get().verified
    client.post(reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD})
    assert client.get(reverse("dashboards:home")).url == reverse("mfa_activate_totp")


def test_invited_bv_restricted_contact_sees_only_the_chosen_bv(cast, login, client, invite):
    response = invite(
        login(cast.admin_a),
        email="hr@x.example",
        role=Role.EMPLOYER_CONTACT,
        employer=cast.employer_x.pk,
        all_legal_entities="",
        legal_entities=[cast.x2.pk],
    )
    assert response.status_code == 302
    link = link_from_last_email()
    client.logout()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    contact = User.objects.get(email="hr@x.example")
    assert list(contact.employer_contact.legal_entities.all()) == [cast.x2]
    enrol_totp(contact)
    html = (
        login(contact)
        .get(reverse("portal:employer_detail", args=[cast.employer_x.uuid]))
        .content.decode()
    )
    assert "X2 BV" in html
    assert "X1 BV" not in html


def test_a_used_link_cannot_be_used_again(cast, login, client, invite):
    invite(login(cast.admin_a))
    link = link_from_last_email()
    client.logout()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()
    second_post = client.post(
        link, {"password1": "Other-Pass-123!", "password2": "Other-Pass-123!"}
    )
    assert second_post.status_code == 410
    assert User.objects.get(email="nieuw@example.nl").check_password(NEW_PASSWORD)


def test_an_expired_link_explains_itself(cast, login, client, invite):
    invite(login(cast.admin_a))
    link = link_from_last_email()
    client.logout()
    with time_machine.travel(timedelta(days=8)):
        response = client.get(link)
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()
    assert not User.objects.filter(email="nieuw@example.nl").exists()


def test_resending_gives_an_expired_invitation_a_working_link(cast, login, client, on_commit):
    invitation = InvitationFactory(agency=cast.agency_a)
    with time_machine.travel(timedelta(days=8)):
        admin = login(cast.admin_a)
        on_commit(admin.post, reverse("portal:invitation_resend", args=[invitation.uuid]))
        link = link_from_last_email()
        admin.logout()
        assert client.get(link).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "eyJhIjoxfQ:1abc:def", "x" * 300])
def test_a_tampered_link_is_refused_without_a_500(db, client, token):
    response = client.get(reverse("portal:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "niet geldig" in response.content.decode()


def test_a_logged_in_user_of_another_agency_is_asked_to_log_out_first(cast, login, client, invite):
    # A first name no factory makes (a random employee on the page was once "van Noordeloos").
    invite(login(cast.admin_a), first_name="Quirijntje")
    link = link_from_last_email()
    response = login(cast.specialist_b).get(link, follow=True)
    page = response.content.decode()
    assert "Log eerst uit" in page
    assert "Quirijntje" not in page  # the invitee is not named to someone else
    assert cast.agency_a.invitations.get().accepted_at is None


def test_a_revoked_invitation_no_longer_works(cast, login, client, invite):
    invite(login(cast.admin_a))
    link = link_from_last_email()
    invitation = cast.agency_a.invitations.get()
    login(cast.admin_a).post(reverse("portal:invitation_revoke", args=[invitation.uuid]))
    client.logout()
    assert client.get(link).status_code == 410


def test_mismatched_or_weak_passwords_are_explained_and_nothing_is_created(
    cast, login, client, invite
):
    invite(login(cast.admin_a))
    link = link_from_last_email()
    client.logout()
    mismatch = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "komen niet overeen" in mismatch.content.decode()
    weak = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200
    assert "te kort" in weak.content.decode()
    assert not User.objects.filter(email="nieuw@example.nl").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "admin@a.example"}, "email", "Iemand in je bureau heeft al een account"),
        ({"email": "geen-email"}, "email", "Voer een geldig e-mailadres in."),
        ({"role": Role.EMPLOYER_CONTACT}, "employer", "Kies de werkgever"),
        ({"role": Role.EMPLOYEE}, "role", "Selecteer een geldige keuze."),
    ],
)
def test_invitation_form_errors_are_specific_and_translated(
    cast, login, data, field, message, invite
):
    response = invite(login(cast.admin_a), **data)
    assert response.status_code == 200
    assert any(message in str(e) for e in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not mail.outbox


def test_bvs_of_another_employer_or_agency_cannot_be_chosen(cast, login, invite):
    client = login(cast.admin_a)
    other_employer = invite(
        client,
        role=Role.EMPLOYER_CONTACT,
        employer=cast.employer_x.pk,
        all_legal_entities="",
        legal_entities=[cast.y1.pk],
    )
    assert other_employer.context["form"].errors["legal_entities"] == [
        "Kies alleen BV's van de gekozen werkgever."
    ]
    other_agency = invite(
        client,
        role=Role.EMPLOYER_CONTACT,
        employer=cast.employer_z.pk,
        all_legal_entities="on",
    )
    assert other_agency.status_code == 200
    assert "employer" in other_agency.context["form"].errors
    assert not mail.outbox


def test_invitee_password_login_works_after_accepting(cast, login, client, invite):
    invite(login(cast.admin_a), role=Role.AGENCY_ADMIN)
    link = link_from_last_email()
    client.logout()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    wrong = client.post(
        reverse("account_login"), {"login": "nieuw@example.nl", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert wrong.status_code == 200


def test_guessing_passwords_on_an_invitation_link_is_rate_limited(cast, login, client, invite):
    invite(login(cast.admin_a))
    link = link_from_last_email()
    client.logout()
    for _ in range(5):
        assert client.post(link, {"password1": "x", "password2": "y"}).status_code == 200
    blocked = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.content.decode()
    assert not User.objects.filter(email="nieuw@example.nl").exists()


def test_an_address_of_another_agency_is_answered_as_a_new_one(cast, login, invite):
    """Email addresses are one login across the platform, but the form must not tell an
    admin that another agency has someone with this address: taken and free answer alike."""
    client = login(cast.admin_a)
    answers = []
    for email in ("admin@b.example", "free@example.nl"):
        response = invite(client, email=email)
        answers.append((response.status_code, response.url))
        messages = [str(m) for m in client.get(response.url).context["messages"]]
        answers.append(tuple(m.replace(email, "EMAIL") for m in messages))
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert answers[0] == (302, reverse("portal:team"))


def test_the_owner_of_a_taken_address_is_told_and_the_link_cannot_make_a_second_account(
    cast, login, client, invite
):
    invite(login(cast.admin_a), email="admin@b.example")
    email = mail.outbox[-1]
    assert email.to == ["admin@b.example"]
    assert "heeft al een Spoorboek-account" in email.body
    assert "/uitnodiging/" not in email.body  # no link that cannot work
    invitation = cast.agency_a.invitations.get(email="admin@b.example")
    from portal.services import invitation_token

    client.logout()
    page = client.get(reverse("portal:invitation_accept", args=[invitation_token(invitation)]))
    assert page.status_code == 410
    assert "heeft al een Spoorboek-account" in page.content.decode()
    assert User.objects.filter(email__iexact="admin@b.example").count() == 1


def test_an_open_invitation_of_the_own_agency_is_named(cast, login, invite):
    client = login(cast.admin_a)
    invite(client)
    response = invite(client)
    assert response.status_code == 200
    assert "al een openstaande uitnodiging" in response.content.decode()
