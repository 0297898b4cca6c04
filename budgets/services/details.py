"""What callers may set on budgets, costs and invoices, and how amounts are taken in."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import ValidationError

from core.money import validate_amount
from sessions.models import Engagement
from songs.models import Song
from studio.models import Booking


class BudgetLineDetails(TypedDict, total=False):
    """What a caller may set on a budget line; the service checks it."""

    category: str
    description: str
    planned: Decimal


class CostDetails(TypedDict, total=False):
    """What a caller may set on a cost besides its amount, currency and rate."""

    category: str
    vendor: str
    date: datetime.date
    description: str
    status: str
    recoupable: bool
    song: Song | None  # a song of the cost's project
    receipt: Any  # an uploaded file, checked by the model's validator


class InvoiceDetails(TypedDict, total=False):
    """What a caller may set on a draft invoice. Its number, dates of issue, status and PDF
    are the issuing service's alone."""

    series: str
    payment_terms_days: int
    currency: str
    issuer_name: str
    issuer_address: str
    issuer_vat: str
    issuer_iban: str
    issuer_bic: str
    recipient_name: str
    recipient_address: str
    recipient_vat: str
    recipient_email: str
    service_period_start: datetime.date | None
    service_period_end: datetime.date | None
    notes: str


class InvoiceLineDetails(TypedDict, total=False):
    position: int
    booking: Booking | None
    engagement: Engagement | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    tax_rate: Decimal
    vat_exemption: str
    vat_exemption_reference: str


def exact_amount(amount: object, currency: str, field: str) -> Decimal:
    """The amount as it will be kept, or a 400 naming ``field``: core.money's one check
    (finite, fits the column, no more decimals than the currency has; never rounded away)."""
    try:
        return validate_amount(amount, currency=currency)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
