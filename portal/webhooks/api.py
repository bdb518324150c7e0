"""``/api/v1/webhooks/``: a system registers and follows its own endpoints (a verzuim system
with its orders token, next to ``/api/v1/referrals/``). The same services and rules as the
pages: an endpoint is its owner's (an agency's, its admins'), another's is 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import access
from ..api.base import ScopedViewSet, service_errors
from ..constants import DeliveryStatus, WebhookEvent
from ..models import WebhookDelivery, WebhookEndpoint
from . import services

ENDPOINT_EXAMPLE = {
    "url": "https://verzuim.example.nl/hooks/spoorboek",
    "description": "Xpert Suite",
    "events": ["referral.accepted", "report.final", "trajectory.closed"],
}


class EndpointSerializer(serializers.ModelSerializer):
    """What the pages show of an endpoint; the secret too, to its owner (the receiver needs
    it to check the signatures)."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookEndpoint
        fields = ["uuid", "url", "description", "events", "is_active", "secret", "created_at"]
        read_only_fields = fields


class EndpointWriteSerializer(serializers.Serializer):
    """Parses only: the service checks the address and the events (the pages' messages)."""

    url = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    events = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)
    is_active = serializers.BooleanField(required=False, default=True)


class DeliverySerializer(serializers.ModelSerializer):
    message_id = serializers.CharField(read_only=True)
    log = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "uuid", "message_id", "event", "status", "attempts", "next_attempt_at",
            "response_status", "last_error", "created_at", "delivered_at", "body", "log",
        ]  # fmt: skip
        read_only_fields = fields


class ReplaySerializer(serializers.Serializer):
    delivery = serializers.UUIDField(
        required=False, help_text="One message; none: every failed one"
    )


@extend_schema_view(
    list=extend_schema(summary="Your webhook endpoints"),
    retrieve=extend_schema(summary="One endpoint, with its secret"),
    destroy=extend_schema(summary="Remove an endpoint and its log"),
)
@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):  # fmt: skip
    """docs/webhooks.md: the events, the payloads and how to check a signature."""

    for_orders = True
    model = WebhookEndpoint
    serializer_class = EndpointSerializer
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def _may(self) -> None:
        if not access.can_manage_webhooks(self.request.user):
            raise PermissionDenied

    @extend_schema(
        request=EndpointWriteSerializer,
        responses={201: EndpointSerializer},
        examples=[OpenApiExample("An endpoint", value=ENDPOINT_EXAMPLE, request_only=True)],
        summary="Register an endpoint",
    )
    def create(self, request, *args, **kwargs):
        self._may()
        given = EndpointWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        data.pop("is_active", None)
        with service_errors():
            endpoint = services.webhook_endpoint_create(actor=request.user, **data)
        return Response(self.get_serializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndpointWriteSerializer, responses={200: EndpointSerializer},
                   summary="Change an endpoint (switched off, its events wait)")  # fmt: skip
    def update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        given = EndpointWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            endpoint = services.webhook_endpoint_update(
                actor=request.user, endpoint=endpoint, **given.validated_data
            )
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        endpoint = self.get_object()
        with service_errors():
            services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: DeliverySerializer},
                   summary="Send a test event (webhook.test)")  # fmt: skip
    @action(detail=True, methods=["post"])
    def test(self, request, uuid=None):
        endpoint = self.get_object()
        with service_errors():
            delivery = services.webhook_test(actor=request.user, endpoint=endpoint)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: EndpointSerializer},
                   summary="A new secret (the old one stops signing at once)")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="renew-secret")
    def renew_secret(self, request, uuid=None):
        endpoint = self.get_object()
        with service_errors():
            endpoint = services.webhook_secret_renew(actor=request.user, endpoint=endpoint)
        return Response(self.get_serializer(endpoint).data)

    @extend_schema(responses={200: DeliverySerializer(many=True)},
                   summary="The endpoint's log, newest first (?status=pending|delivered|failed)")  # fmt: skip  # noqa: E501
    @action(detail=True, methods=["get"])
    def deliveries(self, request, uuid=None):
        endpoint = self.get_object()
        log = WebhookDelivery.objects.visible_to(request.user).filter(endpoint=endpoint)
        if request.query_params.get("status") in DeliveryStatus.values:
            log = log.filter(status=request.query_params["status"])
        page = self.paginate_queryset(log.order_by("-created_at", "-id"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=ReplaySerializer, responses={202: None},
                   summary="Send a message again, or every failed one")  # fmt: skip
    @action(detail=True, methods=["post"])
    def replay(self, request, uuid=None):
        endpoint = self.get_object()
        given = ReplaySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            if wanted := given.validated_data.get("delivery"):
                delivery = get_object_or_404(
                    WebhookDelivery.objects.visible_to(request.user).filter(endpoint=endpoint),
                    uuid=wanted,
                )
                services.webhook_replay(actor=request.user, delivery=delivery)
            else:
                services.webhook_replay_failed(actor=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_202_ACCEPTED)
