"""Webhooks (issue 43, item 3): events told to another system, signed, retried until the
receiver answers, logged and replayable, only to whom may see them, never into a private
network unless the operator allows it. A real receiver on 127.0.0.1 takes the deliveries."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from portal.constants import WebhookEvent
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.tasks import send_due_webhooks
from portal.webhooks import delivery as sending
from portal.webhooks import services
from tests.factories import TrajectoryFactory
from tests.portal.webhook_receiver import Receiver, free_port
from trajecten import services as trajecten_services
from trajecten.services.closing import trajectory_close

ALL = list(WebhookEvent.values)


def private_allowed():
    return override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True)


#: The operator's default: webhooks to public addresses only (the SSRF tests).
public_only = override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False)


@pytest.fixture(autouse=True)
def _receiver_on_this_host(settings):
    """The receiver of these tests listens on 127.0.0.1, which an operator allows with
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``; the SSRF tests take it away (``public_only``)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


def register(owner, url, events=ALL) -> WebhookEndpoint:
    with private_allowed():  # also where the test has taken it away after registering
        return services.webhook_endpoint_create(actor=owner, url=url, events=events)


def close(trajectory, actor, on_commit):
    return on_commit(
        trajectory_close,
        actor=actor,
        trajectory=trajectory,
        closing_reason="new_job",
        end_date=timezone.localdate(),
    )


@pytest.fixture
def referred(cast):
    return TrajectoryFactory(legal_entity=cast.x1, specialist=cast.specialist_a, referred=True)


# --- Delivered, signed ---------------------------------------------------------------------------


def test_an_accepted_referral_reaches_the_receiver_signed_as_standard_webhooks_says(
    cast, referred, on_commit
):
    with Receiver() as receiver:
        endpoint = register(cast.admin_a, receiver.url)
        on_commit(
            trajecten_services.referral_accept,
            actor=cast.admin_a,
            trajectory=referred,
            specialist=cast.specialist_a,
            start_date=timezone.localdate(),
        )
        [payload] = receiver.verified(endpoint.secret)  # raises if the signature is wrong
    headers = receiver.received[0][0]
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == delivery.message_id
    assert payload["type"] == "referral.accepted"
    assert payload["data"]["trajectory"]["id"] == str(referred.uuid)
    assert payload["data"]["trajectory"]["status"] == "active"
    assert payload["data"]["start_date"] == timezone.localdate().isoformat()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    with pytest.raises(Exception, match="signature"):  # another secret does not verify it
        receiver.verified(services.new_secret())


def test_a_payload_names_nobody(cast, on_commit):
    with Receiver() as receiver:
        register(cast.admin_a, receiver.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)
    body = receiver.received[0][1].decode()
    employee = cast.traj_x1.employee
    for personal in (employee.first_name, employee.last_name, employee.email, "Cast"):
        assert personal not in body
    assert json.loads(body)["data"]["closing_reason"] == "new_job"


def test_a_change_rolled_back_sends_nothing(cast, referred):
    """The delivery is made in the change's transaction (an outbox): no change, no event."""
    with Receiver() as receiver:
        register(cast.admin_a, receiver.url)
        with pytest.raises(RuntimeError), transaction.atomic():
            trajecten_services.referral_accept(
                actor=cast.admin_a,
                trajectory=referred,
                specialist=cast.specialist_a,
                start_date=timezone.localdate(),
            )
            raise RuntimeError("the request failed after the write")
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


# --- Down, then up -------------------------------------------------------------------------------


def test_a_receiver_that_fails_then_recovers_gets_the_same_message_and_loses_nothing(
    cast, on_commit
):
    with Receiver(answers=[500, 503]) as receiver:
        endpoint = register(cast.admin_a, receiver.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == (
            "pending", 1, 500,
        )  # fmt: skip
        assert send_due_webhooks() == 0  # not due yet: the next attempt waits a minute
        first = receiver.last_verified(endpoint.secret)
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert send_due_webhooks() == 1
            assert receiver.last_verified(endpoint.secret) == first  # the same message
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 2)
        assert delivery.next_attempt_at > timezone.now() + timedelta(minutes=6)  # then 5 min
        with time_machine.travel(timezone.now() + timedelta(minutes=9)):
            assert send_due_webhooks() == 1
            assert receiver.last_verified(endpoint.secret) == first
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 200)
    assert [entry["status"] for entry in delivery.log] == [500, 503, 200]
    assert {h["webhook-id"] for h, _body in receiver.received} == {delivery.message_id}
    assert len({h["webhook-timestamp"] for h, _body in receiver.received}) == 3  # each signed anew


