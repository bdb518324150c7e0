"""Every error a user can meet is a page in the portal's look and their language with a way
back, or the API's error shape under /api/; ordinary refusals are not logged as tracebacks."""

import logging

import pytest
from django.urls import reverse

from portal.models import User


def _in_english(user):
    User.objects.filter(pk=user.pk).update(language="en")


def test_a_missing_page_is_branded_with_the_menu_and_a_way_back(cast, login):
    client = login(cast.employee_x1)
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Pagina niet gevonden" in html
    assert 'class="main-nav"' in html  # the menu the user knows
    assert f'href="{reverse("dashboards:home")}"' in html and "Naar je startpagina" in html


def test_a_missing_page_follows_the_users_language(cast, login):
    _in_english(cast.employee_x1)
    html = login(cast.employee_x1).get("/does-not-exist/").content.decode()
    assert "Page not found" in html and 'lang="en"' in html


def test_an_anonymous_visitor_is_offered_the_login(db, client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert reverse("account_login") in response.content.decode()


def test_a_refusal_is_a_branded_403_not_djangos_bare_page(cast, login):
    _in_english(cast.employee_x1)
    response = login(cast.employee_x1).get(reverse("trajecten:new"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "No access" in html and "403 Forbidden" not in html
    assert 'class="main-nav"' in html


def test_a_get_on_a_post_only_address_is_a_405_page(cast, login):
    _in_english(cast.admin_a)
    url = reverse("portal:invitation_resend", args=["00000000-0000-0000-0000-000000000000"])
    response = login(cast.admin_a).get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Not possible this way" in response.content.decode()


def test_a_failed_csrf_check_says_what_to_do(cast, client):
    _in_english(cast.employee_x1)
    client.handler.enforce_csrf_checks = True
    client.force_login(cast.employee_x1)
    response = client.post(reverse("set_language"), {"language": "pl"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form was open too long" in html and "reload the page" in html


@pytest.mark.urls("tests.portal.error_urls")
def test_a_fault_is_a_branded_500_without_details(cast, client):
    client.raise_request_exception = False
    client.force_login(cast.employee_x1)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Er ging iets mis" in html and "RuntimeError" not in html
    assert 'href="/"' in html


@pytest.mark.urls("tests.portal.error_urls")
def test_a_bad_request_is_a_branded_400(cast, login):
    response = login(cast.employee_x1).get("/bad/")
    assert response.status_code == 400
    assert "Verzoek niet begrepen" in response.content.decode()


@pytest.mark.urls("tests.portal.error_urls")
def test_api_errors_keep_the_api_shape(cast, client):
    client.raise_request_exception = False
    assert client.get("/api/v1/bestaat-niet/").json() == {
        "code": "not_found",
        "message": "Niet gevonden.",
    }
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500 and response.json()["code"] == "error"


def test_ordinary_refusals_are_one_line_in_the_log(cast, login, caplog):
    client = login(cast.employee_x1)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(reverse("trajecten:new"))
        client.get("/bestaat-niet/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert {r.status_code for r in records} == {403, 404}
    assert all(r.exc_info is None for r in records)


@pytest.mark.urls("tests.portal.error_urls")
def test_a_logout_racing_a_page_fetch_is_one_line_not_a_traceback(cast, client, caplog):
    """Issue 40, item 7: SessionInterrupted (a user logs out while the service worker fetches
    /offline/) is an expected race: a 400 and one line in the log."""
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/interrupted/")
    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.status_code == 400 and record.exc_info is None


@pytest.mark.urls("tests.portal.error_urls")
def test_a_real_fault_keeps_its_traceback(cast, client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        client.get("/boom/")
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None


def test_a_rate_limit_is_the_branded_429(cast, login):
    client = login(cast.specialist_a)
    url = reverse("portal:api_tokens")
    for n in range(10):
        client.post(url, {"name": f"t{n}", "valid_days": 30})
    response = client.post(url, {"name": "too many", "valid_days": 30})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Te veel pogingen" in html and "Foutcode 429" in html
    assert 'class="main-nav"' in html and "Naar je startpagina" in html
