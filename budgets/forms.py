"""Forms of the budget, cost and invoice pages. They check the shape of what is typed; the
rules are the services' (budgets.services), whose refusals ``show_refusal`` puts beside the
field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from budgets.models import Category, Cost, InvoiceLine, MilestoneKind, VatExemption
from core.errors import Conflict
from core.validators import TextGuardFormMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Amounts are typed as text: the service says what the currency allows (no rounding here).
AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


def show_refusal(
    form: forms.BaseForm, error: ValidationError | Conflict, aliases: dict[str, str] | None = None
) -> None:
    """A service's refusal beside the field it names (``aliases`` maps the service's names
    onto the form's), or above the form when it names none of them."""
    if isinstance(error, Conflict):
        form.add_error(None, error.detail)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = (aliases or {}).get(name, name)
        if field in form.fields:
            form.add_error(field, messages)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            form.add_error(None, [f"{name.replace('_', ' ').capitalize()}: {m}" for m in messages])


class BudgetLineForm(TextGuardFormMixin, forms.Form):
    category = forms.ChoiceField(choices=Category.choices)
    planned = forms.DecimalField(label="Planned", widget=forms.TextInput(attrs=AMOUNT))
    description = forms.CharField(label="Notes", max_length=200, required=False)


class CostForm(TextGuardFormMixin, forms.Form):
    vendor = forms.CharField(max_length=200)
    category = forms.ChoiceField(
        choices=Category.choices, label="Budget line", help_text="The category it counts in."
    )
    amount = forms.DecimalField(widget=forms.TextInput(attrs=AMOUNT))
    currency = forms.CharField(max_length=3, min_length=3)
    date = forms.DateField(widget=DATE)
    exchange_rate = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=6,
        widget=forms.TextInput(attrs=AMOUNT),
        help_text="Only in another currency: the project's currency per unit, on the cost's date.",
    )
    status = forms.ChoiceField(choices=Cost.Status.choices, initial=Cost.Status.COMMITTED)
    recoupable = forms.BooleanField(required=False, help_text="From the artist's royalties.")
    description = forms.CharField(
        label="Notes", max_length=300, required=False, widget=forms.TextInput()
    )
    song = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        help_text="A mixing or mastering fee per song counts in that song's cost.",
    )
    receipt = forms.FileField(
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
        help_text="A PDF, JPEG or PNG, at most 10 MB.",
    )

    def __init__(self, *args: Any, songs: list[tuple[int, str]], **kwargs: Any) -> None:
        """``songs``: the project's songs as (id, title), read once by the page for this
        select and its filter; the service refuses another project's song all the same."""
        super().__init__(*args, **kwargs)
        self.fields["song"].choices = [("", "Not for one song"), *songs]  # type: ignore[attr-defined]

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()


class InvoiceLineForm(TextGuardFormMixin, forms.Form):
    description = forms.CharField(max_length=300)
    quantity = forms.DecimalField(
        max_digits=12, decimal_places=3, widget=forms.TextInput(attrs=AMOUNT)
    )
    unit = forms.CharField(max_length=20, required=False)
    unit_price = forms.DecimalField(label="Unit price", widget=forms.TextInput(attrs=AMOUNT))
    tax_rate = forms.DecimalField(
        label="Tax %", max_digits=5, decimal_places=2, widget=forms.TextInput(attrs=AMOUNT)
    )
    vat_exemption = forms.ChoiceField(
        label="Why 0 % VAT",
        choices=[("", "—")] + list(VatExemption.choices),
        required=False,
    )
    vat_exemption_reference = forms.CharField(label="Provision", max_length=200, required=False)

    @classmethod
    def for_line(cls, line: InvoiceLine, *, bound: bool = False) -> InvoiceLineForm:
        """The line's form; ``bound``, as if its values were just sent (to carry an error
        found elsewhere, at issue)."""
        prefix = f"line-{line.pk}"
        initial = {
            "description": line.description,
            "quantity": f"{line.quantity.normalize():f}",
            "unit": line.unit,
            "unit_price": line.unit_price,
            "tax_rate": f"{line.tax_rate.normalize():f}",
            "vat_exemption": line.vat_exemption,
            "vat_exemption_reference": line.vat_exemption_reference,
        }
        if bound:
            form = cls({f"{prefix}-{k}": v for k, v in initial.items()}, prefix=prefix)
            form.is_valid()
            return form
        return cls(initial=initial, prefix=prefix)


