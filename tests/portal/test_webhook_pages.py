"""The webhook pages: registering an endpoint, its secret, test, log and replay, in the user's
language, to whom they belong only (an agency's endpoints are its admins', a contact's are
theirs alone), with a fixed number of queries whatever the log holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.constants import WebhookEvent
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks import services
from tests.conftest import CAST_NAMES, enrol_totp
from tests.portal.webhook_receiver import Receiver

ALL = list(WebhookEvent.values)


@pytest.fixture(autouse=True)
def _receiver_on_this_host(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def endpoints(cast):
    """One of agency A's admins, one of each employer contact of X, one of agency B."""
    made = {}
    for who in ("admin_a", "contact_x_all", "contact_x1", "admin_b"):
        made[who] = services.webhook_endpoint_create(
            actor=getattr(cast, who), url=f"http://127.0.0.1:9/{who}", events=ALL
        )
    return made


#: endpoint -> who sees it (the others get 404)
SEES = {
    "admin_a": {"admin_a"},
    "contact_x_all": {"contact_x_all"},
    "contact_x1": {"contact_x1"},
    "admin_b": {"admin_b"},
}


@pytest.mark.parametrize("endpoint", SEES)
@pytest.mark.parametrize("who", CAST_NAMES)
def test_an_endpoint_s_page_is_404_to_everyone_but_whom_it_belongs_to(
    cast, login, endpoints, endpoint, who
):
    response = login(getattr(cast, who)).get(f"/webhooks/{endpoints[endpoint].uuid}/")
    assert response.status_code == (200 if who in SEES[endpoint] else 404)


def test_a_second_admin_of_the_agency_shares_its_endpoints(cast, login, endpoints):
    from tests.factories import UserFactory

    colleague = UserFactory(agency=cast.agency_a, admin=True)
    enrol_totp(colleague)
    client = login(colleague)
    assert client.get(f"/webhooks/{endpoints['admin_a'].uuid}/").status_code == 200
    assert client.get(f"/webhooks/{endpoints['contact_x_all'].uuid}/").status_code == 404


@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_list_shows_exactly_the_own_endpoints(cast, login, endpoints, who):
    response = login(getattr(cast, who)).get("/webhooks/")
    if who in ("specialist_a", "specialist_a2", "specialist_b") or who.startswith("employee"):
        assert response.status_code == 404
        return
    page = response.content.decode()
    for owner, endpoint in endpoints.items():
        assert (endpoint.url in page) == (owner == who)


@pytest.mark.parametrize("who", ["admin_b", "contact_x1", "contact_y", "specialist_a"])
def test_nobody_else_can_test_replay_or_remove_an_endpoint(cast, login, endpoints, who):
    endpoint = endpoints["admin_a"]
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="x", body="{}")
    client = login(getattr(cast, who))
    for data in ({"test": 1}, {"replay": str(delivery.uuid)}, {"delete": 1}, {"renew_secret": 1}):
        assert client.post(f"/webhooks/{endpoint.uuid}/", data).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_delivery_of_another_endpoint_cannot_be_replayed_through_this_one(cast, login, endpoints):
    """The contact's own endpoint's page, with the admin's delivery: 404, as for nothing."""
    other = WebhookDelivery.objects.create(endpoint=endpoints["admin_a"], event="x", body="{}")
    client = login(cast.contact_x1)
    response = client.post(
        f"/webhooks/{endpoints['contact_x1'].uuid}/", {"replay": str(other.uuid)}
    )
    assert response.status_code == 404
    for malformed in ("x", "0" * 36):
        url = f"/webhooks/{endpoints['contact_x1'].uuid}/"
        assert client.post(url, {"replay": malformed}).status_code == 404


