"""Budgets and invoices.

- The budget report of a project with 10,000 costs and 2,000 bookings: queries (goal <= 6) and
  time.
- An invoice PDF of 15 lines against a bare reportlab document of the same content (goal: at
  most 1.3 times its time).
"""

import datetime
import io
import os
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table
from rest_framework.authtoken.models import Token

from bench.harness import measure, ratio
from budgets import services
from budgets.models import Category, Cost, Invoice
from budgets.pdf import render_invoice
from core.pdf import FONT, FONT_BOLD, register_fonts
from projects.models import Membership, Project, Role
from studio.models import Booking, Room, Studio

COSTS = 10_000
BOOKINGS = 2_000
REPEAT = int(os.environ.get("BENCH_REPORT_REPEAT", "30"))


def seed() -> tuple[str, int]:
    user = User.objects.create_user("bench-budget")
    project = Project.objects.create(title="Bench Album", artist="Bench Band", currency="EUR")
    Membership.objects.create(project=project, user=user, role=Role.PRODUCER)
    studio = Studio.objects.create(name="Budget Studio", time_zone="Europe/Berlin", currency="EUR")
    room = Room.objects.create(
        studio=studio,
        name="A",
        hourly_rate=Decimal(90),
        half_day_rate=Decimal(400),
        day_rate=Decimal(750),
    )
    start = timezone.now() - datetime.timedelta(days=400)
    Booking.objects.bulk_create(
        Booking(
            room=room,
            project=project,
            start=start + datetime.timedelta(hours=3 * i),
            end=start + datetime.timedelta(hours=3 * i + 2),
            status=Booking.Status.CONFIRMED if i % 4 else Booking.Status.CANCELLED,
            quoted_amount=Decimal(180),
            cancellation_fee=None if i % 4 else Decimal(90),
        )
        for i in range(BOOKINGS)
    )
    categories = Category.values
    Cost.objects.bulk_create(
        Cost(
            project=project,
            category=categories[i % len(categories)],
            vendor=f"Vendor {i % 97}",
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
            amount=Decimal("12.34"),
            currency="EUR",
            amount_converted=Decimal("12.34"),
            status=Cost.Status.PAID if i % 2 else Cost.Status.COMMITTED,
            recoupable=i % 5 == 0,
        )
        for i in range(COSTS)
    )
    budget = services.budget_create(project=project)
    return Token.objects.create(user=user).key, budget.pk


def invoice_of(lines: int) -> Invoice:
    project = Project.objects.get(title="Bench Album")
    invoice = services.invoice_create(
        project=project,
        issuer_name="Bench Productions",
        issuer_address="Bench Street 1\n10000 Bench",
        recipient_name="Bench Records",
        recipient_address="Label Road 2\n20000 Bench",
    )
    for i in range(lines):
        services.invoice_line_save(
            invoice=invoice,
            description=f"Studio day {i + 1}",
            quantity=Decimal(1),
            unit_price=Decimal("780.00"),
            tax_rate=Decimal(19) if i % 3 else Decimal(0),
        )
    return invoice


def bare_reportlab(rows: list[list[str]]) -> bytes:
    """The same content as plainly as reportlab allows: title, parties, lines, totals and a
    page footer, in the same two embedded faces as ours (subsetting TrueType costs more than
    Helvetica, which cannot print "Łódź": the baseline pays it too)."""
    register_fonts()
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("n", parent=styles["Normal"], fontName=FONT)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.setFont(FONT, 8)
        canvas.drawString(40, 30, "Invoice TS-2026-0001")
        canvas.drawRightString(550, 30, "Page 1 of 1")

    bold = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD)]
    totals = [["Net", "11,110.00 EUR"], ["Tax 19 % on 11,110.00", "2,110.90 EUR"]]
    doc.build(
        [
            Paragraph("Invoice", ParagraphStyle("t", parent=styles["Title"], fontName=FONT_BOLD)),
            Paragraph("Bench Productions, Bench Street 1, 10000 Bench", normal),
            Paragraph("Bench Records, Label Road 2, 20000 Bench", normal),
            Table(rows, style=bold),
            Table([*totals, ["Total", "13,221.00 EUR"]], style=bold),
        ],
        onFirstPage=footer,
        onLaterPages=footer,
    )
    return buffer.getvalue()


@override_settings(DEBUG=False)
def run() -> None:
    key, budget_id = seed()
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    path = f"/api/v1/budgets/{budget_id}/report/"
    assert client.get(path).status_code == 200
    print(f"  budget report: {COSTS} costs, {BOOKINGS} bookings, {REPEAT} requests")
    timing = measure("budget report", lambda: client.get(path), repeat=REPEAT)
    goal = "met" if timing.queries <= 6 else "MISSED"
    print(timing.row() + f"   (goal <= 6 queries: {goal})")

    invoice = invoice_of(15)
    lines = list(invoice.lines.all())
    rows = [["Description", "Qty", "Unit price", "Tax", "Net"]] + [
        [line.description, "1", "780.00", f"{line.tax_rate} %", "780.00"] for line in lines
    ]
    ours = measure(
        "invoice PDF, 15 lines (renderer)", lambda: render_invoice(invoice, lines), repeat=30
    )
    baseline = measure("bare reportlab, same content", lambda: bare_reportlab(rows), repeat=30)
    print(ours.row())
    print(baseline.row())
    print(ratio("invoice renderer / bare reportlab", ours, baseline, goal=1.3))
