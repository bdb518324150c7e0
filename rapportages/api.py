"""REST endpoints of reports: metadata, the narrative of a draft, the preview, signing, the
employee's view and the PDF. Every write goes through ``rapportages.services``, as the pages do.
"""

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import access, audit
from portal.api.base import ErrorSerializer, ScopedViewSet, StrictSerializer, service_errors
from portal.api.filters import RecordFilter
from portal.constants import AuditAction
from portal.downloads import content_disposition, download_name
from portal.files import private_download
from portal.shortcuts import authentication_method
from trajecten.models import Trajectory

from . import riv_check, riv_panel, selectors, services
from .constants import Decision, ValidReason
from .models import Report, ReportResponse


class ResponseSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = ReportResponse
        fields = ["party", "name", "decision", "reason", "content_sha256", "authenticated_by",
                  "created_at"]  # fmt: skip


class ReportSerializer(serializers.ModelSerializer):
    trajectory = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    supersedes = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    has_pdf = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField(
        help_text="The responses to the text that is out now (or was, when signed), as far as "
        "the caller may read them: before signing, agency staff read all, a respondent only "
        "their own, anyone else none."
    )

    class Meta:
        model = Report
        fields = ["uuid", "trajectory", "kind", "number", "version", "supersedes", "status",
                  "period_start", "period_end", "due_date", "discussed_on", "progress",
                  "results", "obstacles", "evaluation", "next_steps", "correction_note",
                  "review_requested_at", "review_sha256", "responses",
                  "employee_view", "employee_view_at", "signed_at", "approved_at",
                  "finalized_at", "pdf_sha256", "has_pdf", "created_at",
                  "updated_at"]  # fmt: skip

    def get_has_pdf(self, report) -> bool:
        return bool(report.pdf)

    @extend_schema_field(ResponseSerializer(many=True))
    def get_responses(self, report) -> list:
        request = self.context.get("request")
        seen = selectors.responses_seen(getattr(request, "user", None), report)
        return ResponseSerializer(seen, many=True).data


class RespondSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    content_sha256 = serializers.CharField(
        max_length=64, help_text="review_sha256 of the text you read (from GET)."
    )
    medical_confirmed = serializers.BooleanField(
        required=False, default=False,
        help_text="true: the respondent confirms a reason with words that may be medical "
        "(the employer reads it).",
    )  # fmt: skip


class OfferSerializer(serializers.Serializer):
    medical_confirmed = serializers.BooleanField(
        required=False, default=False,
        help_text="true: the writer confirms a narrative with words that may be medical.",
    )  # fmt: skip
    figures_confirmed = serializers.BooleanField(
        required=False, default=False,
        help_text="true: the writer keeps numbers in the narrative that differ from the "
        "report's figures (refused with the fields named until then).",
    )  # fmt: skip
    response_days = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="Days to respond to this report, shorter than the agency's (from 1), so that "
        "the window ends by the due date; omitted: the agency's.",
    )  # fmt: skip


class StartingTextSerializer(serializers.Serializer):
    progress = serializers.CharField(help_text="Dutch, as reports are.")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NarrativeSerializer(StrictSerializer):
    """The specialist's part of a draft; only the fields sent change."""

    class Meta:
        model = Report
        fields = ["discussed_on", "progress", "results", "obstacles", "evaluation", "next_steps",
                  "correction_note"]  # fmt: skip


class SignSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="true: the specialist read the preview and signs the report as it stands "
        "(refused without it)."
    )


class EmployeeViewSerializer(StrictSerializer):
    medical_confirmed = serializers.BooleanField(
        required=False, default=False,
        help_text="true: the employee confirms a view with words that may be medical (the "
        "employer reads it in the UWV file).",
    )  # fmt: skip

    class Meta:
        model = Report
        fields = ["employee_view", "medical_confirmed"]
        extra_kwargs = {"employee_view": {"required": True, "max_length": 5000}}


class ReportFilter(RecordFilter):
    class Meta:
        model = Report
        fields = ["trajectory", "kind", "status", "updated_since"]


