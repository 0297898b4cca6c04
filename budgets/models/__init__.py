"""Budgets: versions of a project's plan by category, and the costs entered by hand.

Committed and actual money is derived (budgets.selectors) from bookings, payments and costs;
nothing here copies it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from core.errors import Conflict
from core.money import money_field, validate_amount, validate_currency
from projects.models import Project
from sessions.models import Engagement
from songs.models import Song
from studio.models import Booking

RECEIPT_MAX_BYTES = 10 * 1024 * 1024
# What a receipt may be, by its first bytes (the name and the browser's type prove nothing).
RECEIPT_SIGNATURES = {b"%PDF-": "PDF", b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}


def validate_receipt(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > RECEIPT_MAX_BYTES:
        raise ValidationError("A receipt is at most 10 MB.", code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in RECEIPT_SIGNATURES):
        raise ValidationError(
            "A receipt is a PDF, JPEG or PNG file; this file's content is none of them.",
            code="not_a_receipt",
        )


def _check_amount(amount: object, currency: str, field: str) -> None:
    """core.money's one amount check, its refusal named after the field."""
    try:
        validate_amount(amount, currency=currency)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


class Category(models.TextChoices):
    """The record-budget template, in the order a producer reads it."""

    PRE_PRODUCTION = "pre_production", "Pre-production"
    STUDIO_TIME = "studio_time", "Studio time"
    ENGINEERS = "engineers", "Engineers"
    MUSICIANS = "musicians", "Musicians"
    VOCALISTS = "vocalists", "Vocalists"
    MIXING = "mixing", "Mixing"
    MASTERING = "mastering", "Mastering"
    EQUIPMENT_RENTAL = "equipment_rental", "Equipment rental"
    TRAVEL = "travel", "Travel"
    ARTWORK = "artwork", "Artwork"
    MARKETING = "marketing", "Marketing"
    CONTINGENCY = "contingency", "Contingency"


class Budget(models.Model):
    """One version of a project's budget. An approved version is a snapshot: its lines no
    longer change; a re-forecast is a new version."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budgets")
    version = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    contingency_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="budget_unique_version"),
            models.CheckConstraint(
                condition=Q(contingency_percent__gte=0) & Q(contingency_percent__lte=100),
                name="budget_contingency_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} budget v{self.version}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=200, blank=True)
    planned = money_field(default=Decimal(0))

    class Meta:
        ordering = ["budget_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__gte=0), name="budgetline_planned_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.planned}"

    def clean(self) -> None:
        if self.planned is not None and self.budget_id is not None:
            _check_amount(self.planned, self.budget.currency, "planned")


class Cost(models.Model):
    """A cost entered by hand: ordered (committed) or paid (actual). In another currency it
    keeps the exchange rate of its date and the amount in the project's currency."""

    class Status(models.TextChoices):
        COMMITTED = "committed", "Committed (ordered)"
        PAID = "paid", "Paid"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="costs")
    category = models.CharField(max_length=20, choices=Category.choices)
    vendor = models.CharField(max_length=200)
    date = models.DateField()
    description = models.CharField(max_length=300, blank=True)
    amount = money_field()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    exchange_rate = models.DecimalField(
        max_digits=14, decimal_places=6, default=Decimal(1), help_text="Project currency per unit."
    )
    amount_converted = money_field(help_text="In the project's currency.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMMITTED)
    recoupable = models.BooleanField(default=False)
    # The song it was for (a mixing or mastering fee per song is the common deal); a song of
    # the cost's project, which the cost service checks (budgets.song_costs reads it).
    song = models.ForeignKey(
        Song, null=True, blank=True, on_delete=models.SET_NULL, related_name="costs"
    )
    receipt = models.FileField(
        upload_to="receipts/%Y/%m/", blank=True, validators=[validate_receipt]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_amount_not_negative"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="cost_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor}: {self.amount} {self.currency}"

    def clean(self) -> None:
        if self.amount is not None and self.currency:
            _check_amount(self.amount, self.currency, "amount")


SERIES_PATTERN = r"[A-Z0-9-]{1,12}"
validate_series = RegexValidator(
    rf"\A{SERIES_PATTERN}\Z",
    "A series is 1 to 12 capital letters, digits and hyphens (for example TS or EU-2).",
    code="invalid_series",
)


def issuer_key(*, name: str, vat: str) -> str:
    """Whose numbering an invoice takes part in: its issuer's VAT number when it has one (the
    number names the business to the tax office), else its name, case and spacing aside."""
    vat = re.sub(r"[\s.-]", "", vat).upper()
    if vat:
        return f"vat:{vat}"
    return "name:" + " ".join(name.split()).casefold()


class InvoiceSeries(models.Model):
    """The last number an issuer gave in a series and year; its row is locked while a number
    is taken, so numbers have no gaps and no repeats.

    A series belongs to an issuer (``issuer_key``, see ``issuer_key()``), the business whose
    name is on the invoice: its invoices are numbered in one sequence whatever production they
    bill, and one producer's numbers say nothing about how many another issued.
    """

    issuer_key = models.CharField(max_length=250)
    prefix = models.CharField(max_length=12, validators=[validate_series])
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_key", "prefix", "year"], name="invoiceseries_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_key} {self.prefix}-{self.year}: {self.last_number}"