def test_registering_in_dutch_says_what_is_wrong_and_keeps_what_was_typed(cast, login, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client = login(cast.admin_a)
    response = client.post("/webhooks/", {"url": "https://10.0.0.8/hooks", "description": "Xpert"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "privénetwerk" in page
    assert "Kies ten minste één gebeurtenis." in page
    assert 'value="Xpert"' in page and "https://10.0.0.8/hooks" in page
    assert not WebhookEndpoint.objects.exists()


def test_registering_in_polish(cast, login, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    cast.contact_x1.language = "pl"
    cast.contact_x1.save(update_fields=["language"])
    client = login(cast.contact_x1)
    client.cookies["django_language"] = "pl"
    response = client.post("/webhooks/", {"url": "ftp://example.com/"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert "https://" in response.content.decode()
    assert "Wybierz co najmniej jedno zdarzenie." in response.content.decode()


def test_the_flow_register_show_the_secret_test_and_read_the_log(cast, login, on_commit):
    client = login(cast.contact_x_all)
    with Receiver() as receiver:
        response = client.post(
            "/webhooks/",
            {"url": receiver.url, "description": "Xpert Suite", "events": ["report.final"]},
        )
        endpoint = WebhookEndpoint.objects.get()
        assert response.status_code == 302
        assert response.url == f"/webhooks/{endpoint.uuid}/"
        page = client.get(response.url).content.decode()
        assert endpoint.secret in page
        on_commit(client.post, response.url, {"test": 1})
        payload = receiver.last_verified(endpoint.secret)
    assert payload["type"] == "webhook.test"
    page = client.get(response.url).content.decode()
    assert "webhook.test" in page and "HTTP 200" in page and "Afgeleverd" in page


def test_a_new_secret_signs_from_then_on(cast, login, on_commit):
    client = login(cast.admin_a)
    with Receiver() as receiver:
        endpoint = services.webhook_endpoint_create(
            actor=cast.admin_a, url=receiver.url, events=ALL
        )
        old = endpoint.secret
        client.post(f"/webhooks/{endpoint.uuid}/", {"renew_secret": 1})
        endpoint.refresh_from_db()
        assert endpoint.secret != old
        on_commit(client.post, f"/webhooks/{endpoint.uuid}/", {"test": 1})
        receiver.last_verified(endpoint.secret)
        with pytest.raises(Exception, match="signature"):
            receiver.last_verified(old)


def test_editing_and_removing(cast, login):
    client = login(cast.admin_a)
    endpoint = services.webhook_endpoint_create(
        actor=cast.admin_a, url="http://127.0.0.1:9/a", events=ALL
    )
    response = client.post(
        f"/webhooks/{endpoint.uuid}/",
        {"url": "http://127.0.0.1:9/b", "events": ["trajectory.closed"], "is_active": ""},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == (
        "http://127.0.0.1:9/b", ["trajectory.closed"], False,
    )  # fmt: skip
    assert client.post(f"/webhooks/{endpoint.uuid}/", {"delete": 1}).status_code == 302
    assert not WebhookEndpoint.objects.exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_make_the_same_number_of_queries_for_one_row_and_many(cast, login):
    client = login(cast.admin_a)
    first = services.webhook_endpoint_create(
        actor=cast.admin_a, url="http://127.0.0.1:9/a", events=ALL
    )
    WebhookDelivery.objects.create(endpoint=first, event="trajectory.closed", body="{}")
    one_list, one_log = _queries(client, "/webhooks/"), _queries(client, f"/webhooks/{first.uuid}/")
    for n in range(5):
        services.webhook_endpoint_create(
            actor=cast.admin_a, url=f"http://127.0.0.1:9/{n}", events=ALL
        )
    for _n in range(20):
        WebhookDelivery.objects.create(
            endpoint=first,
            event="report.final",
            body="{}",
            log=[{"at": "2026-12-06T10:00:00+00:00", "status": 500, "error": "http", "ms": 3}],
        )
    assert _queries(client, "/webhooks/") == one_list
    assert _queries(client, f"/webhooks/{first.uuid}/") == one_log


def test_the_menu_leads_admins_and_contacts_to_it_only(cast, login):
    assert "/webhooks/" in login(cast.admin_a).get("/").content.decode()
    assert "/webhooks/" in login(cast.contact_x1).get("/").content.decode()
    assert "/webhooks/" not in login(cast.specialist_a).get("/").content.decode()


def test_a_test_or_replay_that_would_only_wait_is_refused_and_says_why(cast, login):
    from tests.factories import UserFactory

    colleague = UserFactory(agency=cast.agency_a, admin=True)
    enrol_totp(colleague)
    endpoint = services.webhook_endpoint_create(
        actor=cast.admin_a, url="http://127.0.0.1:9/a", events=ALL
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="report.final", body="{}", status="failed"
    )
    client = login(colleague)
    url = f"/webhooks/{endpoint.uuid}/"
    client.post(url, {"url": endpoint.url, "events": ALL, "is_active": ""})  # switched off
    for data in ({"test": 1}, {"replay": str(delivery.uuid)}, {"replay_failed": 1}):
        page = client.post(url, data, follow=True).content.decode()
        assert "Zet het adres eerst aan." in page
    client.post(url, {"url": endpoint.url, "events": ALL, "is_active": "on"})
    cast.admin_a.is_active = False  # the owner left
    cast.admin_a.save(update_fields=["is_active"])
    page = client.post(url, {"test": 1}, follow=True).content.decode()
    assert "account van de eigenaar is gesloten" in page
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed"]