def test_a_receiver_that_is_not_there_gets_it_once_it_is_up(cast, on_commit):
    port = free_port()
    endpoint = register(cast.admin_a, f"http://127.0.0.1:{port}/hooks")
    close(cast.traj_x1, cast.specialist_a, on_commit)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("pending", "connection")
    with (
        Receiver(port=port) as receiver,
        time_machine.travel(timezone.now() + timedelta(minutes=2)),
    ):
        send_due_webhooks()
        [payload] = receiver.verified(endpoint.secret)
    assert payload["type"] == "trajectory.closed"
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_after_every_attempt_failed_it_waits_in_the_log_and_is_sent_again_by_hand(
    cast, login, on_commit
):
    with Receiver(answers=[500] * sending.MAX_ATTEMPTS) as receiver:
        endpoint = register(cast.admin_a, receiver.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)
        moment = timezone.now()
        for wait in sending.RETRY_AFTER:
            moment += wait + timedelta(seconds=1)
            with time_machine.travel(moment):
                assert send_due_webhooks() == 1
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("failed", sending.MAX_ATTEMPTS)
        assert moment - delivery.created_at > timedelta(hours=27)
        with time_machine.travel(moment + timedelta(days=1)):
            assert send_due_webhooks() == 0  # failed: no more attempts by itself
        client = login(cast.admin_a)
        page = client.get(f"/webhooks/{endpoint.uuid}/")
        assert "Mislukt" in page.content.decode() or "Failed" in page.content.decode()
        response = on_commit(
            client.post, f"/webhooks/{endpoint.uuid}/", {"replay": str(delivery.uuid)}
        )
        assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, len(receiver.received)) == ("delivered", sending.MAX_ATTEMPTS + 1)
    page = client.get(f"/webhooks/{endpoint.uuid}/").content.decode()
    assert f"{sending.MAX_ATTEMPTS + 1} pogingen" in page  # every attempt, the replay's too


def test_two_workers_never_send_one_delivery_at_once(cast, on_commit):
    with Receiver(answers=[500]) as receiver:
        endpoint = register(cast.admin_a, receiver.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)
        delivery = WebhookDelivery.objects.get()
        later = timezone.now() + timedelta(minutes=2)
        with time_machine.travel(later):
            held = sending._claim(delivery.pk, timezone.now())
            assert held is not None
            assert sending.deliver(delivery_id=delivery.pk) is None  # the other worker
            assert sending.deliveries_due(now=timezone.now()) == []
        with time_machine.travel(later + sending.LEASE + timedelta(seconds=1)):
            # The first worker died: its lease ran out and the sweep takes it up again.
            assert send_due_webhooks() == 1
            receiver.last_verified(endpoint.secret)
    assert len(receiver.received) == 2


def test_a_switched_off_endpoint_keeps_its_events_until_it_is_on_again(cast, on_commit):
    with Receiver() as receiver:
        endpoint = register(cast.admin_a, receiver.url)
        services.webhook_endpoint_update(
            actor=cast.admin_a, endpoint=endpoint, url=receiver.url, events=ALL, is_active=False
        )
        close(cast.traj_x1, cast.specialist_a, on_commit)
        assert receiver.received == []
        assert WebhookDelivery.objects.get().status == "pending"
        on_commit(
            services.webhook_endpoint_update,
            actor=cast.admin_a, endpoint=endpoint, url=receiver.url, events=ALL, is_active=True,
        )  # fmt: skip
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == "delivered"


# --- Who hears what ---------------------------------------------------------------------------


