"""REST endpoints of reports: metadata and the PDF."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from portal.api.base import ScopedViewSet
from portal.api.filters import RecordFilter
from portal.downloads import download_name
from portal.files import private_download

from .models import Report


class ReportSerializer(serializers.ModelSerializer):
    trajectory = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    supersedes = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["uuid", "trajectory", "kind", "number", "version", "supersedes", "status",
                  "period_start", "period_end", "due_date", "signed_at", "finalized_at",
                  "pdf_sha256", "has_pdf", "created_at", "updated_at"]  # fmt: skip

    def get_has_pdf(self, report) -> bool:
        return bool(report.pdf)


class ReportFilter(RecordFilter):
    class Meta:
        model = Report
        fields = ["trajectory", "kind", "status", "updated_since"]


@extend_schema(tags=["reports"])
class ReportViewSet(ScopedViewSet):
    model = Report
    serializer_class = ReportSerializer
    select = ("trajectory", "supersedes")
    filterset_class = ReportFilter
    ordering_fields = ["due_date", "created_at", "updated_at"]

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
