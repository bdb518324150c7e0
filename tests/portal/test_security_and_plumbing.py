from django.urls import reverse

from portal.models import User


def test_pages_send_security_headers_and_a_strict_csp(cast, login):
    response = login(cast.admin_a).get(reverse("dashboards:home"))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_forms_are_csrf_protected(cast, client):
    client.handler.enforce_csrf_checks = True
    client.force_login(cast.employee_x1)
    response = client.post(reverse("set_language"), {"language": "pl"})
    assert response.status_code == 403


def test_language_switch_is_remembered_on_the_account(cast, login):
    client = login(cast.employee_x1)
    client.post(reverse("set_language"), {"language": "pl", "next": "/"})
    assert User.objects.get(pk=cast.employee_x1.pk).language == "pl"
    html = client.get(reverse("dashboards:home")).content.decode()
    assert 'lang="pl"' in html
    assert "Moja ścieżka" in html


def test_anonymous_visitors_can_pick_a_language_on_the_login_page(db, client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("account_login")).content.decode()
    assert 'lang="en"' in html


def test_health_check_answers_without_login(db, client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_there_is_no_public_sign_up(db, client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.nl",
            "password1": "Long-Pass-123",
            "password2": "Long-Pass-123",
        },
    )
    assert not User.objects.filter(email="stranger@example.nl").exists()
    assert response.status_code in (200, 403)


def test_users_see_and_revoke_only_their_own_api_tokens(cast, login):
    from portal.api_tokens import token_create
    from portal.models import ApiToken

    theirs, _raw = token_create(user=cast.specialist_a, name="theirs", read_only=True, valid_days=1)
    client = login(cast.admin_a)  # an admin of the same agency, even
    assert "theirs" not in client.get(reverse("portal:api_tokens")).content.decode()
    assert (
        client.post(reverse("portal:api_tokens"), {"revoke": str(theirs.uuid)}).status_code == 404
    )
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_notices_are_private_to_their_user(cast, login):
    from portal.models import Notification

    Notification.objects.create(agency=cast.agency_a, user=cast.contact_x1, text="FOR-X1", url="/")
    assert (
        "FOR-X1"
        in login(cast.contact_x1).get(reverse("rapportages:notifications")).content.decode()
    )
    for other in (cast.contact_x_all, cast.admin_a, cast.contact_z):
        client = login(other)
        assert "FOR-X1" not in client.get(reverse("rapportages:notifications")).content.decode()
        client.post(reverse("rapportages:notifications"))  # "mark all read" touches only theirs
    assert Notification.objects.get(text="FOR-X1").read_at is None


def test_creating_api_tokens_is_rate_limited_per_user(cast, login):
    from portal.models import ApiToken

    client = login(cast.specialist_a)
    url = reverse("portal:api_tokens")
    for n in range(10):
        assert client.post(url, {"name": f"t{n}", "valid_days": 30}).status_code == 302
    assert client.post(url, {"name": "too many", "valid_days": 30}).status_code == 429
    assert ApiToken.objects.filter(user=cast.specialist_a).count() == 10
    # Another user is not affected.
    assert login(cast.specialist_a2).post(url, {"name": "x", "valid_days": 30}).status_code == 302
