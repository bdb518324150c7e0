"""Orders from a verzuim system (``/api/v1/referrals/``): an employer's system (Visma Verzuim,
Xpert Suite and the like) orders a 2e-spoor trajectory with its own reference and follows it:
accepted, intake, phase, the reports that are final (with their PDF's address and hash), closed.

The serializer only parses; ``trajecten.services.referral_order`` places the order (the same
checks as the referral page, idempotent by the reference). A token made "for orders" reaches
these endpoints and nothing else (``portal.api.auth.OrdersTokens``)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal import access, audit
from portal.api.base import service_errors
from portal.constants import AuditAction, Language
from portal.models import LegalEntity, Product
from rapportages.constants import PUBLISHED
from rapportages.models import Report
from trajecten.constants import ReferralBasis
from trajecten.models import Trajectory
from trajecten.services import order_key, referral_order
from trajecten.services.trajectories import ORDER_KEY

REFERENCE = r"^[A-Za-z0-9_.:-]{1,60}$"

ORDER_EXAMPLE = {
    "reference": "XS-2026-000123",
    "kvk_number": "12345678",
    "employee": {
        "first_name": "Jan",
        "last_name": "de Vries",
        "email": "jan.devries@example.nl",
        "phone": "0612345678",
        "guidance_language": "nl",
    },
    "first_sick_day": "2025-11-03",
    "product": "base_6m",
    "referral_basis": "company_doctor",
    "referral_advice_date": "2026-11-20",
    "contact_preferences": "Liever 's ochtends bellen",
}


class OrderEmployeeSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    guidance_language = serializers.ChoiceField(choices=Language.choices, default="nl")


class OrderSerializer(serializers.Serializer):
    """An order. The BV by its KvK number or its UUID in Spoorboek (one of the two), among the
    BVs the token's contact sees; the product by its kind, among the agency's."""

    reference = serializers.RegexField(
        REFERENCE, help_text="The order's id in the verzuim system: letters, digits, . _ : -"
    )
    kvk_number = serializers.RegexField(r"^\d{8}$", required=False)
    legal_entity = serializers.UUIDField(required=False)
    employee = OrderEmployeeSerializer()
    first_sick_day = serializers.DateField()
    product = serializers.ChoiceField(choices=Product.Kind.choices)
    referral_basis = serializers.ChoiceField(
        choices=ReferralBasis.choices, required=False, allow_blank=True, default=""
    )
    referral_advice_date = serializers.DateField(required=False, allow_null=True, default=None)
    contact_preferences = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        user = self.context["request"].user
        if ("kvk_number" in attrs) == ("legal_entity" in attrs):
            raise serializers.ValidationError(
                {"kvk_number": [_("Give the BV's KvK number or its UUID, one of the two.")]}
            )
        bvs = LegalEntity.objects.visible_to(user)
        if "kvk_number" in attrs:
            found = bvs.filter(kvk_number=attrs.pop("kvk_number")).first()
        else:
            found = bvs.filter(uuid=attrs.pop("legal_entity")).first()
        if found is None:
            raise serializers.ValidationError({"kvk_number": [_("Unknown BV.")]})
        product = access.referable_products(user).filter(kind=attrs["product"]).first()
        if product is None:
            raise serializers.ValidationError({"product": [_("The agency does not offer this.")]})
        return {**attrs, "legal_entity": found, "product": product}


class OrderReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    number = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    final_at = serializers.DateTimeField(source="finalized_at")
    pdf = serializers.SerializerMethodField(help_text="The PDF, with this same token.")
    sha256 = serializers.CharField(source="pdf_sha256")

    def get_pdf(self, report) -> str:
        return self.context["request"].build_absolute_uri(reverse("report-pdf", args=[report.uuid]))


class OrderStatusSerializer(serializers.Serializer):
    """How an order goes: the referral until the agency accepts it, then the trajectory."""

    reference = serializers.SerializerMethodField()
    trajectory = serializers.UUIDField(source="uuid")
    status = serializers.CharField()
    referral_date = serializers.DateField()
    intake_date = serializers.DateField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    closing_reason = serializers.CharField()
    phase = serializers.CharField(source="phase.name", default="")
    reports = serializers.SerializerMethodField()

    def get_reference(self, trajectory) -> str:
        return trajectory.external_ref.rsplit(":", 1)[-1]

    def get_reports(self, trajectory) -> list[dict]:
        reports = getattr(trajectory, "published", [])
        return OrderReportSerializer(reports, many=True, context=self.context).data


@extend_schema_view(
    list=extend_schema(summary="Your employer's orders, newest first"),
    retrieve=extend_schema(summary="One order, by its reference"),
)
@extend_schema(tags=["orders"])
class ReferralViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Orders of the token's employer. Another employer's order, or one that does not exist,
    is 404 alike."""

    for_orders = True
    serializer_class = OrderStatusSerializer
    lookup_field = "reference"
    lookup_value_regex = REFERENCE[1:-1]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Trajectory.objects.none()
        if not access.can_place_orders(user):
            raise PermissionDenied
        prefix = ORDER_KEY.format(employer=user.employer_contact.employer.uuid, reference="")
        return (
            Trajectory.objects.visible_to(user)
            .filter(external_ref__startswith=prefix)
            .select_related("phase")
            .prefetch_related(
                Prefetch(
                    "reports",
                    Report.objects.visible_to(user)
                    .filter(status__in=PUBLISHED)
                    .exclude(pdf="")
                    .order_by("kind", "number", "version"),
                    to_attr="published",
                )
            )
            .order_by("-created_at")
        )

    def get_object(self):
        orders = self.get_queryset()  # refuses who places no orders, before the key is made
        key = order_key(self.request.user, self.kwargs["reference"])
        trajectory = get_object_or_404(orders, external_ref=key)
        audit.record(AuditAction.VIEW, trajectory, details={"api": True, "order": True})
        return trajectory

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit.record_list(Trajectory, len(response.data.get("results", [])), details={"api": True})
        return response

    @extend_schema(
        request=OrderSerializer,
        responses={201: OrderStatusSerializer, 200: OrderStatusSerializer},
        examples=[OpenApiExample("An order", value=ORDER_EXAMPLE, request_only=True)],
        summary="Place an order (idempotent by its reference)",
    )
    def create(self, request, *args, **kwargs):
        """Place an order: a referral the agency accepts as any other. The same order again
        answers 200 with what the first made; another order under a used reference is 400."""
        if not access.can_place_orders(request.user):
            raise PermissionDenied
        order = OrderSerializer(data=request.data, context={"request": request})
        order.is_valid(raise_exception=True)
        data = dict(order.validated_data)
        person = data.pop("employee")
        with service_errors():
            trajectory, created = referral_order(actor=request.user, **person, **data)
        trajectory = self.get_queryset().get(pk=trajectory.pk)
        return Response(
            self.get_serializer(trajectory).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