@extend_schema(tags=["reports"])
class ReportViewSet(mixins.UpdateModelMixin, ScopedViewSet):
    model = Report
    serializer_class = ReportSerializer
    #: An order's status links to its final reports' PDFs: a verzuim system's token fetches
    #: those (of ordered trajectories only, ``portal.api.auth.OrdersTokens``).
    for_orders_actions = ("pdf",)
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
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(responses=StartingTextSerializer)
    @action(detail=True, methods=["get"], url_path="starting-text")
    def starting_text(self, request, uuid=None):
        """A first "voortgang" written from the period's own figures as of today, for the
        writer to edit (nothing is stored)."""
        report = self.get_object()
        with service_errors():
            text = services.report_starting_text(actor=request.user, report=report)
        return Response({"progress": text})

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

    def _act(self, write, parser=None):
        """One action on a report: parse the body (``parser``), call the service with the
        actor and the parsed data, answer with the report as it is now."""
        report = self.get_object()
        data = {}
        if parser is not None:
            serializer = parser(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        with service_errors():
            write(actor=self.request.user, report=report, **data)
        report.refresh_from_db()
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=SignSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, uuid=None):
        """Sign a draft: refused (400, with the fields that are missing) until the narrative,
        the date it was discussed, the search profile and the referral advice are there and
        the responses are in (or the days to respond are over)."""
        return self._act(
            lambda confirm, **kw: services.report_sign(confirmed=confirm, **kw),
            parser=SignSerializer,
        )

    @extend_schema(request=OfferSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request, uuid=None):
        """Give a complete draft to the employee (and for a plan the employer) to read and
        respond; its text is frozen with ``review_sha256`` while it is out. Medical words in
        the narrative are refused (400, named) until ``medical_confirmed`` is true."""
        return self._act(services.report_offer, parser=OfferSerializer)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, uuid=None):
        """Take the report back to change its text; the next round asks again."""
        return self._act(services.report_withdraw)

    @extend_schema(request=RespondSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, uuid=None):
        """The employee's (or, for a plan, an employer contact's) signed response to the text
        with ``content_sha256``: agree, or disagree with a reason. Recorded once."""
        how = authentication_method(request)
        return self._act(
            lambda **kw: services.report_respond(authenticated_by=how, **kw),
            parser=RespondSerializer,
        )

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, uuid=None):
        """Four-eyes: approve a signed report (not its signer); its PDF follows."""
        return self._act(services.report_approve)

    @extend_schema(request=RejectSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, uuid=None):
        """Four-eyes: send a signed report back to a draft, with the reason."""
        return self._act(services.report_reject, parser=RejectSerializer)

    @extend_schema(request=EmployeeViewSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="employee-view")
    def employee_view(self, request, uuid=None):
        """The employee's later view on a final report (the employee only); it is kept beside
        the PDF and printed in the UWV bundle. Before signing they respond instead."""
        return self._act(services.employee_view_set, parser=EmployeeViewSerializer)

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


class RivEvidenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField(help_text="A page of the portal with the record; may be empty.")


class RivExceptionSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    reason_kind = serializers.ChoiceField(choices=ValidReason.choices)
    reason = serializers.CharField()
    signed_by = serializers.CharField()
    signed_on = serializers.DateField()


class RivFindingSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The rule's key, e.g. second_track_late.")
    subject = serializers.CharField(help_text="Which step or report, e.g. progress-2; or empty.")
    code = serializers.CharField(help_text="The rule's number in docs/domain.md §9 (R1-R16).")
    question = serializers.ChoiceField(choices=[q.value for q in riv_check.Question])
    severity = serializers.ChoiceField(
        choices=[s.value for s in riv_check.Severity],
        help_text="reject: UWV would reject the file (a wage sanction is likely); question: "
        "UWV would ask about it.",
    )
    title = serializers.CharField()
    evidence = RivEvidenceSerializer(many=True)
    repair = serializers.CharField()
    repair_by = serializers.DateField(help_text="The last day a repair still reaches UWV's test.")
    source = serializers.CharField()
    exception = RivExceptionSerializer(
        allow_null=True, help_text="The valid reason signed off, or null while open."
    )


class RivCheckSerializer(serializers.Serializer):
    on = serializers.DateField(source="result.on")
    at_risk = serializers.BooleanField(
        source="result.at_risk", help_text="An open finding UWV would reject the file for."
    )
    recovered = serializers.BooleanField(source="result.recovered")
    repair_by = serializers.DateField(source="result.repair_by")
    findings = serializers.SerializerMethodField()
    excepted = RivFindingSerializer(many=True)

    @extend_schema_field(RivFindingSerializer(many=True))
    def get_findings(self, panel) -> list[dict]:
        return [f for group in panel.groups for f in group["findings"]]


@extend_schema(
    tags=["trajectories"],
    responses={200: RivCheckSerializer, 404: ErrorSerializer},
    summary="The RIV check of a trajectory",
)
class RivCheckView(APIView):
    """The RIV check ("RIV-toets vooraf") of one trajectory as of today: the findings UWV's
    test of the re-integratieverslag would make, in UWV's order, each with its rule and
    source, evidence, severity, repair and the last day a repair still counts; and the
    findings with a valid reason signed off. Agency staff and employer contacts who see the
    trajectory; anyone else gets 404. The same findings as the file's RIV tab."""

    def get(self, request, uuid):
        trajectory = access.get_visible_or_404(
            Trajectory.objects.visible_to(request.user), uuid=uuid
        )
        found = riv_panel.panel(user=request.user, trajectory=trajectory, on=timezone.localdate())
        if found is None:
            raise Http404
        audit.record(AuditAction.VIEW, trajectory, details={"api": True, "riv_check": True})
        return Response(RivCheckSerializer(found).data)
