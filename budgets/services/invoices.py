"""Invoices: drafts, lines, issuing with gapless numbers, payment, credit notes, reminders."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from budgets.models import (
    FrozenInvoice,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    VatExemption,
    issuer_key,
    validate_series,
)
from budgets.pdf import render_invoice
from budgets.selectors import billing_lines, credited_so_far, invoice_label
from budgets.services.details import (
    InvoiceDetails,
    InvoiceLineDetails,
    exact_amount,
)
from core.details import assign_details
from core.errors import Conflict
from projects.models import Project
from sessions.models import Engagement
from studio.models import Booking

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
    assign_details(invoice, fields, InvoiceDetails)
    invoice.full_clean(exclude=["number"])
    invoice.save()
    return invoice


@transaction.atomic
def invoice_update(*, invoice: Invoice, **fields: Unpack[InvoiceDetails]) -> Invoice:
    if invoice.is_frozen:
        raise FrozenInvoice(invoice)
    if "issuer_iban" in fields:
        fields["issuer_iban"] = _check_iban(fields["issuer_iban"])
    assign_details(invoice, fields, InvoiceDetails)
    invoice.full_clean(exclude=["number"])
    invoice.save()
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice) -> None:
    """Delete a draft with its lines. What it billed (bookings, engagements) may be billed
    again, and a billing milestone that drafted it stays reached, without its invoice. An
    issued invoice is never deleted (409): a credit note corrects it. A draft has no PDF yet
    (issuing makes it), so no file goes with it."""
    # Locked as issuing locks it: a draft issued at this very moment is seen issued here.
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_frozen:
        raise Conflict(
            f"Invoice {invoice.number} is {invoice.status}: it is never deleted. Correct it "
            "with a credit note.",
            code="invoice_frozen",
        )
    invoice.delete()


@transaction.atomic
def invoice_line_save(
    *, invoice: Invoice, line: InvoiceLine | None = None, **fields: Unpack[InvoiceLineDetails]
) -> InvoiceLine:
    if invoice.is_frozen:
        raise FrozenInvoice(invoice)
    line = line or InvoiceLine(invoice=invoice)
    assign_details(line, fields, InvoiceLineDetails)
    _check_not_billed(line)
    if line.quantity is not None and line.quantity <= 0:
        raise ValidationError(
            {"quantity": "Only a credit note goes negative: quantities are positive."}
        )
    line.unit_price = exact_amount(line.unit_price, invoice.currency, "unit_price")
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
    if invoice.kind != Invoice.Kind.INVOICE:
        raise Conflict(f"{invoice} is a credit note: only an invoice is paid.")
    if invoice.status != Invoice.Status.ISSUED:
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
    if invoice.kind != Invoice.Kind.INVOICE:
        raise Conflict(f"{invoice} is a credit note: only an invoice is credited.")
    if invoice.status == Invoice.Status.DRAFT:
        raise Conflict(f"Only an issued invoice can be credited; {invoice} is {invoice.status}.")
    lines = list(invoice.lines.all())
    credited = _credited_so_far(invoice)
    left = {line.pk: line.quantity - credited.get(line.pk, Decimal(0)) for line in lines}
    # Without quantities: all that is not credited yet.
    wanted = quantities or {pk: quantity for pk, quantity in left.items() if quantity > 0}
    # Only crediting the last of it cancels an invoice (below, in this transaction): a cancelled
    # invoice is one credited in full, and says so.
    if invoice.status == Invoice.Status.CANCELLED or not wanted:
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
