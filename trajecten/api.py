"""REST endpoints of the file. Reads come from the scoping layer; writes follow the browser's
rights (specialists write the file; employees complete their own assignments)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal import access
from portal.api.base import ScopedViewSet, StrictSerializer, UUIDRelated, service_errors
from portal.api.filters import RecordFilter, UpdatedSinceFilter
from portal.constants import Language
from portal.models import LegalEntity

from . import messaging, services, wvp
from .models import (
    Appointment,
    Assignment,
    ConversationReport,
    Employee,
    Message,
    PhaseChange,
    SicknessCase,
    Trajectory,
)


class EmployeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["uuid", "first_name", "last_name", "email", "phone", "guidance_language",
                  "external_id", "created_at", "updated_at"]  # fmt: skip


class MilestoneSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=[s.value for s in wvp.State])
    week = serializers.IntegerField()


class SignalSerializer(serializers.Serializer):
    key = serializers.CharField()
    level = serializers.ChoiceField(choices=[lv.value for lv in wvp.Level])
    message = serializers.CharField()


class SicknessCaseSerializer(serializers.ModelSerializer):
    employee = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    extension_weeks = serializers.SerializerMethodField()
    wvp_week = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    signals = serializers.SerializerMethodField()

    class Meta:
        model = SicknessCase
        fields = ["uuid", "employee", "first_sick_day", "recovery_date", "probleemanalyse_date",
                  "plan_van_aanpak_date", "notification_42_date", "first_year_evaluation_date",
                  "final_evaluation_date", "wia_application_date", "extension_weeks", "wvp_week",
                  "milestones", "signals"]  # fmt: skip

    def _clock(self, case) -> wvp.Clock:
        trajectory = max(case.trajectories.all(), key=lambda t: t.created_at, default=None)
        start = trajectory.start_date if trajectory else None
        return wvp.clock(case.dates(second_track_start=start), timezone.localdate())

    def get_extension_weeks(self, case) -> int:
        return case.extension_weeks()

    def get_wvp_week(self, case) -> int:
        return wvp.wvp_week(case.first_sick_day, timezone.localdate())

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, case):
        return [
            {"key": m.key, "label": str(m.label), "due": m.due, "done_on": m.done_on,
             "state": m.state.value, "week": m.week}
            for m in self._clock(case).milestones
        ]  # fmt: skip

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, case):
        return [
            {"key": sg.key, "level": sg.level.value, "message": str(sg.message)}
            for sg in self._clock(case).signals
        ]


class PhaseChangeSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(source="phase.name")

    class Meta:
        model = PhaseChange
        fields = ["phase", "started_on"]


class TrajectorySerializer(serializers.ModelSerializer):
    employee = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    employee_name = serializers.CharField(source="employee.full_name", read_only=True)
    legal_entity = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    sickness_case = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    product = serializers.CharField(source="product.kind", read_only=True)
    phase = serializers.CharField(source="phase.name", read_only=True, allow_null=True)
    phase_history = PhaseChangeSerializer(source="phasechanges", many=True, read_only=True)

    class Meta:
        model = Trajectory
        fields = ["uuid", "employee", "employee_name", "legal_entity", "sickness_case", "status",
                  "product", "referral_date", "intake_date", "start_date", "end_date", "phase",
                  "phase_history", "guidance_language", "special_track", "closing_reason",
                  "created_at", "updated_at"]  # fmt: skip


class TrajectoryFilter(django_filters.FilterSet):
    legal_entity = django_filters.UUIDFilter(field_name="legal_entity__uuid")
    employer = django_filters.UUIDFilter(field_name="legal_entity__employer__uuid")
    phase = django_filters.NumberFilter(field_name="phase__position")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Trajectory
        fields = ["status", "legal_entity", "employer", "phase", "updated_since"]


def _visible_trajectories(user):
    return Trajectory.objects.visible_to(user)


class RecordSerializer(StrictSerializer):
    """A record of the file; ``trajectory`` is set on creation only."""

    trajectory = UUIDRelated(scope=_visible_trajectories)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["trajectory"].read_only = True


class WritableRecordViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Create and update through the same service as the pages (``services.record_save``):
    the same rules, rows, audit events and dashboard versions; 403 for viewers."""

    filterset_class = RecordFilter
    ordering_fields = ["created_at", "updated_at"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        trajectory = data.pop("trajectory")
        with service_errors():
            serializer.instance = services.record_save(
                actor=self.request.user, trajectory=trajectory, model=self.model, **data
            )

    def perform_update(self, serializer):
        record = serializer.instance
        data = {k: v for k, v in serializer.validated_data.items() if k != "trajectory"}
        with service_errors():
            serializer.instance = services.record_save(
                actor=self.request.user,
                trajectory=record.trajectory,
                model=self.model,
                record=record,
                **data,
            )


class ConversationReportSerializer(RecordSerializer):
    medical_confirmed = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="true: the writer confirms a text shared with the employer although it "
        "contains words that may be medical (the refusal names them).",
    )  # fmt: skip

    class Meta:
        model = ConversationReport
        fields = ["uuid", "trajectory", "date", "kind", "duration_minutes", "participants",
                  "summary", "agreements", "next_appointment", "visibility", "contains_medical",
                  "medical_confirmed", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["uuid", "created_at", "updated_at"]


class AppointmentSerializer(RecordSerializer):
    class Meta:
        model = Appointment
        fields = ["uuid", "trajectory", "subject", "starts_at", "ends_at", "location",
                  "with_whom", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["uuid", "created_at", "updated_at"]


class AssignmentSerializer(RecordSerializer):
    class Meta:
        model = Assignment
        fields = ["uuid", "trajectory", "title", "description", "due_date", "status", "result",
                  "completed_at", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["uuid", "status", "result", "completed_at", "created_at", "updated_at"]


class CompleteSerializer(StrictSerializer):
    class Meta:
        model = Assignment
        fields = ["result"]


class ImportRowSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    guidance_language = serializers.ChoiceField(choices=Language.choices, required=False)
    legal_entity = serializers.UUIDField(required=False)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate_legal_entity(self, value):
        user = self.context["request"].user
        if not LegalEntity.objects.visible_to(user).filter(uuid=value).exists():
            raise serializers.ValidationError(_("Unknown BV."))
        return value


class ImportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False)
    employees = ImportRowSerializer(many=True, max_length=5000)

    def validate_employees(self, rows):
        ids = [r["external_id"] for r in rows]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("An external id occurs twice."))
        return rows


@extend_schema(tags=["file"])
class EmployeeViewSet(ScopedViewSet):
    model = Employee
    serializer_class = EmployeeSerializer
    filterset_fields = ["external_id"]
    ordering_fields = ["created_at", "updated_at", "last_name"]

    @extend_schema(
        request=ImportSerializer,
        responses=inline_serializer(
            "EmployeeImportResult",
            {
                "dry_run": serializers.BooleanField(),
                "created": serializers.IntegerField(),
                "updated": serializers.IntegerField(),
                "unchanged": serializers.IntegerField(),
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="import")
    def bulk_import(self, request):
        """Create or update employees by their HR id. Never deletes; ``dry_run`` reports what
        would happen and changes nothing."""
        if not access.can_import_employees(request.user):
            raise PermissionDenied
        serializer = ImportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with service_errors():
            result = services.employees_import(
                actor=request.user,
                rows=serializer.validated_data["employees"],
                dry_run=serializer.validated_data["dry_run"],
            )
        return Response(result, status=status.HTTP_200_OK)


@extend_schema(tags=["file"])
class SicknessCaseViewSet(ScopedViewSet):
    model = SicknessCase
    serializer_class = SicknessCaseSerializer
    select = ("employee",)
    prefetch = ("extensions", "trajectories")
    ordering = ["-first_sick_day"]
    ordering_fields = ["first_sick_day"]


@extend_schema(tags=["file"])
class TrajectoryViewSet(ScopedViewSet):
    model = Trajectory
    serializer_class = TrajectorySerializer
    select = ("employee", "legal_entity", "sickness_case", "product", "phase")
    prefetch = ("phasechanges__phase",)
    filterset_class = TrajectoryFilter
    ordering_fields = ["created_at", "updated_at", "start_date"]


class MedicalFlagClearSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


@extend_schema(tags=["file"])
class ConversationReportViewSet(WritableRecordViewSet):
    model = ConversationReport
    serializer_class = ConversationReportSerializer
    select = ("trajectory",)

    @extend_schema(request=MedicalFlagClearSerializer, responses=ConversationReportSerializer)
    @action(detail=True, methods=["post"], url_path="clear-medical-flag")
    def clear_medical_flag(self, request, uuid=None):
        """Correct a wrongly set "contains medical information" flag, with a reason (audited).
        An ordinary update never clears it."""
        conversation = self.get_object()
        serializer = MedicalFlagClearSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            conversation = services.conversation_medical_flag_clear(
                actor=request.user, conversation=conversation, **serializer.validated_data
            )
        return Response(self.get_serializer(conversation).data)


@extend_schema(tags=["file"])
class AppointmentViewSet(WritableRecordViewSet):
    model = Appointment
    serializer_class = AppointmentSerializer
    select = ("trajectory",)


@extend_schema(tags=["file"])
class AssignmentViewSet(WritableRecordViewSet):
    model = Assignment
    serializer_class = AssignmentSerializer
    select = ("trajectory",)

    @extend_schema(request=CompleteSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, uuid=None):
        """The employee (or a specialist) marks the assignment done."""
        assignment = self.get_object()
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            assignment = services.assignment_complete(
                actor=request.user, assignment=assignment, **serializer.validated_data
            )
        return Response(AssignmentSerializer(assignment, context={"request": request}).data)


class MessageSerializer(StrictSerializer):
    trajectory = UUIDRelated(scope=_visible_trajectories)
    author = serializers.SerializerMethodField()
    medical_confirmed = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="true: agency staff confirm a message to the employer although it contains "
        "words that may be medical (the refusal names them).",
    )  # fmt: skip

    class Meta:
        model = Message
        fields = ["uuid", "trajectory", "author", "body", "medical_confirmed", "created_at"]
        read_only_fields = ["uuid", "author", "created_at"]

    def get_author(self, message) -> str:
        return message.author.get_full_name() or message.author.email


@extend_schema(tags=["file"])
class MessageViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """The thread between employer contacts and specialists: employer contacts and the
    trajectory's specialists post; agency admins read; employees have no access. Messages
    are never changed or deleted."""

    model = Message
    serializer_class = MessageSerializer
    select = ("trajectory", "author")
    filterset_class = RecordFilter
    ordering_fields = ["created_at"]

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = messaging.message_post(
                author=self.request.user, **serializer.validated_data
            )
