"""The producer does the money from the pages: a budget from the template, a line edited in
place and approved; a cost with its receipt dropped on the form; an invoice drafted from the
project, a line edited, issued, paid, and one line credited. ``look`` at each stage, at 1366
and 390 px (see conftest.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from budgets.models import Budget, Cost, Invoice
from projects.models import Project
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_budget_from_the_template_edited_and_approved(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    page.goto("/budgets/")
    make = page.get_by_role(
        "button", name="Make a budget for Paper Lanterns (single) from the template"
    )
    expect(make).to_be_visible()
    look(page, "money-budgets-index")
    make.click()
    expect(page.get_by_role("heading", name=re.compile("Budget v1"))).to_be_visible()
    expect(page.get_by_text("Budget v1 made from the template")).to_be_visible()
    look(page, "money-budget-draft")

    # Studio time, planned in place (htmx swaps the editor; the page stays).
    line = page.locator("form.budget-line:not(.add-line)").filter(has_text="Studio time")
    line.get_by_label("Planned").fill("2400")
    line.get_by_label("Notes").fill("Three days in A")
    line.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Planned in all: 2400.00 EUR")).to_be_visible()
    # A third decimal is refused beside the field, not rounded.
    line = page.locator("form.budget-line:not(.add-line)").filter(has_text="Mixing")
    line.get_by_label("Planned").fill("10.005")
    line.get_by_role("button", name="Save").click()
    expect(
        page.locator("form.budget-line:not(.add-line)").filter(has_text="Mixing").locator(".error")
    ).to_be_visible()
    look(page, "money-budget-line-refused")

    page.locator("summary", has_text="Approve version 1").click()
    expect(
        page.get_by_text(
            "Approve version 1 (2400.00 EUR planned)? It becomes the plan the report compares"
        )
    ).to_be_visible()
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_text("Version 1 approved")).to_be_visible()
    expect(page.get_by_text("Re-forecast as version 2")).to_be_visible()
    budget = Budget.objects.get(project__title="Paper Lanterns (single)")
    assert budget.is_approved
    assert budget.lines.get(category="studio_time").planned == Decimal(2400)
    look(page, "money-budget-approved")


def test_cost_with_a_dropped_receipt(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    project = Project.objects.get(title="Low Tide Sessions")
    page.goto(f"/projects/{project.pk}/costs/")
    page.get_by_text("Add a cost").click()
    form = page.locator("form.cost-form")
    form.get_by_label("Vendor").fill("Harbour Cables")
    form.get_by_label("Budget line").select_option("equipment_rental")
    form.get_by_label("Amount").fill("84.50")
    form.get_by_label("Notes").fill("Two DI boxes")
    # What a drop gives the zone: its file input, filled.
    page.locator("[data-drop-zone] input[type=file]").set_input_files(
        files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(page.get_by_text("Receipt to upload: receipt.png")).to_be_visible()
    look(page, "money-cost-form")
    form.get_by_role("button", name="Add cost").click()
    expect(page.get_by_text("Added Harbour Cables: 84.50 EUR.")).to_be_visible()
    expect(page.get_by_role("link", name="Receipt from Harbour Cables")).to_be_visible()
    cost = Cost.objects.get(vendor="Harbour Cables")
    assert cost.receipt and cost.amount == Decimal("84.50")
    look(page, "money-costs")


def test_invoice_from_the_project_issued_paid_and_credited(
    page_as: Any, demo: dict[str, Any]
) -> None:
    page = page_as(demo["demo"])
    project = Project.objects.get(title="Low Tide Sessions")
    page.goto("/invoices/")
    page.get_by_role("link", name="Draft an invoice for Low Tide Sessions").click()
    # Both parties are there already: the issuer as the last invoice had it, the client too.
    expect(page.get_by_label("Your name")).to_have_value("Harbour Lane Productions")
    expect(page.get_by_label("Client", exact=True)).to_have_value("Driftwood Records")
    expect(page.get_by_text("not invoiced").first).to_be_visible()
    look(page, "money-invoice-new")
    # The demo's billing plan has drafted its deposit invoice already.
    drafted_before = list(Invoice.objects.filter(project=project).values_list("pk", flat=True))
    page.get_by_label("Tax %").fill("19")
    page.get_by_role("button", name="Draft the invoice").click()
    expect(
        page.get_by_text(re.compile(r"Drafted invoice #\d+ with \d+ lines: check them"))
    ).to_be_visible()
    invoice = (
        Invoice.objects.filter(project=project, status="draft").exclude(pk__in=drafted_before).get()
    )
    assert invoice.lines.filter(booking__isnull=False).exists()

    first = page.locator("ol.invoice-lines > li").first
    first.get_by_label("Description").fill("Studio A, basic tracking day 1")
    first.get_by_label("Unit price").fill("700")
    first.get_by_role("button", name="Save line").click()
    expect(page.locator("ol.invoice-lines > li").first.get_by_label("Description")).to_have_value(
        "Studio A, basic tracking day 1"
    )
    look(page, "money-invoice-draft")

    page.get_by_text("Issue the invoice").click()
    expect(
        page.get_by_text(
            re.compile(
                r"Issue invoice TS-\d{4}-\d{4} for [\d,]+\.\d\d EUR\? It can no longer be changed"
            )
        )
    ).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Issue TS-")).click()
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    expect(page.get_by_role("link", name=f"Download PDF of {invoice.number}")).to_be_visible()
    look(page, "money-invoice-issued")

    page.get_by_text(f"Mark {invoice.number} paid…").click()
    expect(page.get_by_text(re.compile(r"Record [\d,]+\.\d\d EUR received\?"))).to_be_visible()
    page.get_by_role("button", name=f"Mark {invoice.number} paid").click()
    expect(page.get_by_text(f"{invoice.number} marked paid.")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == "paid"

    page.get_by_role("link", name=f"Credit {invoice.number}…").click()
    boxes = page.locator(".credit-lines input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).uncheck()
    boxes.first.check()
    page.get_by_role("button", name="Show the credit note's total").click()
    expect(page.get_by_text(re.compile(r"Credit note for -[\d,]+\.\d\d EUR"))).to_be_visible()
    look(page, "money-credit-preview")
    page.get_by_role("button", name=re.compile("Issue the credit note for")).click()
    expect(page.get_by_text(re.compile(r"Issued credit note CN-"))).to_be_visible()
    note = Invoice.objects.get(credits=invoice)
    assert note.lines.count() == 1 and note.status == "issued"
    invoice.refresh_from_db()
    assert invoice.status == "paid", "one line credited leaves the invoice standing"
    look(page, "money-credit-note")
