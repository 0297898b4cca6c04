"""Milestone billing: a project's plan of instalments, each drafted as an invoice when its
milestone is reached (budgets.services.billing, budgets.milestones).

Kept beside ``budgets/models.py`` (which imports it, so Django finds the models there) to keep
that module small.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.money import money_field, validate_currency
from projects.models import Project


class MilestoneKind(models.TextChoices):
    """What a milestone waits for, read from the songs' stages (budgets.milestones)."""

    DEPOSIT = "deposit", "Deposit"
    TRACKING_DONE = "tracking_done", "Tracking done"
    MIX_APPROVED = "mix_approved", "Mix approved"
    MASTER_DELIVERED = "master_delivered", "Master delivered"


# A milestone's state as the API and the page say it.
MILESTONE_STATUSES = [("waiting", "Waiting"), ("reached", "Reached")]


class BillingPlan(models.Model):
    """How a production bills its client: instalments at milestones. One per project, in the
    project's currency, with what every milestone's draft invoice needs (the parties, series,
    terms and VAT treatment), so a milestone reached while a song moves drafts a complete
    invoice with nobody at hand. ``total_fee`` is what percentages are of."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="billing_plan")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    total_fee = money_field(
        null=True, blank=True, help_text="The whole fee; milestones in percent are shares of it."
    )
    series = models.CharField(max_length=12, default="TS")
    payment_terms_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(365)]
    )
    issuer_name = models.CharField(max_length=200)
    issuer_address = models.TextField()
    issuer_vat = models.CharField(max_length=40, blank=True)
    issuer_iban = models.CharField(max_length=42, blank=True)
    issuer_bic = models.CharField(max_length=11, blank=True)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField()
    recipient_vat = models.CharField(max_length=40, blank=True)
    recipient_email = models.EmailField(blank=True)
    tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    vat_exemption = models.CharField(
        max_length=20, blank=True, help_text="Why 0 % lines carry no VAT (see InvoiceLine)."
    )
    vat_exemption_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(total_fee__isnull=True) | Q(total_fee__gt=0),
                name="billingplan_total_positive",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100),
                name="billingplan_tax_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"Billing plan of {self.project}"


class BillingMilestone(models.Model):
    """An instalment of a plan: a fixed ``amount`` or a ``percent`` of the plan's total, never
    both. Reached once: ``reached_at`` and its draft ``invoice`` are set together and kept, so
    a song moving back and forth drafts nothing twice."""

    plan = models.ForeignKey(BillingPlan, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    label = models.CharField(max_length=200)
    amount = money_field(null=True, blank=True)
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(default=0)
    reached_at = models.DateTimeField(null=True, blank=True)
    # A draft deleted on the invoice page unlinks it; the milestone stays reached.
    invoice = models.OneToOneField(
        "budgets.Invoice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_milestone",
    )

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__isnull=False) & Q(percent__isnull=True))
                | (Q(amount__isnull=True) & Q(percent__isnull=False)),
                name="billingmilestone_amount_or_percent",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="billingmilestone_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gt=0) & Q(percent__lte=100)),
                name="billingmilestone_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(invoice__isnull=True) | Q(reached_at__isnull=False),
                name="billingmilestone_invoice_when_reached",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_reached(self) -> bool:
        return self.reached_at is not None