class FrozenInvoice(Conflict):
    """An issued invoice, or a line of one, was about to change."""

    def __init__(self, invoice: Invoice) -> None:
        super().__init__(
            f"Invoice {invoice.number or invoice.pk} is {invoice.status}: it never changes. "
            "Correct it with a credit note.",
            code="invoice_frozen",
        )


class InvoiceTransitionRefused(Conflict):
    """A status change the invoice's life does not have (an issued invoice back to draft)."""

    def __init__(self, invoice: Invoice, status: str) -> None:
        super().__init__(
            f"Invoice {invoice.number or invoice.pk} is {invoice.status}; it cannot become "
            f"{status}.",
            code="invoice_transition",
        )


# What may still change on an issued invoice: its way to paid or cancelled, nothing else.
# The database trigger of migration 0006 keeps the same list: change both together.
INVOICE_MUTABLE_AFTER_ISSUE = {"status", "paid_on", "reminded_at"}


class Invoice(models.Model):
    """An invoice or a credit note. Both parties' details are copied onto it; once issued it
    never changes (the model refuses, the API answers 409) and its PDF is kept as made.

    The service period is the date of supply the EU VAT directive asks for (2006/112/EC art.
    226(7)): one day when start and end are the same. Left blank, issuing sets it to the issue
    date, since the directive asks for the date only where it differs from the issue date.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    credits = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    series = models.CharField(max_length=12, default="TS", validators=[validate_series])
    issuer_key = models.CharField(
        max_length=250, editable=False, help_text="Whose numbering it takes part in."
    )
    number = models.CharField(max_length=30, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    # A year is the longest term anyone grants; the bound also keeps the due date computable.
    payment_terms_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(365)]
    )
    due_date = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    issuer_name = models.CharField(max_length=200)
    issuer_address = models.TextField()
    issuer_vat = models.CharField(max_length=40, blank=True)
    issuer_iban = models.CharField(max_length=42, blank=True)
    issuer_bic = models.CharField(max_length=11, blank=True)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField()
    recipient_vat = models.CharField(max_length=40, blank=True)
    recipient_email = models.EmailField(blank=True, help_text="Where reminders go.")
    service_period_start = models.DateField(
        null=True, blank=True, help_text="First day of the supply (date of supply)."
    )
    service_period_end = models.DateField(
        null=True, blank=True, help_text="Last day of the supply; the start for a single day."
    )
    notes = models.TextField(blank=True)
    pdf = models.FileField(upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_key", "number"],
                condition=~Q(number=""),
                name="invoice_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(number=""), name="invoice_issued_has_number"
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit_note") | Q(credits__isnull=False),
                name="invoice_credit_note_refers",
            ),
            models.CheckConstraint(
                condition=(
                    Q(service_period_start__isnull=True) & Q(service_period_end__isnull=True)
                )
                | Q(service_period_end__gte=F("service_period_start")),
                name="invoice_service_period",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.kind} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.issuer_key = issuer_key(name=self.issuer_name, vat=self.issuer_vat)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "issuer_key"}
        stored = Invoice.objects.filter(pk=self.pk).first() if self.pk is not None else None
        if stored is None and self.status != self.Status.DRAFT:
            # Only issuing numbers an invoice: every invoice is born a draft.
            raise InvoiceTransitionRefused(Invoice(status=self.Status.DRAFT), self.status)
        if stored is not None and not stored.can_become(self.status):
            raise InvoiceTransitionRefused(stored, self.status)
        if stored is not None and stored.is_frozen:
            changed = {
                f.attname
                for f in self._meta.concrete_fields
                if getattr(stored, f.attname) != getattr(self, f.attname)
            }
            if changed - INVOICE_MUTABLE_AFTER_ISSUE:
                raise FrozenInvoice(stored)
        super().save(*args, **kwargs)

    def can_become(self, status: str) -> bool:
        return status == self.status or status in INVOICE_TRANSITIONS[self.status]

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_frozen:
            raise FrozenInvoice(self)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        start, end = self.service_period_start, self.service_period_end
        if (start is None) != (end is None):
            missing = "service_period_end" if end is None else "service_period_start"
            raise ValidationError(
                {missing: "Give both ends of the service period (the same day for one day)."}
            )
        if start is not None and end is not None and end < start:
            raise ValidationError(
                {"service_period_end": "The service period ends on or after its start."}
            )

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


# An invoice's life: issued once, then paid, or cancelled by a credit note in full (a paid one
# too: the credit note is the refund). Nothing goes back to draft, nothing leaves cancelled.
INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    Invoice.Status.DRAFT: frozenset({Invoice.Status.ISSUED}),
    Invoice.Status.ISSUED: frozenset({Invoice.Status.PAID, Invoice.Status.CANCELLED}),
    Invoice.Status.PAID: frozenset({Invoice.Status.CANCELLED}),
    Invoice.Status.CANCELLED: frozenset(),
}


class VatExemption(models.TextChoices):
    """Why a line carries no VAT. The invoice must say so (2006/112/EC art. 226(11), (11a))."""

    EXEMPT = "exempt", "Exempt"
    REVERSE_CHARGE = "reverse_charge", "Reverse charge"
    OUTSIDE_SCOPE = "outside_scope", "Outside the scope of VAT"


# Art. 226(11) accepts the exempting article of the directive, the national provision, or
# "any other reference indicating that the supply ... is exempt": without the user's provision,
# the directive's title on exemptions is that reference.
DEFAULT_EXEMPTION_REFERENCE = "Title IX of Directive 2006/112/EC"
# Art. 226(11a) wants the words "Reverse charge"; art. 196 is the rule for the services a studio
# sells to a business customer in another member state.
DEFAULT_REVERSE_CHARGE_REFERENCE = "Article 196 of Directive 2006/112/EC"


class InvoiceLine(models.Model):
    """A line of an invoice. A line at 0 % VAT names its reason (``vat_exemption``) before the
    invoice is issued; a taxed line has none."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(32767)])
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=20, blank=True, help_text="h, day, piece…")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    vat_exemption = models.CharField(
        max_length=20,
        choices=VatExemption.choices,
        blank=True,
        help_text="Why a 0 % line carries no VAT; required to issue.",
    )
    vat_exemption_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="The provision, e.g. 'Article 132(1)(c) of Directive 2006/112/EC' or the "
        "national law's; a generic reference when left blank.",
    )
    credits_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credited_by"
    )
    # What the line bills, when it was drafted from the project's records: a booking or an
    # engagement is billed once on the invoices that are not cancelled (budgets.services).
    # No database constraint says so: "not cancelled" is the invoice's status, another table.
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="invoiceline_tax_rate"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="invoiceline_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(tax_rate=0) | (Q(vat_exemption="") & Q(vat_exemption_reference="")),
                name="invoiceline_taxed_not_exempt",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def save(self, *args: Any, **kwargs: Any) -> None:
        invoice = Invoice.objects.get(pk=self.invoice_id)
        if invoice.is_frozen:
            raise FrozenInvoice(invoice)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.invoice.is_frozen:
            raise FrozenInvoice(self.invoice)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.unit_price is not None and self.invoice_id is not None:
            _check_amount(self.unit_price, self.invoice.currency, "unit_price")
        if self.tax_rate is not None and self.tax_rate != 0 and self.vat_exemption:
            raise ValidationError(
                {
                    "vat_exemption": f"A line taxed at {self.tax_rate.normalize():f} % is not "
                    "exempt: set the rate to 0 or leave the reason out."
                }
            )
        if self.vat_exemption_reference and not self.vat_exemption:
            raise ValidationError(
                {"vat_exemption_reference": "A provision goes with a reason: give vat_exemption."}
            )

    @property
    def vat_statement(self) -> str:
        """What the invoice prints for this line's missing VAT, in the directive's words."""
        reference = self.vat_exemption_reference
        if self.vat_exemption == VatExemption.EXEMPT:
            return f"VAT exempt: {reference or DEFAULT_EXEMPTION_REFERENCE}"
        if self.vat_exemption == VatExemption.REVERSE_CHARGE:
            return f"Reverse charge ({reference or DEFAULT_REVERSE_CHARGE_REFERENCE})"
        if self.vat_exemption == VatExemption.OUTSIDE_SCOPE:
            return "Outside the scope of VAT" + (f" ({reference})" if reference else "")
        return ""


# Milestone billing lives in models/billing.py; imported here so Django registers its models.
from budgets.models.billing import (  # noqa: E402, F401
    BillingMilestone,
    BillingPlan,
    MilestoneKind,
)
