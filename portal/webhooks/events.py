"""What an event says, and to whom: ``emit`` makes one delivery per endpoint that may hear it.

A payload holds ids, dates and statuses, never a name, a note or a medical word: the
receiver fetches what its token may read through the API. Its shape is Standard Webhooks'
(``type``, ``timestamp``, ``data``), documented in docs/webhooks.md."""

import json
from collections.abc import Iterable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from .. import access
from ..models import WebhookDelivery, WebhookEndpoint


def emit(
    event: str, *, subject: Model, data: dict, endpoints: Iterable[WebhookEndpoint] | None = None
) -> list[WebhookDelivery]:
    """Within the caller's transaction: a delivery of ``event`` for every endpoint of
    ``subject``'s agency (or of ``endpoints``) that subscribes to it and whose owner may see
    ``subject`` now; each is sent after the commit. An endpoint switched off gets its
    deliveries too: they wait until it is on again. Returns the deliveries made."""
    if endpoints is None:
        endpoints = WebhookEndpoint.objects.filter(agency_id=subject.agency_id).select_related(
            "owner"
        )
    body = None
    made = []
    for endpoint in endpoints:
        if event not in endpoint.events or not access.is_visible(endpoint.owner, subject):
            continue
        body = body or dumps(event, data)
        made.append(delivery_for(endpoint, event, body))
    return made


def dumps(event: str, data: dict) -> str:
    return json.dumps(
        {"type": event, "timestamp": timezone.now(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def delivery_for(endpoint: WebhookEndpoint, event: str, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, body=body, next_attempt_at=timezone.now()
    )
    from ..tasks import send_webhook

    pk, agency_id = delivery.pk, delivery.agency_id
    transaction.on_commit(lambda: send_webhook.delay(pk, agency_id=agency_id), robust=True)
    return delivery


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def trajectory_data(trajectory) -> dict:
    """A trajectory as every event names it: its id, the verzuim system's own reference when
    it came as an order (``POST /api/v1/referrals/``), its status, and where the API has it
    (the order's address for an ordered one: an orders token reaches nothing else)."""
    reference = trajectory.external_ref.split(":", 2)[2] if trajectory.ordered else None
    if reference:
        url = reverse("referral-detail", kwargs={"reference": reference})
    else:
        url = reverse("trajectory-detail", kwargs={"uuid": trajectory.uuid})
    return {
        "id": str(trajectory.uuid),
        "reference": reference,
        "status": trajectory.status,
        "url": absolute(url),
    }


def tell(
    event: str,
    trajectory,
    *,
    subject: Model | None = None,
    endpoints: Iterable[WebhookEndpoint] | None = None,
    **data,
) -> list[WebhookDelivery]:
    """``emit`` of an event about ``trajectory`` (or about ``subject`` of it, a report): the
    trajectory as ``trajectory_data`` gives it, and ``data`` beside it."""
    return emit(
        event,
        subject=subject or trajectory,
        data={"trajectory": trajectory_data(trajectory), **data},
        endpoints=endpoints,
    )
