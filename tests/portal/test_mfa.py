"""MFA: staff cannot reach personal data before enrolling, and once enrolled, a password alone
never yields a logged-in session, by any route."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from tests.conftest import enrol_totp
from tests.factories import PASSWORD, TrajectoryFactory, UserFactory


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def password_login(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


@pytest.mark.parametrize("role", ["admin", "specialist", "contact"])
def test_staff_without_mfa_are_sent_to_enrolment_from_every_page(db, login, role):
    user = UserFactory(**{role: True})
    trajectory = TrajectoryFactory(legal_entity__employer__agency=user.agency)
    client = login(user)
    for url in [
        reverse("dashboards:home"),
        reverse("portal:employer_list"),
        reverse("trajecten:file", args=[trajectory.uuid]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_activate_totp")
    # Enrolment itself stays reachable (after re-entering the password, as allauth asks).
    assert client.get(reverse("mfa_activate_totp"), follow=True).status_code == 200


def test_employee_may_use_the_portal_without_mfa(db, login):
    employee = UserFactory(employee=True)
    assert login(employee).get(reverse("dashboards:home")).status_code == 200


def test_platform_operator_without_mfa_cannot_open_the_admin(db, login):
    operator = UserFactory(platform=True)
    response = login(operator).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_demo_users_are_exempt_only_while_debug_is_on(db, login, settings):
    demo = UserFactory(specialist=True, is_demo=True)
    client = login(demo)
    settings.EMBEDDED = False
    assert client.get(reverse("dashboards:home")).status_code == 302
    settings.EMBEDDED = True
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_enrolling_totp_in_the_browser_opens_the_portal(db, client):
    user = UserFactory(specialist=True)
    password_login(client, user)
    assert client.get(reverse("dashboards:home")).url == reverse("mfa_activate_totp")
    # allauth asks for the password once more before an authenticator is added.
    reauth = client.get(reverse("mfa_activate_totp"))
    assert reauth.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_password_alone_does_not_log_in_an_enrolled_user(db, client):
    user = UserFactory(specialist=True)
    enrol_totp(user)
    response = password_login(client, user)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not is_logged_in(client)
    assert client.get(reverse("dashboards:home")).status_code == 302


def test_correct_totp_completes_the_login(db, client):
    user = UserFactory(specialist=True)
    secret = enrol_totp(user)
    password_login(client, user)
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.get(reverse("dashboards:home")).status_code == 200


@pytest.mark.parametrize(
    ("language", "message"),
    [("nl", "Ongeldige code."), ("pl", "Błędny kod."), ("en", "Incorrect code.")],
)
def test_wrong_totp_is_refused_with_a_translated_message(db, client, language, message):
    user = UserFactory(specialist=True, language=language)
    enrol_totp(user)
    client.cookies["django_language"] = language
    password_login(client, user)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not is_logged_in(client)


def test_password_reset_never_logs_in(db, client):
    user = UserFactory(specialist=True)
    enrol_totp(user)
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password/reset/key/\S+", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "A-brand-new-Passw0rd"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert not is_logged_in(client)
    # The new password still leads to the MFA step, not into the portal.
    assert password_login(client, user, new_password).url == reverse("mfa_authenticate")
    assert not is_logged_in(client)


def test_admin_login_goes_through_allauth_and_its_mfa_step(db, client):
    operator = UserFactory(platform=True)
    enrol_totp(operator)
    response = client.post(
        reverse("admin:login"), {"username": operator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not is_logged_in(client)
    assert password_login(client, operator).url == reverse("mfa_authenticate")
    assert not is_logged_in(client)


def test_agency_users_never_reach_the_django_admin(cast, login):
    response = login(cast.admin_a).get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_wrong_password_is_refused_with_a_translated_message(db, client):
    user = UserFactory(specialist=True)
    client.cookies["django_language"] = "nl"
    response = password_login(client, user, "not-the-password")
    assert response.status_code == 200
    assert "wachtwoord is niet correct" in response.content.decode()


def test_malformed_email_on_login_is_a_form_error_not_a_500(db, client):
    client.cookies["django_language"] = "nl"
    response = client.post(reverse("account_login"), {"login": "not an email", "password": "x"})
    assert response.status_code == 200
    assert "e-mailadres" in response.content.decode().lower()


def test_login_is_blocked_after_repeated_failures_even_with_the_right_password(db, client):
    user = UserFactory(employee=True)
    for _ in range(5):
        password_login(client, user, "wrong")
    response = password_login(client, user)
    assert "Te veel mislukte inlogpogingen" in response.content.decode()
    assert not is_logged_in(client)


def test_session_ends_after_the_idle_time_and_not_before(db, settings, login):
    user = UserFactory(employee=True)
    idle = settings.SESSION_IDLE_MINUTES
    with time_machine.travel("2026-03-02 09:00 +0100", tick=False) as traveller:
        client = login(user)
        assert client.get(reverse("dashboards:home")).status_code == 200
        traveller.shift(timedelta(minutes=idle - 1))
        assert client.get(reverse("dashboards:home")).status_code == 200  # activity renews it
        traveller.shift(timedelta(minutes=idle - 1))
        assert client.get(reverse("dashboards:home")).status_code == 200
        traveller.shift(timedelta(minutes=idle + 1))
        response = client.get(reverse("dashboards:home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_a_recovery_code_completes_the_login_once(db, client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = UserFactory(specialist=True)
    enrol_totp(user)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert is_logged_in(client)
    client.logout()
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert not is_logged_in(client)  # a recovery code works only once


def test_an_unverified_email_address_cannot_log_in_and_gets_a_verification_mail(db, client):
    user = UserFactory(employee=True)
    user.emailaddress_set.update(verified=False)
    response = password_login(client, user)
    assert not is_logged_in(client)
    assert response.url == reverse("account_email_verification_sent")
    assert mail.outbox[-1].to == [user.email]


# The clock stands still: a 30-second boundary passing between the two codes would make the
# "previous" code two periods old (it failed that way once, on a busy machine).
@time_machine.travel(time.time(), tick=False)
def test_a_code_from_the_previous_30_seconds_still_works_but_an_older_one_not(db, client):
    user = UserFactory(specialist=True)
    secret = enrol_totp(user)
    step = int(time.time()) // 30
    password_login(client, user)
    client.post(
        reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(secret, step - 3))}
    )
    assert not is_logged_in(client)
    client.post(
        reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(secret, step - 1))}
    )
    assert is_logged_in(client)


def test_a_wrong_code_is_recorded_in_the_audit_trail_without_the_code(db, client):
    from portal.models import AuditEvent

    user = UserFactory(specialist=True)
    enrol_totp(user)
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": "000000"}, REMOTE_ADDR="198.51.100.9")
    event = AuditEvent.objects.get(action="mfa_failed")
    assert event.actor == user and event.agency_id == user.agency_id
    assert event.ip_address == "198.51.100.9"
    assert "000000" not in str(event.details)
    assert not is_logged_in(client)


def test_guessing_the_authenticator_code_is_stopped_after_five_tries(db, client):
    """Per account (allauth's ``login_failed`` limit, five in five minutes): the sixth code is
    refused even when it is right."""
    user = UserFactory(specialist=True)
    secret = enrol_totp(user)
    password_login(client, user)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert "Te veel mislukte inlogpogingen" in response.content.decode()
    assert not is_logged_in(client)


def test_logging_in_gives_a_new_session_key(db, client):
    """Session fixation: a key planted before the login is not the key of the logged-in
    session."""
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    user = UserFactory(specialist=True)
    secret = enrol_totp(user)
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert is_logged_in(client)
    assert client.session.session_key != planted