def test_each_endpoint_hears_only_of_what_its_owner_may_see(cast, on_commit):
    with (
        Receiver() as agency_a,
        Receiver() as bv_x1,
        Receiver() as employer_y,
        Receiver() as agency_b,
    ):
        register(cast.admin_a, agency_a.url)
        register(cast.contact_x1, bv_x1.url)
        register(cast.contact_y, employer_y.url)
        register(cast.admin_b, agency_b.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)
        close(cast.traj_x2, cast.specialist_a2, on_commit)  # X2: not the x1 contact's BV
    told = {
        name: [json.loads(body)["data"]["trajectory"]["id"] for _h, body in r.received]
        for name, r in {"a": agency_a, "x1": bv_x1, "y": employer_y, "b": agency_b}.items()
    }
    assert told == {
        "a": [str(cast.traj_x1.uuid), str(cast.traj_x2.uuid)],
        "x1": [str(cast.traj_x1.uuid)],
        "y": [],
        "b": [],
    }


def test_an_endpoint_subscribed_to_other_events_hears_nothing_of_this_one(cast, on_commit):
    with Receiver() as receiver:
        register(cast.admin_a, receiver.url, events=["report.final"])
        close(cast.traj_x1, cast.specialist_a, on_commit)
    assert receiver.received == []


def test_an_endpoint_whose_owner_left_sends_nothing_and_keeps_its_events(cast, on_commit):
    with Receiver() as receiver:
        register(cast.contact_x_all, receiver.url)
        cast.contact_x_all.is_active = False
        cast.contact_x_all.save(update_fields=["is_active"])
        close(cast.traj_x1, cast.specialist_a, on_commit)
    assert receiver.received == []


# --- The five events -----------------------------------------------------------------------------


def test_an_intake_recorded_is_told_once_and_a_date_still_to_come_is_not(cast, referred, on_commit):
    today = timezone.localdate()
    with Receiver() as receiver:
        register(cast.admin_a, receiver.url, events=["intake.held"])
        update = trajecten_services.trajectory_update
        on_commit(
            update, actor=cast.admin_a, trajectory=referred, intake_date=today + timedelta(days=3)
        )
        on_commit(update, actor=cast.admin_a, trajectory=referred, intake_date=today)
        on_commit(update, actor=cast.admin_a, trajectory=referred, intake_date=today)  # unchanged
    payloads = [json.loads(body) for _h, body in receiver.received]
    assert [(p["type"], p["data"]["intake_date"]) for p in payloads] == [
        ("intake.held", today.isoformat())
    ]


def test_a_final_report_names_its_pdf_and_the_hash_of_it(cast, on_commit):
    from rapportages import services as report_services
    from tests.rapportages.test_faults import signed_report

    report = signed_report(cast, "Voortgang in de eerste periode.")
    with Receiver() as agency, Receiver() as contact:
        register(cast.admin_a, agency.url, events=["report.final"])
        register(cast.contact_x1, contact.url, events=["report.final"])
        on_commit(report_services.report_render, report_id=report.pk)
    report.refresh_from_db()
    for receiver in (agency, contact):
        [payload] = [json.loads(body) for _h, body in receiver.received]
        told = payload["data"]["report"]
        assert told["id"] == str(report.uuid)
        assert told["pdf_sha256"] == report.pdf_sha256 != ""
        assert told["pdf_url"].endswith(f"/api/v1/reports/{report.uuid}/pdf/")
        assert (told["kind"], told["number"], told["version"]) == ("progress", 1, 1)


def test_the_pdf_a_final_report_names_is_the_one_its_hash_says(cast, on_commit):
    """The receiver fetches the PDF with the contact's token and checks the hash."""
    import hashlib

    from rest_framework.test import APIClient

    from portal.api_tokens import token_create
    from rapportages import services as report_services
    from tests.rapportages.test_faults import signed_report

    report = signed_report(cast, "Voortgang in de eerste periode.")
    with Receiver() as receiver:
        register(cast.contact_x1, receiver.url, events=["report.final"])
        on_commit(report_services.report_render, report_id=report.pk)
    told = json.loads(receiver.received[0][1])["data"]["report"]
    _token, raw = token_create(user=cast.contact_x1, name="verzuim", read_only=True, valid_days=30)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    pdf = api.get(told["pdf_url"].removeprefix("http://127.0.0.1:8000"))
    assert pdf.status_code == 200
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == told["pdf_sha256"]


