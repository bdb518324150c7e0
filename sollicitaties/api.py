"""REST endpoints of the application log and Jobport."""

import uuid

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import access
from portal.api.base import ScopedViewSet, StrictSerializer, UUIDRelated, service_errors
from portal.api.filters import RecordFilter
from portal.files import private_download
from portal.uploads import download_name_for
from trajecten.models import Trajectory

from . import services
from .constants import ApplicationStatus
from .models import ApplicationActivity, Evidence, StatusChange, TempAgencyRegistration, Vacancy


class KeyReusedError(exceptions.APIException):
    """The Idempotency-Key of an application already recorded, with another body: 422, as the
    IETF Idempotency-Key draft says; nothing is recorded."""

    status_code = 422
    default_code = "idempotency_key_reused"


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["status", "date"]


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Evidence
        fields = ["uuid", "name", "content_type", "size", "created_at"]


def _visible_trajectories(user):
    return Trajectory.objects.visible_to(user)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An online application",
            value={
                "trajectory": "3f6c2a4e-5b1d-4c7e-9a8f-2d1e0b9c8a7f",
                "date": "2026-11-20",
                "kind": "written_application",
                "channel": "vacancy_site",
                "organisation": "DHL Supply Chain",
                "vacancy_title": "Planner transport",
                "vacancy_url": "https://werk.example/vacatures/123",
            },
            request_only=True,
        )
    ]
)
class ApplicationActivitySerializer(StrictSerializer):
    trajectory = UUIDRelated(scope=_visible_trajectories)
    counts = serializers.BooleanField(read_only=True)
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    evidence = serializers.SerializerMethodField()
    confirm_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = ApplicationActivity
        fields = ["uuid", "trajectory", "date", "kind", "counts", "channel", "organisation",
                  "vacancy_title", "vacancy_url", "hours_per_week", "place", "contact_person",
                  "notes", "status", "status_history", "evidence", "recorded_by_role",
                  "repeat_of", "confirm_duplicate", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["uuid", "status", "recorded_by_role", "repeat_of", "created_at",
                            "updated_at"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request and not access.sees_private_notes(request.user):
            del self.fields["notes"]  # private to the employee and the agency
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["trajectory"].read_only = True

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, activity):
        # Prefetched through the scoping layer by the viewset: only what the user may see.
        return EvidenceSerializer(getattr(activity, "visible_evidence", []), many=True).data


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)


class ApplicationFilter(RecordFilter):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ApplicationActivity
        fields = ["trajectory", "kind", "status", "date_from", "date_to", "updated_since"]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="A UUID chosen by the client: a retry with the same key records nothing new.",
)


@extend_schema(tags=["applications"])
class ApplicationActivityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    model = ApplicationActivity
    serializer_class = ApplicationActivitySerializer
    select = ("trajectory",)
    prefetch = ("status_changes",)
    filterset_class = ApplicationFilter

    def get_queryset(self):
        visible = Evidence.objects.visible_to(self.request.user)
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("evidence", queryset=visible, to_attr="visible_evidence"))
        )

    ordering_fields = ["date", "created_at", "updated_at"]

    @extend_schema(parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        """Record an application. Send an ``Idempotency-Key`` (a UUID) to make a retry safe:
        the same key again returns the application recorded the first time."""
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        key = self.request.headers.get("Idempotency-Key") or None
        if key:
            try:
                key = uuid.UUID(key)
            except ValueError:
                raise exceptions.ValidationError(
                    {"Idempotency-Key": [_("Send a UUID as the Idempotency-Key.")]}
                ) from None
        try:
            with service_errors():
                serializer.instance = services.activity_create(
                    actor=self.request.user, idempotency_key=key, **serializer.validated_data
                )
        except exceptions.ValidationError as exc:
            if isinstance(exc.__cause__, services.KeyReused):
                raise KeyReusedError(" ".join(exc.__cause__.messages)) from exc
            raise

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "trajectory"}
        with service_errors():
            serializer.instance = services.activity_update(
                actor=self.request.user, activity=serializer.instance, **data
            )

    @extend_schema(request=StatusSerializer, responses=ApplicationActivitySerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, uuid=None):
        """Set a new status; it is added to the dated history."""
        activity = self.get_object()
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.activity_status_set(
                actor=request.user, activity=activity, on=timezone.localdate(),
                **serializer.validated_data,
            )  # fmt: skip
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_uuid>[0-9a-f-]{36})")
    def evidence_file(self, request, uuid=None, evidence_uuid=None):
        """Download one evidence file (when the user may see it); audited."""
        activity = self.get_object()
        evidence = access.get_visible_or_404(
            Evidence.objects.visible_to(request.user).filter(activity=activity),
            uuid=evidence_uuid,
        )
        return private_download(
            evidence, evidence.file,
            filename=download_name_for(evidence.file, evidence.original_name or _("evidence")),
            content_type=evidence.content_type, api=True,
        )  # fmt: skip


class TempAgencySerializer(StrictSerializer):
    trajectory = UUIDRelated(scope=_visible_trajectories)

    class Meta:
        model = TempAgencyRegistration
        fields = ["uuid", "trajectory", "agency_name", "date", "created_at", "updated_at"]
        read_only_fields = ["uuid", "created_at", "updated_at"]


@extend_schema(tags=["applications"])
class TempAgencyRegistrationViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = TempAgencyRegistration
    serializer_class = TempAgencySerializer
    select = ("trajectory",)
    filterset_class = RecordFilter

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.temp_agency_register(
                actor=self.request.user, **serializer.validated_data
            )


class VacancySerializer(StrictSerializer):
    class Meta:
        model = Vacancy
        fields = ["uuid", "title", "organisation", "place", "hours_per_week", "url",
                  "closing_date", "function_category", "created_at"]  # fmt: skip
        read_only_fields = ["uuid", "created_at"]


@extend_schema(tags=["applications"])
class VacancyViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = Vacancy
    serializer_class = VacancySerializer
    filterset_fields = ["place", "function_category"]
    ordering_fields = ["created_at", "closing_date"]

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.vacancy_save(
                actor=self.request.user, **serializer.validated_data
            )
