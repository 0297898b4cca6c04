"""Writes with rules for budgets: versions from the template, approval, costs."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from budgets.models import (
    Budget,
    BudgetLine,
    Category,
    Cost,
    FrozenInvoice,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    VatExemption,
    issuer_key,
    validate_series,
)
from budgets.pdf import render_invoice
from budgets.selectors import billed_items, billing_lines, credited_so_far, invoice_label
from sessions.models import Engagement
from studio.errors import Conflict
from studio.models import Booking, Project
from studio.money import round_money, validate_amount


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


def _assign(target: Any, details: Any, allowed: type) -> None:
    """Set ``details`` on ``target``, refusing any name ``allowed`` (a TypedDict) lacks: the
    types say so to mypy, this says so to a caller that passes a dict."""
    unknown = set(details) - set(allowed.__annotations__)
    if unknown:
        raise TypeError(f"Not settable here: {', '.join(sorted(unknown))}.")
    for name, value in details.items():
        setattr(target, name, value)


@transaction.atomic
def budget_create(
    *, project: Project, contingency_percent: Decimal | None = None, notes: str = ""
) -> Budget:
    """A new version: the record-budget template for a first budget, a copy of the latest
    version's lines for a re-forecast."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    versions = Budget.objects.filter(project=project)
    latest = versions.order_by("-version").first()
    budget = Budget.objects.create(
        project=project,
        version=(versions.aggregate(n=Max("version"))["n"] or 0) + 1,
        currency=project.currency,
        contingency_percent=contingency_percent
        if contingency_percent is not None
        else (latest.contingency_percent if latest else Decimal(10)),
        notes=notes,
    )
    if latest is None:
        lines = [BudgetLine(budget=budget, category=category) for category in Category.values]
    else:
        lines = [
            BudgetLine(
                budget=budget,
                category=line.category,
                description=line.description,
                planned=line.planned,
            )
            for line in latest.lines.all()
        ]
    BudgetLine.objects.bulk_create(lines)
    return budget


def _require_draft(budget: Budget) -> None:
    if budget.is_approved:
        raise Conflict(
            f"Version {budget.version} is approved and kept as it is; "
            "make a new version to re-forecast.",
            code="approved",
        )


@transaction.atomic
def budget_approve(*, budget: Budget) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require_draft(budget)
    budget.approved_at = timezone.now()
    budget.save(update_fields=["approved_at"])
    return budget


@transaction.atomic
def budget_line_save(
    *, budget: Budget, line: BudgetLine | None = None, **fields: Unpack[BudgetLineDetails]
) -> BudgetLine:
    _require_draft(budget)
    line = line or BudgetLine(budget=budget)
    _assign(line, fields, BudgetLineDetails)
    if "planned" in fields:
        line.planned = _exact(fields["planned"], budget.currency, "planned")
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine) -> None:
    _require_draft(line.budget)
    line.delete()


def _exact(amount: object, currency: str, field: str) -> Decimal:
    """The amount as it will be kept, or a 400 naming ``field``: studio.money's one check
    (finite, fits the column, no more decimals than the currency has; never rounded away)."""
    try:
        return validate_amount(amount, currency=currency)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


@transaction.atomic
def cost_save(
    *,
    project: Project,
    amount: Decimal,
    currency: str,
    exchange_rate: Decimal | None = None,
    cost: Cost | None = None,
    **fields: Unpack[CostDetails],
) -> Cost:
    """Create or change a cost; in a foreign currency the rate of its date converts it."""
    amount = _exact(amount, currency, "amount")
    if currency == project.currency:
        if exchange_rate not in (None, Decimal(1)):
            raise ValidationError(
                {"exchange_rate": "A cost in the project's currency has no exchange rate."}
            )
        exchange_rate = Decimal(1)
    elif exchange_rate is None or exchange_rate <= 0:
        raise ValidationError(
            {"exchange_rate": f"Give the {currency}→{project.currency} rate of the cost's date."}
        )
    cost = cost or Cost(project=project)
    _assign(cost, fields, CostDetails)
    cost.amount, cost.currency, cost.exchange_rate = amount, currency, exchange_rate
    cost.amount_converted = round_money(amount * exchange_rate, project.currency)
    if cost.date and cost.date > timezone.now().date() + datetime.timedelta(days=366):
        raise ValidationError(
            {"date": "A cost more than a year ahead is a plan: put it in the budget."}
        )
    cost.full_clean()
    cost.save()
    return cost


