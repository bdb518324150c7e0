"""REST endpoints of invoices: the list and one invoice with its lines, its PDF and UBL file;
for agency admins proposing, issuing and crediting. Every write goes through
``facturen.services``, as the pages do; who sees which invoice is the scoping layer's."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal import access
from portal.api.base import ScopedViewSet, service_errors

from . import documents, services
from .models import Invoice, InvoiceLine


class InvoiceLineSerializer(serializers.ModelSerializer):
    trajectory = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["position", "kind", "trajectory", "description", "period_start", "period_end",
                  "quantity", "unit", "unit_price", "vat_rate", "net_amount"]  # fmt: skip


class InvoiceSerializer(serializers.ModelSerializer):
    employer = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    legal_entity = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    credits = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = ["uuid", "kind", "status", "number", "employer", "legal_entity", "period_end",
                  "issue_date", "due_date", "credits", "reason", "seller", "buyer", "net_total",
                  "vat_total", "gross_total", "lines"]  # fmt: skip


class ProposeSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="Bill everything up to and including this day.")


class CreditSerializer(serializers.Serializer):
    positions = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text="The lines to credit; empty: every line not credited yet.",
    )  # fmt: skip
    reason = serializers.CharField(max_length=500)


class InvoiceViewSet(ScopedViewSet):
    """Agency admins: proposals and issued invoices. Employer contacts with the invoices
    right: the issued invoices and credit notes of their employer (or their BVs). Anyone
    else: an empty list, and 404 for any invoice."""

    model = Invoice
    serializer_class = InvoiceSerializer
    select = ("employer", "legal_entity", "credits")
    prefetch = ("lines__trajectory",)
    ordering = ["-sequence", "-created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def _manage(self):
        if not access.can_manage_invoices(self.request.user):
            raise NotFound

    def _answer(self, invoice, status=200):
        invoice = self.get_queryset().get(pk=invoice.pk)
        return Response(self.get_serializer(invoice).data, status=status)

    @extend_schema(request=ProposeSerializer, responses=InvoiceSerializer(many=True))
    @action(detail=False, methods=["post"])
    def propose(self, request):
        """Propose the invoices of everything unbilled up to ``until`` (replaces the
        proposals not issued yet)."""
        self._manage()
        parsed = ProposeSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        with service_errors():
            drafts = services.invoices_propose(actor=request.user, **parsed.validated_data)
        found = self.get_queryset().filter(pk__in=[d.pk for d in drafts])
        return Response(self.get_serializer(found, many=True).data, status=201)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, uuid=None):
        """Issue a proposal: it gets the next number and never changes again."""
        self._manage()
        invoice = self.get_object()
        with service_errors():
            invoice = services.invoice_issue(actor=request.user, invoice=invoice)
        return self._answer(invoice)

    @extend_schema(request=CreditSerializer, responses={201: InvoiceSerializer})
    @action(detail=True, methods=["post"])
    def credit(self, request, uuid=None):
        """Correct an issued invoice with a credit note (issued at once)."""
        self._manage()
        invoice = self.get_object()
        parsed = CreditSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        with service_errors():
            note = services.credit_note_create(
                actor=request.user, invoice=invoice, **parsed.validated_data
            )
        return self._answer(note, status=201)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, uuid=None):
        """The invoice as a PDF (issued invoices only)."""
        return documents.download(self.get_object(), "pdf", api=True)

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def ubl(self, request, uuid=None):
        """The invoice as a UBL 2.1 e-invoice following NLCIUS (issued invoices only)."""
        return documents.download(self.get_object(), "xml", api=True)