def test_riv_findings_changed_is_told_when_they_change_and_only_then(cast, on_commit):
    from rapportages import services as report_services

    with Receiver() as receiver:
        register(cast.admin_a, receiver.url, events=["riv.findings_changed"])
        start = timezone.now()
        assert on_commit(report_services.riv_findings_tell, today=timezone.localdate()) == 0
        assert on_commit(report_services.riv_findings_tell, today=timezone.localdate()) == 0
        # Months later without a conversation or a report: the file has findings it lacked.
        later = start + timedelta(days=200)
        with time_machine.travel(later):
            made = on_commit(report_services.riv_findings_tell, today=timezone.localdate())
            assert made >= 1
            assert on_commit(report_services.riv_findings_tell, today=timezone.localdate()) == 0
            payloads = [json.loads(body) for _h, body in receiver.received]
    assert len(payloads) == made
    told = {p["data"]["trajectory"]["id"]: p["data"]["riv"] for p in payloads}
    assert set(told) <= {str(t.uuid) for t in (cast.traj_x1, cast.traj_x2, cast.traj_y1)}
    for riv in told.values():
        assert riv["open"] and {"rule", "code", "severity", "question"} <= set(riv["open"][0])


# --- SSRF ---------------------------------------------------------------------------------------


@public_only
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.10/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
    ],
)
def test_an_address_in_a_private_network_is_refused_when_registering(cast, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_endpoint_create(actor=cast.admin_a, url=url, events=ALL)
    assert "url" in refused.value.message_dict


@public_only
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://93.184.215.14/hooks", "https://"),
        ("ftp://93.184.215.14/hooks", "https://"),
        ("https://user:pw@93.184.215.14/hooks", "wachtwoord"),
        ("https://nowhere.invalid/hooks", "niet te vinden"),
    ],
)
def test_an_address_that_is_not_https_to_a_known_host_is_refused(cast, url, says):
    with pytest.raises(ValidationError, match=says):
        services.webhook_endpoint_create(actor=cast.admin_a, url=url, events=ALL)


def test_a_public_https_address_is_accepted(cast):
    endpoint = services.webhook_endpoint_create(
        actor=cast.admin_a, url="https://93.184.215.14/hooks", events=["report.final"]
    )
    assert endpoint.secret.startswith("whsec_")


@public_only
def test_a_name_that_points_into_a_private_network_at_sending_time_is_not_sent_to(cast, on_commit):
    """DNS may change after registering (rebinding): the address is checked when connecting."""
    with Receiver() as receiver:
        endpoint = register(cast.admin_a, receiver.url)  # allowed when registered
        close(cast.traj_x1, cast.specialist_a, on_commit)  # the operator has switched it off
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.last_error, delivery.response_status) == (
        "pending", "refused", None,
    )  # fmt: skip


def test_a_redirect_is_not_followed(cast, on_commit):
    with Receiver(answers=[307]) as receiver:
        register(cast.admin_a, receiver.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error, delivery.response_status) == (
        "pending", "redirect", 307,
    )  # fmt: skip
    assert len(receiver.received) == 1


def test_no_event_chosen_is_refused(cast):
    with pytest.raises(ValidationError, match="ten minste één gebeurtenis"):
        services.webhook_endpoint_create(
            actor=cast.admin_a, url="https://93.184.215.14/hooks", events=["nonsense"]
        )


@pytest.mark.parametrize("who", ["specialist_a", "employee_x1"])
def test_only_admins_and_employer_contacts_register_endpoints(cast, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.webhook_endpoint_create(
            actor=getattr(cast, who), url="https://93.184.215.14/hooks", events=ALL
        )


def test_delivered_messages_leave_the_log_after_90_days_and_undelivered_ones_stay(cast, on_commit):
    from portal.tasks import prune_webhook_log

    with Receiver(answers=[200, 500]) as receiver:
        register(cast.admin_a, receiver.url)
        close(cast.traj_x1, cast.specialist_a, on_commit)  # delivered
        close(cast.traj_x2, cast.specialist_a2, on_commit)  # waiting for its next attempt
    with time_machine.travel(timezone.now() + timedelta(days=89)):
        assert prune_webhook_log() == 0
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert prune_webhook_log() == 1
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]
