"""/api/v1/outcomes/: the results of a period, the same figures and scope as the results page
(``kwaliteit.outcomes``). Comments are not figures and stay on the page."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import access, audit, replica
from portal.api.base import ErrorSerializer
from portal.constants import AuditAction

from . import outcomes


class RateSerializer(serializers.Serializer):
    hits = serializers.IntegerField()
    total = serializers.IntegerField()
    percentage = serializers.IntegerField(allow_null=True)


class AveragesSerializer(serializers.Serializer):
    guidance = serializers.FloatField(allow_null=True)
    communication = serializers.FloatField(allow_null=True)
    result = serializers.FloatField(allow_null=True)


class SatisfactionSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    declined = serializers.IntegerField()
    not_asked = serializers.IntegerField(
        help_text="Closed trajectories with nobody of this party to ask."
    )
    response_rate = RateSerializer()
    hidden = serializers.BooleanField(
        help_text=(
            "True when the averages are hidden: fewer than 5 answers (the small-number rule), "
            "or a period that is not a whole quarter or measurement period (see marks_released)."
        )
    )
    averages = AveragesSerializer(help_text="null where hidden or without answers.")
    overall = serializers.FloatField(allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    with_placement = serializers.BooleanField()
    count = serializers.IntegerField()


class GroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    closed = serializers.IntegerField()
    with_placement = serializers.IntegerField(source="placed")
    placement_rate = RateSerializer()
    employees = SatisfactionSerializer(source="employee")
    employers = SatisfactionSerializer(source="employer")


class OutcomesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    started = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_with_placement = serializers.IntegerField(source="with_total")
    closed_without_placement = serializers.IntegerField(source="without_total")
    by_closing_reason = serializers.SerializerMethodField()
    placement_rate = RateSerializer()
    median_days_to_placement = serializers.FloatField(allow_null=True)
    placements_without_start = serializers.IntegerField(source="placements_unmeasured")
    intake_within_5_working_days = RateSerializer(source="intake")
    reports_on_time = RateSerializer(source="reports")
    employees = SatisfactionSerializer(source="employee")
    employers = SatisfactionSerializer(source="employer")
    marks_released = serializers.BooleanField(
        help_text=(
            "False when the period is not a whole measurement period or one of its 3-month "
            "blocks (calendar quarters by default): every mark is then hidden, so that no "
            "answer can be worked out by comparing two periods. Counts are always given."
        )
    )
    quarters = GroupSerializer(many=True)
    by_specialist = GroupSerializer(many=True, help_text="Agency admins only; empty otherwise.")
    by_employer = GroupSerializer(many=True, help_text="Agency admins only; empty otherwise.")

    @extend_schema_field(ReasonSerializer(many=True))
    def get_by_closing_reason(self, result) -> list[dict]:
        rows = [(r, n, True) for r, n in result.with_placement]
        rows += [(r, n, False) for r, n in result.without_placement]
        return [
            {"reason": r.value, "label": str(r.label), "with_placement": placed, "count": n}
            for r, n, placed in rows
        ]


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, data):
        from portal.forms import PeriodForm

        form = PeriodForm.from_request(
            {k: v.isoformat() for k, v in data.items()},
            default=self.context["default"],
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {k if k != "__all__" else "non_field_errors": v for k, v in form.errors.items()}
            )
        return dict(zip(("start", "end"), form.period, strict=True))


@extend_schema(
    tags=["outcomes"],
    parameters=[
        OpenApiParameter(
            "start",
            str,
            description="First day (YYYY-MM-DD); default: the agency's measurement period.",
        ),
        OpenApiParameter("end", str, description="Last day (YYYY-MM-DD)."),
    ],
    responses={200: OutcomesSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
)
class OutcomesView(APIView):
    """The results of a measurement period for what the user may see: agency admins the whole
    agency (with figures per specialist and employer), specialists their caseload, employer
    contacts their BVs. Averages of fewer than 5 answers are null (the small-number rule), and
    so are all marks of a period that is not a whole quarter or measurement period."""

    def get(self, request):
        user = request.user
        if not access.can_see_outcomes(user):
            raise Http404
        today = timezone.localdate()
        period = PeriodSerializer(
            data=request.query_params, context={"default": user.agency.measurement_period(today)}
        )
        period.is_valid(raise_exception=True)
        with replica.reads():
            result = outcomes.outcomes(user=user, today=today, **period.validated_data)
        audit.record(AuditAction.VIEW, object_type="outcomes", details={"api": True})
        return Response(OutcomesSerializer(result).data)
