"""REST API of invoices: drafts and lines, issue, pay, credit, PDF, a draft from the project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import services
from budgets.api.common import LineSerializer, LinesViewSet, MoneyViewSet
from budgets.models import (
    Invoice,
    InvoiceLine,
    VatExemption,
)
from budgets.selectors import invoice_totals
from core.api import ScopedFileField, ScopedPrimaryKeyRelatedField
from projects.api.access import require_capability, require_write_on_parent
from projects.models import Project
from projects.permissions import Capability, projects_with
from sessions.models import Engagement
from studio.models import Booking


# A line bills a booking or engagement of a project whose money the caller sees: another
# project's reads as missing, as the API answers everywhere.
def _billable_bookings(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(project__in=projects_with(user, Capability.BUDGET_VIEW))


def _billable_engagements(user: Any) -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        session__project__in=projects_with(user, Capability.BUDGET_VIEW)
    )


class InvoiceLineSerializer(LineSerializer):
    booking = ScopedPrimaryKeyRelatedField(
        queryset=Booking.objects.none(),
        scope=_billable_bookings,
        required=False,
        allow_null=True,
        help_text="The booking the line bills; a booking is billed on one standing invoice.",
    )
    engagement = ScopedPrimaryKeyRelatedField(
        queryset=Engagement.objects.none(),
        scope=_billable_engagements,
        required=False,
        allow_null=True,
        help_text="The engagement the line bills; billed on one standing invoice.",
    )
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        help_text="Never negative: a credit note takes amounts back.",
    )
    tax_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        default=Decimal(0),
    )

    parent_field, amount_field = "invoice", "unit_price"
    capability, stays = Capability.INVOICES_MANAGE, "A line stays on its invoice."

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "invoice",
            "position",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "tax_rate",
            "vat_exemption",
            "vat_exemption_reference",
            "vat_statement",
            "booking",
            "engagement",
        ]
        read_only_fields = ["vat_statement"]

    def validate_invoice(self, invoice: Invoice) -> Invoice:
        return cast(Invoice, self.validate_parent(invoice))


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField()
    pdf = ScopedFileField(view_name="invoice-pdf", read_only=True)  # media are private

    class Meta:
        model = Invoice
        fields = [
            "id",
            "project",
            "kind",
            "credits",
            "status",
            "series",
            "number",
            "issue_date",
            "payment_terms_days",
            "due_date",
            "paid_on",
            "currency",
            *services.PARTY_FIELDS,
            "service_period_start",
            "service_period_end",
            "notes",
            "pdf",
            "pdf_sha256",
            "lines",
            "totals",
        ]
        read_only_fields = [
            "kind",
            "credits",
            "status",
            "number",
            "issue_date",
            "due_date",
            "paid_on",
            "pdf_sha256",
        ]
        extra_kwargs = {"currency": {"required": False}}

    def get_totals(self, invoice: Invoice) -> dict[str, str]:
        totals = invoice_totals(invoice=invoice, lines=list(invoice.lines.all()))
        return {"net": str(totals.net), "tax": str(totals.tax), "gross": str(totals.gross)}

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.INVOICES_MANAGE,
            stays="An invoice stays with its project.",
        )


class PayInvoice(serializers.Serializer):
    paid_on = serializers.DateField()


class CreditLine(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))


class CreditRequest(serializers.Serializer):
    lines = CreditLine(
        many=True, required=False, help_text="Leave out to credit the whole invoice."
    )


class FromProjectRequest(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    start = serializers.DateField()
    end = serializers.DateField()
    tax_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        default=Decimal(0),
    )
    vat_exemption = serializers.ChoiceField(
        choices=VatExemption.choices,
        required=False,
        allow_blank=True,
        help_text="Why the lines carry no VAT, when tax_rate is 0.",
    )
    vat_exemption_reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True
    )
    bookings = serializers.BooleanField(default=True)
    engagements = serializers.BooleanField(default=False)
    cost_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False
    )
    issuer_name = serializers.CharField(max_length=200)
    issuer_address = serializers.CharField()
    issuer_vat = serializers.CharField(max_length=40, required=False, allow_blank=True)
    issuer_iban = serializers.CharField(max_length=42, required=False, allow_blank=True)
    issuer_bic = serializers.CharField(max_length=11, required=False, allow_blank=True)
    recipient_name = serializers.CharField(max_length=200)
    recipient_address = serializers.CharField()
    recipient_vat = serializers.CharField(max_length=40, required=False, allow_blank=True)
    recipient_email = serializers.EmailField(required=False, allow_blank=True)

    def validate_project(self, project: Project) -> Project:
        require_capability(self.context["request"].user, project, Capability.INVOICES_MANAGE)
        return project


class InvoiceViewSet(viewsets.ModelViewSet, MoneyViewSet):
    """Invoices and credit notes. Issued ones never change (409); nothing issued is deleted."""

    serializer_class = InvoiceSerializer
    filterset_fields = ["project", "status", "kind", "currency"]
    search_fields = ["number", "recipient_name"]
    write_capability = Capability.INVOICES_MANAGE

    def get_queryset(self) -> QuerySet[Invoice]:
        return Invoice.objects.filter(project__in=self.money_projects()).prefetch_related("lines")

    def project_of(self, obj: Invoice) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.invoice_create(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("project", None)
        serializer.instance = services.invoice_update(
            invoice=cast(Invoice, serializer.instance), **data
        )

    def perform_destroy(self, instance: Invoice) -> None:
        services.invoice_delete(invoice=instance)

    def _reloaded_response(self, invoice: Invoice) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=invoice.pk)).data)

    @extend_schema(request=FromProjectRequest, responses=InvoiceSerializer)
    @action(detail=False, methods=["post"], url_path="from-project")
    def from_project(self, request: Request) -> Response:
        """A draft from the project's records in a date range: confirmed studio time,
        engagements, chosen costs."""
        body = FromProjectRequest(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        invoice = services.invoice_from_project(**data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=invoice.pk)).data, status=201
        )

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Number the invoice, make its PDF once, and freeze it."""
        return self._reloaded_response(services.invoice_issue(invoice=self.get_object()))

    @extend_schema(request=PayInvoice, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        body = PayInvoice(data=request.data)
        body.is_valid(raise_exception=True)
        return self._reloaded_response(
            services.invoice_pay(invoice=invoice, paid_on=body.validated_data["paid_on"])
        )

    @extend_schema(request=CreditRequest, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def credit(self, request: Request, pk: str | None = None) -> Response:
        """Issue a credit note for the whole invoice, or for some quantities of some lines."""
        invoice = self.get_object()
        body = CreditRequest(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data.get("lines")
        quantities = {row["line"]: row["quantity"] for row in wanted} if wanted else None
        return self._reloaded_response(
            services.invoice_credit(invoice=invoice, quantities=quantities)
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        """The PDF made at issue, byte for byte."""
        invoice = self.get_object()
        if not invoice.pdf:
            raise NotFound("A draft has no PDF yet: issue it first.")
        return FileResponse(
            invoice.pdf.open("rb"), content_type="application/pdf", filename=f"{invoice.number}.pdf"
        )


class InvoiceLineViewSet(LinesViewSet):
    serializer_class = InvoiceLineSerializer
    filterset_fields = ["invoice"]
    write_capability = Capability.INVOICES_MANAGE

    def get_queryset(self) -> QuerySet[InvoiceLine]:
        return InvoiceLine.objects.filter(
            invoice__project__in=self.money_projects()
        ).select_related("invoice__project")

    def project_of(self, obj: InvoiceLine) -> Project:
        return obj.invoice.project

    parent = "invoice"
    save_line = staticmethod(services.invoice_line_save)
    delete_line = staticmethod(services.invoice_line_delete)
