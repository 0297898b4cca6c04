"""Invoice PDFs with reportlab. A renderer class whose parts are hooks a subclass may replace
(as pretix does), made once at issue and then served as stored."""

from __future__ import annotations

import io

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from budgets.models import Invoice, InvoiceLine
from budgets.selectors import InvoiceTotals, invoice_totals

STYLES = getSampleStyleSheet()
CELL = ParagraphStyle("cell", parent=STYLES["Normal"], fontSize=9, leading=11)
RIGHT = ParagraphStyle("right", parent=CELL, alignment=2)
PAGE_SIZES = {"A4": A4, "LETTER": LETTER}


def _address(address: str, vat: str) -> str:
    """A party's address as a plain multi-line cell (cheaper to draw than a Paragraph)."""
    return "\n".join([*address.splitlines(), *([f"VAT {vat}"] if vat else [])])


class InvoiceRenderer:
    """Turns an invoice into PDF bytes; each part of the page is one method to override."""

    def __init__(self, invoice: Invoice, lines: list[InvoiceLine]) -> None:
        self.invoice = invoice
        self.lines = lines
        self.totals: InvoiceTotals = invoice_totals(invoice=invoice, lines=lines)

    def title(self) -> str:
        return "Credit note" if self.invoice.kind == Invoice.Kind.CREDIT_NOTE else "Invoice"

    def header(self) -> list[Flowable]:
        invoice = self.invoice
        facts = [
            f"<b>{self.title()} {invoice.number}</b>",
            f"Date: {invoice.issue_date:%d %B %Y}" if invoice.issue_date else "",
            f"Due: {invoice.due_date:%d %B %Y}" if invoice.due_date else "",
        ]
        if invoice.credits is not None:
            facts.append(f"Credits invoice {invoice.credits.number}")
        return [
            Paragraph(self.title(), STYLES["Title"]),
            Paragraph("<br/>".join(f for f in facts if f), CELL),
            Spacer(1, 6 * mm),
        ]

    def parties(self) -> list[Flowable]:
        invoice = self.invoice
        table = Table(
            [
                ["From", "To"],
                [invoice.issuer_name, invoice.recipient_name],
                [
                    _address(invoice.issuer_address, invoice.issuer_vat),
                    _address(invoice.recipient_address, invoice.recipient_vat),
                ],
            ],
            colWidths=[85 * mm, 85 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                    ("FONT", (0, 1), (-1, 1), "Helvetica-Bold", 9),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.grey),
                    ("BOTTOMPADDING", (0, 1), (-1, 1), 0),
                ]
            )
        )
        return [table, Spacer(1, 8 * mm)]

    def lines_table(self) -> list[Flowable]:
        currency = self.invoice.currency
        rows: list[list[object]] = [
            ["Description", "Qty", "Unit price", "Tax", f"Net ({currency})"]
        ]
        for line, net in zip(self.lines, self.totals.line_nets, strict=True):
            quantity = f"{line.quantity.normalize():f}{' ' + line.unit if line.unit else ''}"
            # Plain strings draw several times faster than Paragraphs; only a description long
            # enough to need wrapping pays for one.
            description: object = line.description
            if len(line.description) > 48:
                description = Paragraph(line.description, CELL)
            price, rate = f"{line.unit_price}", f"{line.tax_rate.normalize():f} %"
            rows.append([description, quantity, price, rate, f"{net}"])
        table = Table(rows, colWidths=[78 * mm, 20 * mm, 26 * mm, 18 * mm, 28 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return [table, Spacer(1, 4 * mm)]

    def totals_table(self) -> list[Flowable]:
        currency = self.invoice.currency
        rows: list[list[str]] = [["Net", f"{self.totals.net} {currency}"]]
        for rate, (net, tax) in sorted(self.totals.by_rate.items()):
            rows.append([f"Tax {rate.normalize():f} % on {net}", f"{tax} {currency}"])
        rows.append(["Total", f"{self.totals.gross} {currency}"])
        table = Table(rows, colWidths=[142 * mm, 28 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                    ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 10),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ]
            )
        )
        return [table, Spacer(1, 8 * mm)]

    def footer(self) -> list[Flowable]:
        invoice = self.invoice
        parts = []
        if invoice.kind == Invoice.Kind.INVOICE and invoice.due_date:
            parts.append(
                f"Please pay within {invoice.payment_terms_days} days, "
                f"by {invoice.due_date:%d %B %Y}."
            )
        if invoice.issuer_iban:
            parts.append(
                f"IBAN {invoice.issuer_iban}"
                + (f" · BIC {invoice.issuer_bic}" if invoice.issuer_bic else "")
            )
        if invoice.notes:
            parts.append(invoice.notes)
        return [Paragraph("<br/>".join(parts), CELL)] if parts else []

    def render(self) -> bytes:
        buffer = io.BytesIO()
        size = PAGE_SIZES.get(getattr(settings, "INVOICE_PAGE_SIZE", "A4").upper(), A4)
        doc = SimpleDocTemplate(
            buffer,
            pagesize=size,
            title=f"{self.title()} {self.invoice.number}",
            author=self.invoice.issuer_name,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
        )
        doc.build(
            self.header()
            + self.parties()
            + self.lines_table()
            + self.totals_table()
            + self.footer()
        )
        return buffer.getvalue()


def render_invoice(invoice: Invoice, lines: list[InvoiceLine]) -> bytes:
    return InvoiceRenderer(invoice, lines).render()


__all__ = ["InvoiceRenderer", "render_invoice"]
