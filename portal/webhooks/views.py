"""The webhook pages: the endpoints of the user (an agency's admins share theirs), one
endpoint with its secret, its log and its buttons."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import access
from ..constants import WEBHOOK_TEST_EVENT, DeliveryStatus, WebhookEvent
from ..models import WebhookDelivery, WebhookEndpoint
from ..shortcuts import act, submit
from . import services
from .delivery import ERRORS, MAX_ATTEMPTS
from .forms import EndpointForm

LOG_PAGE_SIZE = 25


def _event_names() -> dict[str, str]:
    return {**dict(WebhookEvent.choices), WEBHOOK_TEST_EVENT: _("Test event")}


def _required(request) -> None:
    if not access.can_manage_webhooks(request.user):
        raise Http404


@login_required
def endpoints(request):
    _required(request)
    form = EndpointForm(request.POST or None)
    made = submit(
        request,
        form,
        lambda data: services.webhook_endpoint_create(actor=request.user, **data),
        success=_("The endpoint is registered. Give its secret to the receiving system."),
    )
    if made:
        return redirect("portal:webhook", uuid=made.uuid)
    listed = (
        WebhookEndpoint.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            last_delivered=Max("deliveries__delivered_at"),
        )
    )
    return render(
        request,
        "portal/webhooks/endpoints.html",
        {"form": form, "endpoints": listed, "event_names": _event_names()},
    )


@login_required
def endpoint(request, uuid):
    _required(request)
    found = access.get_visible_or_404(
        WebhookEndpoint.objects.visible_to(request.user).select_related("owner"), uuid=uuid
    )
    if request.method == "POST" and (done := _button(request, found)):
        return done
    form = EndpointForm(
        request.POST or None,
        editing=True,
        initial={
            "url": found.url,
            "description": found.description,
            "events": found.events,
            "is_active": found.is_active,
        },
    )
    saved = submit(
        request,
        form,
        lambda data: services.webhook_endpoint_update(actor=request.user, endpoint=found, **data),
        success=_("The endpoint is saved."),
    )
    if saved:
        return redirect("portal:webhook", uuid=found.uuid)
    log = WebhookDelivery.objects.visible_to(request.user).filter(endpoint=found)
    status = request.GET.get("status")
    if status in DeliveryStatus.values:
        log = log.filter(status=status)
    page = Paginator(log.order_by("-created_at", "-id"), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/webhooks/endpoint.html",
        {
            "endpoint": found,
            "form": form,
            "page": page,
            "status": status if status in DeliveryStatus.values else "",
            "statuses": DeliveryStatus.choices,
            "errors": ERRORS,
            "max_attempts": MAX_ATTEMPTS,
            "event_names": _event_names(),
        },
    )


def _button(request, found):
    """The endpoint's buttons (no form to fill in); ``None`` for the edit form's POST."""
    user, post = request.user, request.POST
    buttons = {
        "test": (
            lambda: services.webhook_test(actor=user, endpoint=found),
            _("A test event is on its way; its delivery is at the top of the log."),
        ),
        "renew_secret": (
            lambda: services.webhook_secret_renew(actor=user, endpoint=found),
            _("A new secret signs from now on. Give it to the receiving system."),
        ),
        "replay_failed": (
            lambda: services.webhook_replay_failed(actor=user, endpoint=found),
            lambda n: (
                ngettext("%(n)s delivery is sent again.", "%(n)s deliveries are sent again.", n)
                % {"n": n}
            ),
        ),
        "delete": (
            lambda: services.webhook_endpoint_delete(actor=user, endpoint=found),
            _("The endpoint has been removed."),
        ),
    }
    if "replay" in post:  # one message of this endpoint's log (another's is a 404)
        delivery = access.get_visible_or_404(
            WebhookDelivery.objects.visible_to(user).filter(endpoint=found), uuid=post["replay"]
        )
        buttons["replay"] = (
            lambda: services.webhook_replay(actor=user, delivery=delivery),
            _("The delivery is sent again."),
        )
    pressed = next((name for name in buttons if name in post), None)
    if pressed is None:
        return None
    write, success = buttons[pressed]
    act(request, write, success=success)
    if pressed == "delete":
        return redirect("portal:webhooks")
    return redirect("portal:webhook", uuid=found.uuid)