@transaction.atomic
def cost_delete(*, cost: Cost) -> None:
    """Delete a cost entered by hand, and its receipt's file once the row is gone."""
    receipt = cost.receipt.name if cost.receipt else ""
    storage = cost.receipt.storage
    cost.delete()
    if receipt:
        transaction.on_commit(lambda: storage.delete(receipt))


# --- invoices ---------------------------------------------------------------------------------


def _check_iban(iban: str) -> str:
    if not iban:
        return ""
    try:
        return str(IBAN(iban).formatted)
    except SchwiftyException as error:
        raise ValidationError({"issuer_iban": f"Not a valid IBAN: {error}."}) from error


@transaction.atomic
def invoice_create(*, project: Project, **fields: Unpack[InvoiceDetails]) -> Invoice:
    """A draft invoice with both parties' details copied onto it."""
    fields.setdefault("currency", project.currency)
    fields["issuer_iban"] = _check_iban(fields.get("issuer_iban", ""))
    invoice = Invoice(project=project)
    _assign(invoice, fields, InvoiceDetails)
    invoice.full_clean(exclude=["number"])
    invoice.save()
    return invoice


@transaction.atomic
def invoice_update(*, invoice: Invoice, **fields: Unpack[InvoiceDetails]) -> Invoice:
    if invoice.is_frozen:
        raise FrozenInvoice(invoice)
    if "issuer_iban" in fields:
        fields["issuer_iban"] = _check_iban(fields["issuer_iban"])
    _assign(invoice, fields, InvoiceDetails)
    invoice.full_clean(exclude=["number"])
    invoice.save()
    return invoice


@transaction.atomic
def invoice_line_save(
    *, invoice: Invoice, line: InvoiceLine | None = None, **fields: Unpack[InvoiceLineDetails]
) -> InvoiceLine:
    if invoice.is_frozen:
        raise FrozenInvoice(invoice)
    line = line or InvoiceLine(invoice=invoice)
    _assign(line, fields, InvoiceLineDetails)
    _check_not_billed(line)
    if line.quantity is not None and line.quantity <= 0:
        raise ValidationError(
            {"quantity": "Only a credit note goes negative: quantities are positive."}
        )
    line.unit_price = _exact(line.unit_price, invoice.currency, "unit_price")
    if not Decimal(0) <= line.tax_rate <= Decimal(100):
        raise ValidationError({"tax_rate": "A tax rate is between 0 and 100 %."})
    line.full_clean()
    line.save()
    return line


def _check_not_billed(line: InvoiceLine) -> None:
    """A booking or engagement of the invoice's project, billed on no other standing invoice.

    Checked under the project's row lock, the one ``invoice_from_project`` takes too, so two
    writers billing the same booking take turns and the second sees the first. The database
    cannot say it alone: whether an invoice still stands is its status, in another table."""
    if line.booking_id is None and line.engagement_id is None:
        return
    project_id = line.invoice.project_id
    Project.objects.select_for_update().filter(pk=project_id).first()
    if line.booking_id is not None:
        booking = Booking.objects.filter(pk=line.booking_id).first()
        if booking is None or booking.project_id != project_id:
            raise ValidationError({"booking": "Not a booking of this invoice's project."})
        _refuse_billed(line, billing_lines(project_id=project_id).filter(booking=booking))
    if line.engagement_id is not None:
        engagement = (
            Engagement.objects.filter(pk=line.engagement_id).select_related("session").first()
        )
        if engagement is None or engagement.session.project_id != project_id:
            raise ValidationError({"engagement": "Not an engagement of this invoice's project."})
        _refuse_billed(line, billing_lines(project_id=project_id).filter(engagement=engagement))


def _refuse_billed(line: InvoiceLine, standing: Any) -> None:
    other = standing.exclude(pk=line.pk).first() if line.pk else standing.first()
    if other is not None:
        field = "booking" if line.booking_id is not None else "engagement"
        raise ValidationError(
            {field: f"Already invoiced on {invoice_label(other.invoice)}: it is billed once."}
        )


