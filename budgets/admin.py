from typing import Any

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from budgets import services
from budgets.models import (
    BillingMilestone,
    BillingPlan,
    Budget,
    BudgetLine,
    Cost,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
)
from budgets.services.billing import billing_plan_delete
from budgets.services.budgets import budget_delete
from core.admin import ServiceDeleteAdmin, ServiceFormAdmin, ServiceSaveAdmin, saved_through


class InvoiceAdminForm(forms.ModelForm):
    """The admin edits a draft's details; its status moves only through the services (issue,
    pay, credit), which number it, make its PDF and keep the books in step."""

    class Meta:
        model = Invoice
        # Every field, as the admin's own form: readonly_fields leaves out what issuing sets.
        fields = "__all__"  # noqa: DJ007

    def clean_status(self) -> str:
        status: str = self.cleaned_data["status"]
        before = Invoice.Status.DRAFT if self.instance._state.adding else self.instance.status
        if status != before:
            raise forms.ValidationError(
                f"An invoice goes from {before} to {status} only by issuing, paying or "
                "crediting it (the API or the invoice page), never by editing it here."
            )
        return status


class InvoiceLineAdminForm(forms.ModelForm):
    class Meta:
        model = InvoiceLine
        fields = "__all__"  # noqa: DJ007  # every field, as the admin's own form

    def clean_invoice(self) -> Invoice:
        invoice: Invoice = self.cleaned_data["invoice"]
        if invoice.is_frozen:
            raise forms.ValidationError(
                f"Invoice {invoice} is {invoice.status}: it takes no new lines. Correct it "
                "with a credit note."
            )
        return invoice


def budget_line_details(form: forms.ModelForm) -> dict[str, Any]:
    """What the budget line form typed, as budget_line_save takes it."""
    return {name: form.cleaned_data[name] for name in ("category", "description", "planned")}


class BudgetLineInline(admin.TabularInline):
    """Lines added and changed here are saved by budget_line_save (BudgetAdmin.save_formset):
    an approved budget's lines stay as they were approved."""

    model = BudgetLine
    extra = 0
    fields = ["category", "description", "planned"]
    # A line is deleted from its own page, through budget_line_delete.
    can_delete = False


@admin.register(Budget)
class BudgetAdmin(ServiceFormAdmin):
    """A version is made by budget_create (numbered, the template's or the latest version's
    lines) and approved by budget_approve: neither is typed here, and an approval is never
    undone (the form would clear it)."""

    list_display = ["project", "version", "currency", "contingency_percent", "approved_at"]
    list_select_related = ["project"]
    readonly_fields = ["project", "version", "currency", "approved_at"]
    inlines = [BudgetLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool
    ) -> None:
        saved_through(
            formset,
            lambda row, row_form: services.budget_line_save(
                budget=form.instance, line=row, **budget_line_details(row_form)
            ),
        )

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        budget_delete(budget=obj)


@admin.register(BudgetLine)
class BudgetLineAdmin(ServiceSaveAdmin):
    """Saved through budget_line_save: an approved budget's lines no longer change."""

    list_display = ["budget", "category", "description", "planned"]
    list_filter = ["category"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A line stays in its budget (version): a re-forecast is a new version.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "budget"] if obj is not None else list(fields)

    def save_with_service(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> BudgetLine:
        return services.budget_line_save(
            budget=obj.budget, line=obj if change else None, **budget_line_details(form)
        )

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.budget_line_delete(line=obj)


@admin.register(Cost)
class CostAdmin(ServiceDeleteAdmin):
    list_display = ["vendor", "project", "date", "amount", "currency", "amount_converted", "status"]
    list_filter = ["status", "category", "recoupable"]
    list_select_related = ["project"]
    search_fields = ["vendor", "description"]

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.cost_delete(cost=obj)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fk_name = "invoice"
    exclude = ["credits_line"]
    # A draft's line is deleted from its own page, through invoice_line_delete.
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_frozen

    has_add_permission = has_change_permission


@admin.register(Invoice)
class InvoiceAdmin(ServiceDeleteAdmin):
    """Issued invoices are shown, never edited or deleted: corrections are credit notes."""

    list_display = [
        "__str__",
        "kind",
        "project",
        "recipient_name",
        "status",
        "issue_date",
        "service_period_start",
        "service_period_end",
        "currency",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["project"]
    search_fields = ["number", "recipient_name"]
    form = InvoiceAdminForm
    inlines = [InvoiceLineInline]
    readonly_fields = ["number", "issue_date", "due_date", "pdf", "pdf_sha256", "credits", "kind"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_frozen

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_frozen

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.invoice_delete(invoice=obj)


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(admin.ModelAdmin):
    list_display = ["prefix", "year", "last_number"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # numbers are only ever taken by issuing


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ServiceDeleteAdmin):
    """An issued invoice's lines are shown, never edited or deleted, as the invoice is."""

    list_display = ["description", "invoice", "quantity", "unit_price", "tax_rate", "vat_exemption"]
    list_select_related = ["invoice"]
    form = InvoiceLineAdminForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.invoice.is_frozen

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.invoice.is_frozen

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.invoice_line_delete(line=obj)


def milestone_details(form: forms.ModelForm) -> dict[str, Any]:
    """What the milestone form typed, as billing_milestone_save takes it."""
    names = ("kind", "label", "amount", "percent", "position")
    return {name: form.cleaned_data[name] for name in names}


class BillingMilestoneInline(admin.TabularInline):
    """Milestones added and changed here are saved by billing_milestone_save
    (BillingPlanAdmin.save_formset): a reached one no longer changes."""

    model = BillingMilestone
    extra = 0
    fields = ["kind", "label", "amount", "percent", "position", "reached_at", "invoice"]
    # Reached and drafted by the billing service only: each milestone drafts once.
    readonly_fields = ["reached_at", "invoice"]
    # A milestone is deleted from its own page, through billing_milestone_delete: a reached
    # one stays with its invoice.
    can_delete = False


@admin.register(BillingPlan)
class BillingPlanAdmin(ServiceFormAdmin):
    list_display = ["project", "currency", "total_fee", "recipient_name", "created_at"]
    search_fields = ["project__title", "recipient_name", "issuer_name"]
    readonly_fields = ["currency", "created_at"]
    inlines = [BillingMilestoneInline]

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool
    ) -> None:
        saved_through(
            formset,
            lambda row, row_form: services.billing_milestone_save(
                plan=form.instance, milestone=row, **milestone_details(row_form)
            ),
        )

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        billing_plan_delete(plan=obj)


@admin.register(BillingMilestone)
class BillingMilestoneAdmin(ServiceSaveAdmin):
    """Saved through billing_milestone_save (a deposit drafts its invoice at once); a reached
    milestone no longer changes."""

    list_display = ["label", "plan", "kind", "amount", "percent", "reached_at", "invoice"]
    list_filter = ["kind"]
    search_fields = ["label", "plan__project__title"]
    readonly_fields = ["reached_at", "invoice"]
    list_select_related = ["plan__project", "invoice"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "plan"] if obj is not None else list(fields)

    def save_with_service(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> BillingMilestone:
        return services.billing_milestone_save(
            plan=obj.plan, milestone=obj if change else None, **milestone_details(form)
        )

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        services.billing_milestone_delete(milestone=obj)