class PartiesForm(TextGuardFormMixin, forms.Form):
    issuer_name = forms.CharField(label="Your name", max_length=200)
    issuer_address = forms.CharField(label="Your address", widget=forms.Textarea(attrs={"rows": 3}))
    issuer_vat = forms.CharField(label="Your VAT number", max_length=40, required=False)
    issuer_iban = forms.CharField(label="IBAN", max_length=42, required=False)
    issuer_bic = forms.CharField(label="BIC", max_length=11, required=False)
    recipient_name = forms.CharField(label="Client", max_length=200)
    recipient_address = forms.CharField(
        label="Client's address", widget=forms.Textarea(attrs={"rows": 3})
    )
    recipient_vat = forms.CharField(label="Client's VAT number", max_length=40, required=False)
    recipient_email = forms.EmailField(
        label="Client's email", required=False, help_text="Where reminders go."
    )


class InvoiceFromProjectForm(PartiesForm):
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)
    bookings = forms.BooleanField(label="Studio time (confirmed bookings)", required=False)
    engagements = forms.BooleanField(label="Players and engineers (engagements)", required=False)
    tax_rate = forms.DecimalField(
        label="Tax %", max_digits=5, decimal_places=2, widget=forms.TextInput(attrs=AMOUNT)
    )
    vat_exemption = forms.ChoiceField(
        label="Why 0 % VAT",
        choices=[("", "—")] + list(VatExemption.choices),
        required=False,
    )
    vat_exemption_reference = forms.CharField(label="Provision", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("bookings") and not data.get("engagements"):
            self.add_error("bookings", "Pick what to bill: studio time, players, or both.")
        return data


class PayForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=DATE)


class CreditForm(forms.Form):
    lines = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Lines to credit",
        error_messages={"required": "Pick the lines to credit."},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = choices  # type: ignore[attr-defined]


class BillingPlanForm(PartiesForm):
    """A project's billing plan: what every milestone's draft invoice will carry."""

    total_fee = forms.DecimalField(
        label="Total fee",
        required=False,
        widget=forms.TextInput(attrs=AMOUNT),
        help_text="The whole fee; milestones in percent are shares of it. Optional.",
    )
    series = forms.CharField(max_length=12, initial="TS", help_text="The invoices' series.")
    payment_terms_days = forms.IntegerField(
        label="Payment terms (days)", min_value=0, max_value=365, initial=14
    )
    tax_rate = forms.DecimalField(
        label="Tax %",
        max_digits=5,
        decimal_places=2,
        initial=0,
        widget=forms.TextInput(attrs=AMOUNT),
    )
    vat_exemption = forms.ChoiceField(
        label="Why 0 % VAT",
        choices=[("", "—")] + list(VatExemption.choices),
        required=False,
    )
    vat_exemption_reference = forms.CharField(label="Provision", max_length=200, required=False)

    def clean_series(self) -> str:
        return str(self.cleaned_data["series"]).upper()


class BillingMilestoneForm(TextGuardFormMixin, forms.Form):
    """A milestone: an amount, or a percent of the plan's total (the service says which)."""

    kind = forms.ChoiceField(label="Reached when", choices=MilestoneKind.choices)
    label = forms.CharField(
        max_length=200, required=False, help_text="On the invoice line; the kind's name if blank."
    )
    amount = forms.DecimalField(required=False, widget=forms.TextInput(attrs=AMOUNT))
    percent = forms.DecimalField(
        label="Or percent of the total",
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs=AMOUNT),
    )
    position = forms.IntegerField(min_value=0, max_value=32767, initial=0, required=False)
