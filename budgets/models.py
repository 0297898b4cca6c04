"""Budgets: versions of a project's plan by category, and the costs entered by hand.

Committed and actual money is derived (budgets.selectors) from bookings, payments and costs;
nothing here copies it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q

from studio.models import Project, money_field
from studio.money import validate_currency

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
    contingency_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(10))
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
