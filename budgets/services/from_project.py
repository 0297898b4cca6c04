"""A draft invoice built from what the project recorded in a date range."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.models import Cost, Invoice, InvoiceLine
from budgets.selectors import Billed, billed_items
from budgets.services.details import InvoiceDetails
from budgets.services.invoices import invoice_create
from projects.models import Project
from sessions.models import Engagement
from studio.models import Booking


@transaction.atomic
def invoice_from_project(
    *,
    project: Project,
    start: datetime.date,
    end: datetime.date,
    tax_rate: Decimal = Decimal(0),
    vat_exemption: str = "",
    vat_exemption_reference: str = "",
    bookings: bool = True,
    engagements: bool = False,
    cost_ids: list[int] | None = None,
    **parties: Unpack[InvoiceDetails],
) -> Invoice:
    """A draft built from the project's own records in [start, end]: the studio time of its
    confirmed bookings, the wages of its engagements, and chosen costs. Its service period
    runs from the first to the last local day of what it bills; at 0 % its lines carry
    ``vat_exemption``."""
    if end < start:
        raise ValidationError({"end": "The end must not be before the start."})
    if tax_rate != 0 and (vat_exemption or vat_exemption_reference):
        raise ValidationError(
            {"vat_exemption": f"Lines taxed at {tax_rate.normalize():f} % are not exempt."}
        )
    # The project's row lock: two drafts from the same project take turns, so the second
    # sees what the first billed and skips it.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    billed = billed_items(project_id=project.pk)
    draft = _Draft(
        invoice_create(project=project, **parties),
        tax_rate=tax_rate,
        vat_exemption=vat_exemption,
        vat_exemption_reference=vat_exemption_reference,
    )
    days = _DayRange(start, end)
    if bookings:
        _add_studio_time(draft, days, project=project, billed=billed)
    if engagements:
        _add_engagements(draft, days, project=project, billed=billed)
    if cost_ids:
        _add_costs(draft, days, project=project, cost_ids=cost_ids)
    if draft.position == 0:
        raise ValidationError(
            {"start": "Nothing to invoice in that range that is not invoiced already."}
        )
    invoice = draft.invoice
    invoice.service_period_start, invoice.service_period_end = min(days.served), max(days.served)
    invoice.full_clean(exclude=["number"])
    invoice.save(update_fields=["service_period_start", "service_period_end"])
    return invoice


class _Draft:
    """The invoice being filled: each line numbered in turn, all at one tax rate."""

    def __init__(
        self,
        invoice: Invoice,
        *,
        tax_rate: Decimal,
        vat_exemption: str,
        vat_exemption_reference: str,
    ) -> None:
        self.invoice = invoice
        self.tax_rate = tax_rate
        self.vat_exemption = vat_exemption
        self.vat_exemption_reference = vat_exemption_reference
        self.position = 0

    def add(
        self,
        description: str,
        quantity: Decimal,
        price: Decimal,
        *,
        booking: Booking | None = None,
        engagement: Engagement | None = None,
    ) -> None:
        line = InvoiceLine(
            invoice=self.invoice,
            position=self.position,
            description=description,
            quantity=quantity,
            unit_price=price,
            tax_rate=self.tax_rate,
            vat_exemption=self.vat_exemption,
            vat_exemption_reference=self.vat_exemption_reference,
            booking=booking,
            engagement=engagement,
        )
        line.full_clean()
        line.save()
        self.position += 1


class _DayRange:
    """[start, end] in local days, and the days what is billed was served on.

    Bookings and sessions are picked by the local day they start on, in their studio's zone
    (UTC for a session without a room), not by the UTC date: 00:30 in Berlin on 1 March is
    March's. The query takes a day more on each side (``after``, ``before``), enough for every
    zone (UTC-12 to UTC+14); the local day decides in Python (``holds``)."""

    def __init__(self, start: datetime.date, end: datetime.date) -> None:
        self.start, self.end = start, end
        self.after = datetime.datetime.combine(
            start - datetime.timedelta(days=1), datetime.time(), datetime.UTC
        )
        self.before = datetime.datetime.combine(
            end + datetime.timedelta(days=2), datetime.time(), datetime.UTC
        )
        self.served: list[datetime.date] = []

    def holds(self, moment: datetime.datetime, zone: Any) -> bool:
        return self.start <= moment.astimezone(zone).date() <= self.end

    def serve(self, begin: datetime.datetime, finish: datetime.datetime, zone: Any) -> None:
        # Local days, and the last instant before the end: a session to midnight is that day's.
        self.served.append(begin.astimezone(zone).date())
        self.served.append((finish - datetime.timedelta(microseconds=1)).astimezone(zone).date())


def _add_studio_time(draft: _Draft, days: _DayRange, *, project: Project, billed: Billed) -> None:
    """A line per confirmed booking in the range (in the invoice's currency) not billed yet."""
    rows = Booking.objects.filter(
        project=project,
        status=Booking.Status.CONFIRMED,
        start__gte=days.after,
        start__lt=days.before,
        room__studio__currency=draft.invoice.currency,
    ).select_related("room__studio")
    for booking in rows.order_by("start"):
        zone = booking.room.studio.zone
        if not days.holds(booking.start, zone) or booking.pk in billed.bookings:
            continue
        local = booking.start.astimezone(zone)
        days.serve(booking.start, booking.end, zone)
        draft.add(
            f"Studio time: {booking.room}, {local:%d %b %Y}",
            Decimal(1),
            booking.quoted_amount or Decimal(0),
            booking=booking,
        )


def _add_engagements(draft: _Draft, days: _DayRange, *, project: Project, billed: Billed) -> None:
    """A line per engagement on a session in the range (in the invoice's currency) not billed
    yet."""
    for engagement in (
        Engagement.objects.filter(
            session__project=project,
            session__start__gte=days.after,
            session__start__lt=days.before,
            currency=draft.invoice.currency,
        )
        .select_related("person", "session__room__studio")
        .order_by("session__start", "pk")
    ):
        session = engagement.session
        if not days.holds(session.start, session.zone) or engagement.pk in billed.engagements:
            continue
        days.serve(session.start, session.end, session.zone)
        draft.add(
            f"{engagement.person.name}, {engagement.get_role_display().lower()}: "
            f"{session.title} ({session.start.astimezone(session.zone):%d %b %Y})",
            Decimal(1),
            engagement.fee,
            engagement=engagement,
        )


def _add_costs(draft: _Draft, days: _DayRange, *, project: Project, cost_ids: list[int]) -> None:
    """A line per chosen cost; every one must be the project's and dated in the range."""
    costs = list(
        Cost.objects.filter(
            project=project, pk__in=cost_ids, date__gte=days.start, date__lte=days.end
        )
    )
    missing = set(cost_ids) - {cost.pk for cost in costs}
    if missing:
        raise ValidationError(
            {"cost_ids": f"Not costs of this project in the range: {sorted(missing)}."}
        )
    for cost in costs:
        days.served.append(cost.date)
        draft.add(
            f"{cost.vendor}: {cost.description or cost.get_category_display()}",
            Decimal(1),
            cost.amount_converted,
        )