@transaction.atomic
def invoice_line_delete(*, line: InvoiceLine) -> None:
    line.delete()


def _series_row(*, issuer: str, prefix: str, year: int) -> None:
    """Make sure the series row exists, in a transaction of its own: two first issues of a year
    must not race on the INSERT inside the issuing transaction."""
    try:
        with transaction.atomic():
            InvoiceSeries.objects.get_or_create(issuer_key=issuer, prefix=prefix, year=year)
    except IntegrityError:
        pass  # the other one made it


def _take_sequence(*, issuer: str, prefix: str, year: int) -> int:
    # The row lock is the queue: every issue of this issuer's series and year waits here in
    # turn, and a transaction that fails later gives its number back by rolling back.
    series = InvoiceSeries.objects.select_for_update().get(
        issuer_key=issuer, prefix=prefix, year=year
    )
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series.last_number


def _check_issuable(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """What the VAT directive's art. 226 asks of an invoice that the draft may still lack."""
    if not lines:
        raise ValidationError({"lines": "An invoice without lines cannot be issued."})
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # A credit note copies its invoice's lines and reasons: it must issue even when the
        # invoice predates these checks, or the invoice could never be corrected.
        return
    unexplained = [line for line in lines if line.tax_rate == 0 and not line.vat_exemption]
    if unexplained:
        names = ", ".join(f"{line.description!r} (line {line.pk})" for line in unexplained)
        raise ValidationError(
            {
                "vat_exemption": f"Lines at 0 % VAT must say why: {names}. Give vat_exemption "
                "(exempt, reverse_charge or outside_scope) on each."
            }
        )
    reverse = any(line.vat_exemption == VatExemption.REVERSE_CHARGE for line in lines)
    if reverse and not invoice.recipient_vat:
        # Art. 226(4): under reverse charge the customer's VAT number is on the invoice.
        raise ValidationError(
            {"recipient_vat": "A reverse-charge invoice carries the customer's VAT number."}
        )


def invoice_issue(*, invoice: Invoice) -> Invoice:
    """Give the invoice the next number of its issuer's series and year, make its PDF once,
    and freeze it."""
    # Checked again here, not only where a series is typed: the number and the PDF's file
    # name are made from it, and a row written around the validation must not reach storage.
    try:
        validate_series(invoice.series)
    except ValidationError as error:
        raise ValidationError({"series": error.messages}) from error
    today = timezone.localdate()
    issuer = issuer_key(name=invoice.issuer_name, vat=invoice.issuer_vat)
    _series_row(issuer=issuer, prefix=invoice.series, year=today.year)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_frozen:
            raise FrozenInvoice(invoice)
        lines = list(invoice.lines.all())
        _check_issuable(invoice, lines)
        sequence = _take_sequence(issuer=issuer, prefix=invoice.series, year=today.year)
        invoice.number = f"{invoice.series}-{today.year}-{sequence:04d}"
        invoice.issue_date = today
        if invoice.service_period_start is None:
            # The directive asks for the date of supply where it differs from the issue date;
            # none given means it does not, and the invoice says so in as many words.
            invoice.service_period_start = invoice.service_period_end = today
        invoice.due_date = today + datetime.timedelta(days=invoice.payment_terms_days)
        body = render_invoice(invoice, lines)
        # Only validated parts: the series (checked above), the year and two integers. The id
        # keeps two issuers' TS-2026-0001 apart in one folder.
        filename = f"invoice-{invoice.pk}-{invoice.series}-{today.year}-{sequence:04d}.pdf"
        invoice.pdf.save(filename, ContentFile(body), save=False)
        invoice.pdf_sha256 = hashlib.sha256(body).hexdigest()
        # Saved while still a draft in the database; from the next save on it is frozen.
        invoice.status = Invoice.Status.ISSUED
        invoice.save()
    return invoice


@transaction.atomic
def invoice_pay(*, invoice: Invoice, paid_on: datetime.date) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED or invoice.kind != Invoice.Kind.INVOICE:
        raise Conflict(f"Only an issued invoice can be paid; {invoice} is {invoice.status}.")
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save()
    return invoice


@transaction.atomic
def invoice_credit(*, invoice: Invoice, quantities: dict[int, Decimal] | None = None) -> Invoice:
    """A credit note for all of an invoice, or for some quantities of some of its lines; a full
    credit cancels the invoice. One transaction: a credit note that cannot be issued is not
    left behind as a draft."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in (
        Invoice.Status.ISSUED,
        Invoice.Status.PAID,
    ):
        raise Conflict(f"Only an issued invoice can be credited; {invoice} is {invoice.status}.")
    lines = list(invoice.lines.all())
    credited = _credited_so_far(invoice)
    left = {line.pk: line.quantity - credited.get(line.pk, Decimal(0)) for line in lines}
    # Without quantities: all that is not credited yet.
    wanted = quantities or {pk: quantity for pk, quantity in left.items() if quantity > 0}
    if not wanted:
        raise Conflict(f"{invoice} is already credited in full.", code="credited")
    unknown = set(wanted) - set(left)
    if unknown:
        raise ValidationError({"lines": f"Not lines of {invoice}: {sorted(unknown)}."})
    for pk, quantity in wanted.items():
        if not Decimal(0) < quantity <= left[pk]:
            raise ValidationError({"lines": f"Line {pk} can be credited up to {left[pk]}."})
    with transaction.atomic():
        note = Invoice.objects.create(
            project=invoice.project,
            kind=Invoice.Kind.CREDIT_NOTE,
            credits=invoice,
            series="CN",
            currency=invoice.currency,
            payment_terms_days=0,
            **{name: getattr(invoice, name) for name in PARTY_FIELDS},
            # The note takes back the same supply: it carries the invoice's date of supply
            # (an invoice issued without one was dated its issue day, as issuing now does).
            service_period_start=invoice.service_period_start or invoice.issue_date,
            service_period_end=invoice.service_period_end or invoice.issue_date,
            notes=f"Credits invoice {invoice.number}.",
        )
        for position, line in enumerate(lines):
            if line.pk in wanted:
                # The model refuses negative prices; a credit note carries negative quantities.
                InvoiceLine.objects.create(
                    invoice=note,
                    position=position,
                    description=line.description,
                    credits_line=line,
                    quantity=-wanted[line.pk],
                    unit=line.unit,
                    unit_price=line.unit_price,
                    tax_rate=line.tax_rate,
                    vat_exemption=line.vat_exemption,
                    vat_exemption_reference=line.vat_exemption_reference,
                )
    note = invoice_issue(invoice=note)
    if quantities is None or _fully_credited(invoice):
        with transaction.atomic():
            original = Invoice.objects.select_for_update().get(pk=invoice.pk)
            original.status = Invoice.Status.CANCELLED
            original.save()
    return note


PARTY_FIELDS = (
    "issuer_name",
    "issuer_address",
    "issuer_vat",
    "issuer_iban",
    "issuer_bic",
    "recipient_name",
    "recipient_address",
    "recipient_vat",
)


def _credited_so_far(invoice: Invoice) -> dict[int, Decimal]:
    return credited_so_far(invoice=invoice)


def _fully_credited(invoice: Invoice) -> bool:
    credited = _credited_so_far(invoice)
    return all(credited.get(line.pk, Decimal(0)) >= line.quantity for line in invoice.lines.all())


def invoices_remind_overdue(*, today: datetime.date | None = None) -> int:
    """Email a reminder for each issued invoice past its due date, once per invoice; returns
    how many went out. Each invoice is claimed under its row lock, so overlapping runs of the
    periodic task remind once."""
    today = today or timezone.localdate()
    due = list(
        Invoice.objects.filter(
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.ISSUED,
            due_date__lt=today,
            reminded_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            invoice = (
                Invoice.objects.select_for_update()
                .filter(pk=pk, status=Invoice.Status.ISSUED, reminded_at__isnull=True)
                .first()
            )
            if invoice is None:
                continue
            recipients = [invoice.recipient_email] if invoice.recipient_email else []
            producers = invoice.project.memberships.filter(role="producer").select_related("user")
            copies = [m.user.email for m in producers if m.user.email]
            if recipients or copies:
                send_mail(
                    subject=(
                        f"Reminder: invoice {invoice.number} was due on {invoice.due_date:%d %B %Y}"
                    ),
                    message=(
                        f"Invoice {invoice.number} from {invoice.issuer_name} to "
                        f"{invoice.recipient_name} was due on {invoice.due_date:%d %B %Y} "
                        "and is not marked paid yet.\n"
                    ),
                    from_email=None,
                    recipient_list=recipients or copies,
                    fail_silently=False,
                )
            invoice.reminded_at = timezone.now()
            invoice.save()
            sent += 1
    return sent


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
    invoice = invoice_create(project=project, **parties)
    position = 0
    days: list[datetime.date] = []

    def add(
        description: str,
        quantity: Decimal,
        price: Decimal,
        *,
        booking: Booking | None = None,
        engagement: Engagement | None = None,
    ) -> None:
        nonlocal position
        line = InvoiceLine(
            invoice=invoice,
            position=position,
            description=description,
            quantity=quantity,
            unit_price=price,
            tax_rate=tax_rate,
            vat_exemption=vat_exemption,
            vat_exemption_reference=vat_exemption_reference,
            booking=booking,
            engagement=engagement,
        )
        line.full_clean()
        line.save()
        position += 1

    def served(begin: datetime.datetime, finish: datetime.datetime, zone: Any) -> None:
        # Local days, and the last instant before the end: a session to midnight is that day's.
        days.append(begin.astimezone(zone).date())
        days.append((finish - datetime.timedelta(microseconds=1)).astimezone(zone).date())

    # Bookings and sessions are picked by the local day they start on, in their studio's zone
    # (UTC for a session without a room), not by the UTC date: 00:30 in Berlin on 1 March is
    # March's. The query takes a day more on each side, enough for every zone (UTC-12 to
    # UTC+14); the local day decides in Python.
    after = datetime.datetime.combine(
        start - datetime.timedelta(days=1), datetime.time(), datetime.UTC
    )
    before = datetime.datetime.combine(
        end + datetime.timedelta(days=2), datetime.time(), datetime.UTC
    )

    def in_range(moment: datetime.datetime, zone: Any) -> bool:
        return start <= moment.astimezone(zone).date() <= end

    if bookings:
        rows = Booking.objects.filter(
            project=project,
            status=Booking.Status.CONFIRMED,
            start__gte=after,
            start__lt=before,
            room__studio__currency=invoice.currency,
        ).select_related("room__studio")
        for booking in rows.order_by("start"):
            zone = booking.room.studio.zone
            if not in_range(booking.start, zone) or booking.pk in billed.bookings:
                continue
            local = booking.start.astimezone(zone)
            served(booking.start, booking.end, zone)
            add(
                f"Studio time: {booking.room}, {local:%d %b %Y}",
                Decimal(1),
                booking.quoted_amount or Decimal(0),
                booking=booking,
            )
    if engagements:
        for engagement in (
            Engagement.objects.filter(
                session__project=project,
                session__start__gte=after,
                session__start__lt=before,
                currency=invoice.currency,
            )
            .select_related("person", "session__room__studio")
            .order_by("session__start", "pk")
        ):
            session = engagement.session
            if not in_range(session.start, session.zone) or engagement.pk in billed.engagements:
                continue
            served(session.start, session.end, session.zone)
            add(
                f"{engagement.person.name}, {engagement.get_role_display().lower()}: "
                f"{session.title} ({session.start.astimezone(session.zone):%d %b %Y})",
                Decimal(1),
                engagement.fee,
                engagement=engagement,
            )
    if cost_ids:
        costs = list(
            Cost.objects.filter(project=project, pk__in=cost_ids, date__gte=start, date__lte=end)
        )
        missing = set(cost_ids) - {cost.pk for cost in costs}
        if missing:
            raise ValidationError(
                {"cost_ids": f"Not costs of this project in the range: {sorted(missing)}."}
            )
        for cost in costs:
            days.append(cost.date)
            add(
                f"{cost.vendor}: {cost.description or cost.get_category_display()}",
                Decimal(1),
                cost.amount_converted,
            )
    if position == 0:
        raise ValidationError(
            {"start": "Nothing to invoice in that range that is not invoiced already."}
        )
    invoice.service_period_start, invoice.service_period_end = min(days), max(days)
    invoice.full_clean(exclude=["number"])
    invoice.save(update_fields=["service_period_start", "service_period_end"])
    return invoice
