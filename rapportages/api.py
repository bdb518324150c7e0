"""REST endpoints of reports: metadata, the narrative of a draft, the preview, signing, the
employee's view and the PDF. Every write goes through ``rapportages.services``, as the pages do.
"""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ScopedViewSet, StrictSerializer, service_errors
from portal.api.filters import RecordFilter
from portal.downloads import content_disposition, download_name
from portal.files import private_download

from . import services
from .models import Report


class ReportSerializer(serializers.ModelSerializer):
    trajectory = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    supersedes = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["uuid", "trajectory", "kind", "number", "version", "supersedes", "status",
                  "period_start", "period_end", "due_date", "discussed_on", "progress",
                  "results", "obstacles", "evaluation", "next_steps", "correction_note",
                  "employee_view", "employee_view_at", "signed_at", "finalized_at",
                  "pdf_sha256", "has_pdf", "created_at", "updated_at"]  # fmt: skip

    def get_has_pdf(self, report) -> bool:
        return bool(report.pdf)


class NarrativeSerializer(StrictSerializer):
    """The specialist's part of a draft; only the fields sent change."""

    class Meta:
        model = Report
        fields = ["discussed_on", "progress", "results", "obstacles", "evaluation", "next_steps",
                  "correction_note"]  # fmt: skip


class SignSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="true: the specialist read the preview and signs the report as it stands."
    )

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError(
                _("Confirm that you read the preview before signing.")
            )
        return value


class EmployeeViewSerializer(StrictSerializer):
    class Meta:
        model = Report
        fields = ["employee_view"]
        extra_kwargs = {"employee_view": {"required": True, "max_length": 5000}}


class ReportFilter(RecordFilter):
    class Meta:
        model = Report
        fields = ["trajectory", "kind", "status", "updated_since"]


@extend_schema(tags=["reports"])
class ReportViewSet(mixins.UpdateModelMixin, ScopedViewSet):
    model = Report
    serializer_class = ReportSerializer
    select = ("trajectory", "supersedes")
    filterset_class = ReportFilter
    ordering_fields = ["due_date", "created_at", "updated_at"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_serializer_class(self):
        return NarrativeSerializer if self.action == "partial_update" else ReportSerializer

    @extend_schema(request=NarrativeSerializer, responses=ReportSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Write the narrative of a draft and the day it was discussed with the employee."""
        report = self.get_object()
        serializer = NarrativeSerializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            report = services.report_save(
                actor=request.user, report=report, **serializer.validated_data
            )
        return Response(ReportSerializer(report).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def preview(self, request, uuid=None):
        """The PDF exactly as it would be if the requesting specialist signed now; nothing is
        stored. Read it before signing."""
        report = self.get_object()
        with service_errors():
            data = services.report_preview(actor=request.user, report=report)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(
            download_name("voorbeeld", str(report.uuid), ext="pdf"), attachment=False
        )
        return response

    @extend_schema(request=SignSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, uuid=None):
        """Sign a draft: refused (400, with the fields that are missing) until the narrative,
        the date it was discussed, the search profile and the referral advice are there."""
        report = self.get_object()
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            report = services.report_sign(actor=request.user, report=report)
        return Response(ReportSerializer(report).data)

    @extend_schema(request=EmployeeViewSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="employee-view")
    def employee_view(self, request, uuid=None):
        """The employee's own view on the report (the employee only)."""
        report = self.get_object()
        serializer = EmployeeViewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            report = services.employee_view_set(
                actor=request.user, report=report, **serializer.validated_data
            )
        return Response(ReportSerializer(report).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, uuid=None):
        """The report's PDF (final reports); every download is audited."""
        report = self.get_object()
        return private_download(
            report, report.pdf, filename=download_name("rapportage", str(report.uuid), ext="pdf"),
            content_type="application/pdf",
            api=True,
        )  # fmt: skip
