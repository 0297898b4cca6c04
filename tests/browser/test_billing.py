"""The producer bills by milestone: a billing plan with a deposit and "tracking done", the
deposit drafted at once, the song moved past tracking on the board, and the milestone's draft
invoice linked on the plan, to check and issue. Then what each song has cost. ``look`` at each
page at 1366 and 390 px (see conftest.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from budgets.models import BillingMilestone, Budget, Invoice
from projects.models import Project
from songs.models import Song, SongStage
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_plan_with_two_milestones_drafts_as_the_song_moves(
    page_as: Any, demo: dict[str, Any]
) -> None:
    project = Project.objects.get(title="Paper Lanterns (single)")
    page = page_as(demo["demo"])
    page.goto(f"/projects/{project.pk}/billing/")
    expect(page.get_by_role("heading", name="Make a billing plan")).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name="Make the plan"))
    form.get_by_label("Total fee").fill("4000")
    form.get_by_label("Your name").fill("Harbour Lane Productions")
    form.get_by_label("Your address").fill("Harbour Lane 12\n20457 Hamburg")
    form.get_by_label("Client", exact=True).fill("Driftwood Records")
    form.get_by_label("Client's address").fill("Quay Street 4\nBristol")
    look(page, "billing-new-plan")
    form.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_text("Billing plan made: add its milestones.")).to_be_visible()

    # Both an amount and a percent: refused beside the fields, nothing added.
    page.get_by_text("Add a milestone").click()
    add = page.locator("form", has=page.get_by_role("button", name="Add the milestone"))
    add.get_by_label("Reached when").select_option("deposit")
    add.get_by_label("Amount").fill("100")
    add.get_by_label("Or percent of the total").fill("50")
    add.get_by_role("button", name="Add the milestone").click()
    expect(add.locator(".error").first).to_contain_text("not both")
    assert not BillingMilestone.objects.filter(plan__project=project).exists()

    add.get_by_label("Amount").fill("")
    add.get_by_label("Label").fill("Deposit")
    add.get_by_role("button", name="Add the milestone").click()
    expect(page.get_by_text("its invoice is drafted for you to check")).to_be_visible()
    deposit = BillingMilestone.objects.get(plan__project=project, kind="deposit")
    expect(page.get_by_role("link", name=f"Draft invoice #{deposit.invoice_id}")).to_be_visible()

    page.get_by_text("Add a milestone").click()
    add = page.locator("form", has=page.get_by_role("button", name="Add the milestone"))
    add.get_by_label("Reached when").select_option("tracking_done")
    add.get_by_label("Label").fill("Tracking done")
    add.get_by_label("Amount").fill("2000.00")
    add.get_by_role("button", name="Add the milestone").click()
    tracking = page.locator(
        "#milestone-"
        + str(BillingMilestone.objects.get(plan__project=project, kind="tracking_done").pk)
    )
    expect(tracking.get_by_text("Waiting")).to_be_visible()
    look(page, "billing-plan-waiting")

    # On the board, the single moves on from pre-production past tracking.
    song = Song.objects.get(project=project)
    page.goto(f"/projects/{project.pk}/songs/")
    card = page.locator(".song-card", has_text=song.title)
    card.get_by_label(f"Move {song.title} to").select_option(label="Overdubs")
    card.get_by_role("button", name=f"Move {song.title}").click()
    expect(page.get_by_role("status")).to_have_text(f"Moved {song.title} to Overdubs.")
    song.refresh_from_db()
    assert song.stage == SongStage.OVERDUBS

    page.goto(f"/projects/{project.pk}/billing/")
    milestone = BillingMilestone.objects.get(plan__project=project, kind="tracking_done")
    assert milestone.invoice is not None
    tracking = page.locator(f"#milestone-{milestone.pk}")
    expect(tracking.get_by_text(re.compile(r"Reached on"))).to_be_visible()
    look(page, "billing-plan-reached")
    tracking.get_by_role("link", name=f"Draft invoice #{milestone.invoice_id}").click()
    # The draft's line, still editable before it is issued.
    expect(page.locator("input[name^='line-'][name$='-description']")).to_have_value(
        f"Tracking done: {project.title}"
    )
    invoice = milestone.invoice
    assert invoice.status == "draft"
    assert invoice.lines.get().unit_price == Decimal("2000.00")
    assert Invoice.objects.filter(project=project).count() == 2


def test_the_demo_plan_and_cost_by_song(page_as: Any, demo: dict[str, Any]) -> None:
    project = Project.objects.get(title="Low Tide Sessions")
    budget = Budget.objects.filter(project=project).order_by("-version").first()
    assert budget is not None
    page = page_as(demo["demo"])
    page.goto(f"/budgets/{budget.pk}/")
    page.get_by_role("link", name="Cost by song").click()
    expect(page.get_by_role("heading", level=1, name="Cost by song")).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Breakwater"))
    expect(row.locator("td").last).to_have_text("450.00")
    expect(page.get_by_role("rowheader", name="Not assigned to a song")).to_be_visible()
    look(page, "billing-song-costs")

    page.goto(f"/budgets/{budget.pk}/")
    page.get_by_role("link", name="Billing plan").click()
    expect(page.get_by_role("heading", level=1, name="Billing plan")).to_be_visible()
    deposit = BillingMilestone.objects.get(plan__project=project, kind="deposit")
    expect(page.get_by_role("link", name=f"Draft invoice #{deposit.invoice_id}")).to_be_visible()
    expect(page.get_by_text("Waiting")).to_have_count(3)
    look(page, "billing-demo-plan")
