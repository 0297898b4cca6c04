"""REST API of budgets: versions, lines, costs, and the derived report."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import services
from budgets.models import (
    Budget,
    BudgetLine,
    Category,
    Cost,
    Invoice,
    InvoiceLine,
    VatExemption,
)
from budgets.selectors import CategoryRow, budget_report, burn_down, invoice_totals
from sessions.models import Engagement
from studio.api_base import (
    ProjectRolePermission,
    ScopedFileField,
    ScopedPrimaryKeyRelatedField,
    require_capability,
    require_write_on_parent,
)
from studio.exports import csv_response
from studio.models import Booking, Project
from studio.money import validate_amount
from studio.permissions import Capability, projects_with


def _amount(attrs: dict[str, Any], field: str, currency: str) -> None:
    """studio.money's one amount check where the amount enters, named after its field; the
    service checks again for its other callers."""
    if attrs.get(field) is None:
        return
    try:
        attrs[field] = validate_amount(attrs[field], currency=currency)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: error.messages}) from error


class MoneyViewSet(viewsets.GenericViewSet):
    """Seen by roles that see budgets; written by roles that manage them."""

    permission_classes = [IsAuthenticated, ProjectRolePermission]
    write_capability = Capability.BUDGET_MANAGE
    action_capabilities: dict[str, Capability] = {}

    def money_projects(self) -> QuerySet[Project]:
        return projects_with(self.request.user, Capability.BUDGET_VIEW)


class BudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Budget
        fields = [
            "id",
            "project",
            "version",
            "currency",
            "contingency_percent",
            "approved_at",
            "notes",
        ]
        read_only_fields = ["version", "currency", "approved_at"]

    def validate_project(self, project: Project) -> Project:
        require_capability(self.context["request"].user, project, Capability.BUDGET_MANAGE)
        return project


class RowSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    planned = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast = serializers.DecimalField(max_digits=14, decimal_places=2)
    variance = serializers.DecimalField(max_digits=14, decimal_places=2)
    recoupable = serializers.DecimalField(max_digits=14, decimal_places=2)
    compared_planned = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class BurnPointSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="First day of the month.")
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReportSerializer(serializers.Serializer):
    currency = serializers.CharField()
    compared_with = serializers.IntegerField(allow_null=True)
    rows = RowSerializer(many=True)
    total = RowSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


def _row(row: CategoryRow) -> dict[str, Any]:
    fields = asdict(row)
    fields.pop("forecast_sum")
    return {
        **fields,
        "remaining": row.remaining,
        "forecast": row.forecast,
        "variance": row.variance,
    }


class BudgetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, MoneyViewSet
):
    """Budget versions. Creating one starts from the template, or copies the latest version."""

    serializer_class = BudgetSerializer
    filterset_fields = ["project"]

    def get_queryset(self) -> QuerySet[Budget]:
        return Budget.objects.filter(project__in=self.money_projects()).select_related("project")

    def project_of(self, obj: Budget) -> Project:
        return obj.project

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.budget_create(
            project=data["project"],
            contingency_percent=data.get("contingency_percent"),
            notes=data.get("notes", ""),
        )

    @extend_schema(request=None, responses=BudgetSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve this version: from now on it is a snapshot."""
        return Response(self.get_serializer(services.budget_approve(budget=self.get_object())).data)

    def _report(self, request: Request) -> Any:
        budget = self.get_object()
        raw = request.query_params.get("compare")
        compare = None
        if raw:
            # An id fits a 64-bit column: longer digits would overflow SQLite's integer (a 500).
            if not raw.isdigit() or len(raw) > 18:
                raise serializers.ValidationError({"compare": "A budget id."})
            compare = self.get_queryset().filter(project=budget.project, pk=int(raw)).first()
            if compare is None:
                raise serializers.ValidationError(
                    {"compare": "No version of this budget with that id."}
                )
        return budget_report(budget=budget, compare=compare)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "compare", int, description="Another version's id; default the approved one."
            )
        ],
        responses=ReportSerializer,
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Planned, committed, actual, remaining, forecast and variance per category, and the
        planned figures of the version compared with (the approved one unless told)."""
        report = self._report(request)
        body = {
            "currency": report.budget.currency,
            "compared_with": report.compared_with.pk if report.compared_with else None,
            "rows": [_row(row) for row in report.rows],
            "total": _row(report.total),
            "warnings": report.warnings,
        }
        return Response(ReportSerializer(body).data)

    @extend_schema(responses=BurnPointSerializer(many=True))
    # One point per month, never paged: the schema must not wrap them in a page.
    @action(detail=True, methods=["get"], url_path="burn-down", pagination_class=None)
    def burn_down(self, request: Request, pk: str | None = None) -> Response:
        """Cumulative actual spend by month, to draw against the plan."""
        points = burn_down(budget=self.get_object())
        return Response(BurnPointSerializer([asdict(p) for p in points], many=True).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="report/csv")
    def report_csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        report = self._report(request)
        header = [
            "category",
            "planned",
            "compared_planned",
            "committed",
            "actual",
            "remaining",
            "forecast",
            "variance",
            "recoupable",
        ]
        rows = [[_row(row)[name] for name in header] for row in [*report.rows, report.total]]
        return csv_response(f"budget-{report.budget.pk}-v{report.budget.version}.csv", header, rows)


class BudgetLineSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)

    class Meta:
        model = BudgetLine
        fields = ["id", "budget", "category", "description", "planned"]

    def validate_budget(self, budget: Budget) -> Budget:
        return require_write_on_parent(
            self,
            budget,
            field="budget",
            project=budget.project,
            capability=Capability.BUDGET_MANAGE,
            stays="A line stays in its budget.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        budget = attrs.get("budget") or getattr(self.instance, "budget", None)
        if budget is not None:
            _amount(attrs, "planned", budget.currency)
        return attrs


class LinesViewSet(viewsets.ModelViewSet, MoneyViewSet):
    """Lines of a parent document (a budget, an invoice), written through its services, which
    refuse changes once the parent is approved or issued."""

    parent: str
    save_line: Any
    delete_line: Any

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        parent = data.pop(self.parent)
        serializer.instance = self.save_line(**{self.parent: parent}, **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        line = serializer.instance
        data = dict(serializer.validated_data)
        data.pop(self.parent, None)
        serializer.instance = self.save_line(
            **{self.parent: getattr(line, self.parent)}, line=line, **data
        )

    def perform_destroy(self, instance: Any) -> None:
        self.delete_line(line=instance)


class BudgetLineViewSet(LinesViewSet):
    """Lines of a draft budget; an approved version answers 409."""

    serializer_class = BudgetLineSerializer
    filterset_fields = ["budget", "category"]

    def get_queryset(self) -> QuerySet[BudgetLine]:
        return BudgetLine.objects.filter(budget__project__in=self.money_projects()).select_related(
            "budget__project"
        )

    def project_of(self, obj: BudgetLine) -> Project:
        return obj.budget.project

    parent = "budget"
    save_line = staticmethod(services.budget_line_save)
    delete_line = staticmethod(services.budget_line_delete)


class CostSerializer(serializers.ModelSerializer):
    exchange_rate = serializers.DecimalField(
        max_digits=14, decimal_places=6, required=False, min_value=0
    )
    receipt = ScopedFileField(view_name="cost-receipt", required=False)  # media are private

    class Meta:
        model = Cost
        fields = [
            "id",
            "project",
            "category",
            "vendor",
            "date",
            "description",
            "amount",
            "currency",
            "exchange_rate",
            "amount_converted",
            "status",
            "recoupable",
            "receipt",
        ]
        read_only_fields = ["amount_converted"]

    def validate_project(self, project: Project) -> Project:
        return require_write_on_parent(
            self,
            project,
            field="project",
            project=project,
            capability=Capability.BUDGET_MANAGE,
            stays="A cost stays with its project.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        currency = attrs.get("currency") or getattr(self.instance, "currency", None)
        if currency is not None:
            _amount(attrs, "amount", currency)
        return attrs


class CostViewSet(viewsets.ModelViewSet, MoneyViewSet):
    """Costs entered by hand, with receipts (PDF, JPEG or PNG, checked by content)."""

    serializer_class = CostSerializer
    filterset_fields = ["project", "category", "status", "recoupable", "currency"]
    search_fields = ["vendor", "description"]
    ordering_fields = ["date", "amount_converted"]

    def get_queryset(self) -> QuerySet[Cost]:
        return Cost.objects.filter(project__in=self.money_projects()).select_related("project")

    def project_of(self, obj: Cost) -> Project:
        return obj.project

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> HttpResponse:
        """The filtered costs as CSV for the bookkeeper."""
        header = [
            "date",
            "vendor",
            "category",
            "description",
            "amount",
            "currency",
            "exchange_rate",
            "amount_converted",
            "status",
            "recoupable",
        ]
        costs = self.filter_queryset(self.get_queryset())
        rows = [[getattr(cost, name) for name in header] for cost in costs]
        return csv_response("costs.csv", header, rows)

    def _save(self, serializer: serializers.BaseSerializer[Any], cost: Cost | None) -> None:
        current: dict[str, Any] = {}
        if cost is not None:
            current = {
                "project": cost.project,
                "amount": cost.amount,
                "currency": cost.currency,
                "exchange_rate": cost.exchange_rate,
            }
        data = {**current, **serializer.validated_data}
        serializer.instance = services.cost_save(cost=cost, **data)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, cast(Cost, serializer.instance))


# --- invoices ---------------------------------------------------------------------------------


# A line bills a booking or engagement of a project whose money the caller sees: another
# project's reads as missing, as the API answers everywhere.
def _billable_bookings(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(project__in=projects_with(user, Capability.BUDGET_VIEW))


def _billable_engagements(user: Any) -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        session__project__in=projects_with(user, Capability.BUDGET_VIEW)
    )


class InvoiceLineSerializer(serializers.ModelSerializer):
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
        return require_write_on_parent(
            self,
            invoice,
            field="invoice",
            project=invoice.project,
            capability=Capability.INVOICES_MANAGE,
            stays="A line stays on its invoice.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        invoice = attrs.get("invoice") or getattr(self.instance, "invoice", None)
        if invoice is not None:
            _amount(attrs, "unit_price", invoice.currency)
        return attrs


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
            "issuer_name",
            "issuer_address",
            "issuer_vat",
            "issuer_iban",
            "issuer_bic",
            "recipient_name",
            "recipient_address",
            "recipient_vat",
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
        instance.delete()

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
