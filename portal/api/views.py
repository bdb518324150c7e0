from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from ..models import Agency, Employer, LegalEntity
from .base import ScopedViewSet


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["uuid", "name", "default_language", "phase_set", "application_norm_count",
                  "application_norm_weeks"]  # fmt: skip


class EmployerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employer
        fields = ["uuid", "name", "is_self_insurer", "created_at"]


class LegalEntitySerializer(serializers.ModelSerializer):
    employer = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = LegalEntity
        fields = ["uuid", "employer", "name", "kvk_number", "payroll_tax_number"]


@extend_schema(tags=["organisation"])
class AgencyViewSet(ScopedViewSet):
    """The user's own agency."""

    serializer_class = AgencySerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        if not getattr(user, "role", ""):  # anonymous (e.g. while the schema is generated)
            return Agency.objects.none()
        return Agency.objects.filter(pk=user.agency_id)

    def list(self, request, *args, **kwargs):
        return super(ScopedViewSet, self).list(request, *args, **kwargs)


@extend_schema(tags=["organisation"])
class EmployerViewSet(ScopedViewSet):
    model = Employer
    serializer_class = EmployerSerializer
    ordering_fields = ["name", "created_at"]


@extend_schema(tags=["organisation"])
class LegalEntityViewSet(ScopedViewSet):
    model = LegalEntity
    serializer_class = LegalEntitySerializer
    select = ("employer",)
    ordering = ["name"]
    ordering_fields = ["name"]
