"""``/api/v1/webhooks/``: a system registers and follows its own endpoints with its token (a
verzuim system's orders token too), through the same services and rules as the pages."""

import pytest
from rest_framework.test import APIClient

from portal.api_tokens import token_create
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks import services
from tests.portal.webhook_receiver import Receiver

URL = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def _receiver_on_this_host(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


def api(user, **token):
    _token, raw = token_create(
        user=user, name="system", read_only=token.pop("read_only", False), valid_days=30, **token
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="nl")
    return client


def test_an_orders_token_registers_an_endpoint_and_hears_of_its_test(cast, on_commit):
    client = api(cast.contact_x_all, orders_only=True)
    with Receiver() as receiver:
        made = client.post(
            URL, {"url": receiver.url, "events": ["report.final", "trajectory.closed"]},
            format="json",
        )  # fmt: skip
        assert made.status_code == 201, made.json()
        body = made.json()
        assert body["events"] == ["report.final", "trajectory.closed"]
        assert body["secret"].startswith("whsec_")
        tested = on_commit(client.post, f"{URL}{body['uuid']}/test/")
        assert tested.status_code == 202
        assert receiver.last_verified(body["secret"])["type"] == "webhook.test"
    log = client.get(f"{URL}{body['uuid']}/deliveries/").json()["results"]
    assert [(d["event"], d["status"], d["attempts"]) for d in log] == [
        ("webhook.test", "delivered", 1)
    ]


def test_refusals_are_the_pages_in_the_users_language(cast, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = api(cast.admin_a).post(
        URL, {"url": "https://10.0.0.8/x", "events": ["nonsense"]}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "privénetwerk" in fields["url"][0]
    assert fields["events"] == ["Kies ten minste één gebeurtenis."]


@pytest.mark.parametrize("who", ["admin_b", "contact_x1", "contact_y", "admin_a"])
def test_another_s_endpoint_is_404_for_every_action(cast, who):
    endpoint = services.webhook_endpoint_create(
        actor=cast.contact_x_all, url="http://127.0.0.1:9/x", events=["report.final"]
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="x", body="{}")
    client = api(getattr(cast, who))
    detail = f"{URL}{endpoint.uuid}/"
    assert client.get(detail).status_code == 404
    assert client.get(detail + "deliveries/").status_code == 404
    assert client.post(detail + "test/").status_code == 404
    assert client.post(detail + "replay/", {"delivery": str(delivery.uuid)}).status_code == 404
    assert client.post(detail + "renew-secret/").status_code == 404
    assert client.delete(detail).status_code == 404
    assert client.get(URL).json()["results"] == [] or who == "admin_a"
    assert endpoint.url not in str(client.get(URL).json())


def test_a_delivery_of_another_endpoint_is_404_through_ones_own(cast):
    own = services.webhook_endpoint_create(
        actor=cast.contact_x1, url="http://127.0.0.1:9/own", events=["report.final"]
    )
    other = services.webhook_endpoint_create(
        actor=cast.admin_a, url="http://127.0.0.1:9/other", events=["report.final"]
    )
    theirs = WebhookDelivery.objects.create(endpoint=other, event="x", body="{}")
    client = api(cast.contact_x1)
    response = client.post(f"{URL}{own.uuid}/replay/", {"delivery": str(theirs.uuid)})
    assert response.status_code == 404


def test_change_replay_and_remove(cast, on_commit):
    client = api(cast.admin_a)
    with Receiver(answers=[500]) as receiver:
        endpoint = services.webhook_endpoint_create(
            actor=cast.admin_a, url=receiver.url, events=["report.final"]
        )
        on_commit(client.post, f"{URL}{endpoint.uuid}/test/")
        failed = WebhookDelivery.objects.get()
        assert failed.status == "pending"
        WebhookDelivery.objects.filter(pk=failed.pk).update(status="failed")
        replayed = on_commit(client.post, f"{URL}{endpoint.uuid}/replay/", {}, format="json")
        assert replayed.status_code == 202
    failed.refresh_from_db()
    assert failed.status == "delivered"
    changed = client.put(
        f"{URL}{endpoint.uuid}/",
        {"url": "http://127.0.0.1:9/new", "events": ["trajectory.closed"], "is_active": False},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["is_active"], changed.json()["events"]) == (False, ["trajectory.closed"])
    old_secret = changed.json()["secret"]
    renewed = client.post(f"{URL}{endpoint.uuid}/renew-secret/").json()["secret"]
    assert renewed != old_secret
    assert client.delete(f"{URL}{endpoint.uuid}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_a_read_only_token_reads_but_does_not_register(cast):
    client = api(cast.admin_a, read_only=True)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"url": "http://127.0.0.1:9/x", "events": ["report.final"]})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["specialist_a", "employee_x1"])
def test_who_registers_no_endpoints_is_refused(cast, who):
    response = api(getattr(cast, who)).post(
        URL, {"url": "http://127.0.0.1:9/x", "events": ["report.final"]}, format="json"
    )
    assert response.status_code == 403
