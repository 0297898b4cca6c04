"""Invoice PDFs with reportlab. A renderer class whose parts are hooks a subclass may replace
(as pretix does), made once at issue and then served as stored. The page itself (paper, the
embedded DejaVu font, "Page x of y" with the number on every page) is core.pdf's."""

from __future__ import annotations

import datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from budgets.models import Invoice, InvoiceLine
from budgets.selectors import InvoiceTotals, invoice_totals
from core.pdf import CELL, FONT, FONT_BOLD, TITLE, build_pdf, register_fonts, text

DESCRIPTION_WIDTH = 78 * mm
# The table's cell padding (6 pt a side by default) is not room for text.
DESCRIPTION_TEXT_WIDTH = DESCRIPTION_WIDTH - 12


def _day(day: datetime.date) -> str:
    return f"{day:%d %B %Y}"


def _party(name: str, address: str, vat: str) -> Paragraph:
    lines = [f"<b>{text(name)}</b>", *map(text, address.splitlines())]
    if vat:
        lines.append(f"VAT {text(vat)}")
    return Paragraph("<br/>".join(lines), CELL)


class InvoiceRenderer:
    """Turns an invoice into PDF bytes; each part of the page is one method to override."""

    def __init__(self, invoice: Invoice, lines: list[InvoiceLine]) -> None:
        register_fonts()
        self.invoice = invoice
        self.lines = lines
        self.totals: InvoiceTotals = invoice_totals(invoice=invoice, lines=lines)

    def title(self) -> str:
        return "Credit note" if self.invoice.kind == Invoice.Kind.CREDIT_NOTE else "Invoice"

    def label(self) -> str:
        """What every page's footer calls the document."""
        return f"{self.title()} {self.invoice.number or '(draft, not issued)'}"

    def supply(self) -> str:
        """The date of supply or the service period (2006/112/EC art. 226(7))."""
        start, end = self.invoice.service_period_start, self.invoice.service_period_end
        if start is None or end is None:
            return ""
        if start == end:
            return f"Date of supply: {_day(start)}"
        return f"Service period: {_day(start)} – {_day(end)}"

    def header(self) -> list[Flowable]:
        invoice = self.invoice
        facts = [
            f"<b>{text(self.label())}</b>",
            f"Date: {_day(invoice.issue_date)}" if invoice.issue_date else "",
            self.supply(),
            f"Due: {_day(invoice.due_date)}" if invoice.due_date else "",
        ]
        if invoice.credits is not None:
            facts.append(f"Credits invoice {text(invoice.credits.number)}")
        return [
            Paragraph(self.title(), TITLE),
            Spacer(1, 2 * mm),
            Paragraph("<br/>".join(f for f in facts if f), CELL),
            Spacer(1, 6 * mm),
        ]

    def parties(self) -> list[Flowable]:
        invoice = self.invoice
        table = Table(
            [
                ["From", "To"],
                [
                    _party(invoice.issuer_name, invoice.issuer_address, invoice.issuer_vat),
                    _party(
                        invoice.recipient_name, invoice.recipient_address, invoice.recipient_vat
                    ),
                ],
            ],
            colWidths=[85 * mm, 85 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 9),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.grey),
                ]
            )
        )
        return [table, Spacer(1, 8 * mm)]

    def description(self, line: InvoiceLine) -> object:
        # A plain string draws several times faster than a Paragraph; only a description that
        # needs wrapping pays for one.
        if stringWidth(line.description, FONT, 9) <= DESCRIPTION_TEXT_WIDTH:
            return line.description
        return Paragraph(text(line.description), CELL)

    def lines_table(self) -> list[Flowable]:
        currency = self.invoice.currency
        rows: list[list[object]] = [
            ["Description", "Qty", "Unit price", "Tax", f"Net ({currency})"]
        ]
        style: list[tuple[object, ...]] = [
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
            ("FONT", (0, 1), (-1, -1), FONT, 9),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for line, net in zip(self.lines, self.totals.line_nets, strict=True):
            quantity = f"{line.quantity.normalize():f}{' ' + line.unit if line.unit else ''}"
            price, rate = f"{line.unit_price}", f"{line.tax_rate.normalize():f} %"
            rows.append([self.description(line), quantity, price, rate, f"{net}"])
            statement = line.vat_statement
            if statement:
                # Why a 0 % line carries no VAT (art. 226(11), (11a)), on a row of its own under
                # the line, across the table, so that the directive's words are not wrapped.
                row = len(rows)
                rows.append([statement, "", "", "", ""])
                style += [
                    ("SPAN", (0, row), (-1, row)),
                    ("NOSPLIT", (0, row - 1), (-1, row)),
                    ("ALIGN", (0, row), (-1, row), "LEFT"),
                    ("FONT", (0, row), (-1, row), FONT, 7.5),
                    ("TEXTCOLOR", (0, row), (-1, row), colors.HexColor("#555555")),
                    ("TOPPADDING", (0, row), (-1, row), 0),
                    ("LEFTPADDING", (0, row), (-1, row), 14),
                ]
            style.append(
                ("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.25, colors.lightgrey)
            )
        table = Table(
            rows, colWidths=[DESCRIPTION_WIDTH, 20 * mm, 26 * mm, 18 * mm, 28 * mm], repeatRows=1
        )
        table.setStyle(TableStyle(style))
        return [table, Spacer(1, 4 * mm)]

    def totals_table(self) -> list[Flowable]:
        currency = self.invoice.currency
        rows: list[list[str]] = [["Net", f"{self.totals.net} {currency}"]]
        for rate, (net, tax) in sorted(self.totals.by_rate.items()):
            rows.append([f"Tax {rate.normalize():f} % on {net}", f"{tax} {currency}"])
        rows.append(["Total", f"{self.totals.gross} {currency}"])
        table = Table(rows, colWidths=[132 * mm, 38 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 9),
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                    ("FONT", (0, -1), (-1, -1), FONT_BOLD, 10),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ]
            )
        )
        # Net, taxes and total are read together: never split over two pages.
        return [KeepTogether([table]), Spacer(1, 8 * mm)]

    def footer(self) -> list[Flowable]:
        invoice = self.invoice
        parts = []
        if invoice.kind == Invoice.Kind.INVOICE and invoice.due_date:
            parts.append(
                f"Please pay within {invoice.payment_terms_days} days, by {_day(invoice.due_date)}."
            )
        if invoice.issuer_iban:
            parts.append(
                f"IBAN {text(invoice.issuer_iban)}"
                + (f" · BIC {text(invoice.issuer_bic)}" if invoice.issuer_bic else "")
            )
        if invoice.notes:
            parts.append(text(invoice.notes))
        return [Paragraph("<br/>".join(parts), CELL)] if parts else []

    def render(self) -> bytes:
        return build_pdf(
            self.header()
            + self.parties()
            + self.lines_table()
            + self.totals_table()
            + self.footer(),
            title=self.label(),
            author=self.invoice.issuer_name,
            label=self.label(),
        )


def render_invoice(invoice: Invoice, lines: list[InvoiceLine]) -> bytes:
    return InvoiceRenderer(invoice, lines).render()


__all__ = ["InvoiceRenderer", "render_invoice"]
