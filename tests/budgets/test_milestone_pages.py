"""The milestone pages: edit, delete and reach. The producer (owner) writes through the billing
service; the viewer (collaborator), who does not draft invoices, is refused (403); the outsider
finds nothing (404). A reached milestone keeps its draft and no longer changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.utils.html import escape

from budgets import services
from budgets.models import Invoice
from budgets.models.billing import BillingMilestone, BillingPlan
from budgets.selectors import invoice_totals
from projects.models import Project
from tests.budgets.test_billing import plan, signed_in  # noqa: F401
from tests.clock import AUTUMN_2026, freeze_at

pytestmark = pytest.mark.django_db

# Reached under the frozen clock of the tests that use it: 08:00 UTC on 2 November 2026.
STILL = (
    "Deposit was reached on 02 Nov 2026 and its invoice drafted: it no longer changes (edit or "
    "delete the draft on the invoice page)."
)


@pytest.fixture
def waiting(plan: BillingPlan) -> BillingMilestone:  # noqa: F811
    """25 % of the plan's 10,000.00 at mix approval; the project has no songs, so it waits."""
    return services.billing_milestone_save(
        plan=plan, kind="mix_approved", label="Mix approved", percent=Decimal(25), position=1
    )


@pytest.fixture
def deposit(plan: BillingPlan) -> BillingMilestone:  # noqa: F811
    """A deposit, reached (and its invoice drafted) as it is saved."""
    return services.billing_milestone_save(plan=plan, kind="deposit", amount=Decimal(1000))


def rows() -> list[Any]:
    return list(BillingMilestone.objects.order_by("pk").values())


def said(request: HttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def edit_form(**fields: str) -> dict[str, str]:
    form = {"kind": "mix_approved", "label": "", "amount": "", "percent": "", "position": "0"}
    form.update(fields)
    return {f"milestone-{name}": value for name, value in form.items()}


# --- edit --------------------------------------------------------------------------------------


def test_the_edit_page_shows_the_milestone_and_saves_it(
    owner: Any, project: Project, waiting: BillingMilestone
) -> None:
    client = signed_in(owner)
    url = f"/billing-milestones/{waiting.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Edit Mix approved" in page.content.decode()
    assert page.context["form"].initial == {
        "kind": "mix_approved",
        "label": "Mix approved",
        "amount": None,
        "percent": Decimal("25.00"),
        "position": 1,
    }
    saved = client.post(url, edit_form(label="Mixes signed off", amount="2750.00", position="2"))
    assert saved.status_code == 302
    assert saved["Location"] == f"/projects/{project.pk}/billing/"
    assert said(saved.wsgi_request) == [("success", "Saved Mixes signed off.")]
    waiting.refresh_from_db()
    assert (waiting.label, waiting.amount, waiting.percent, waiting.position) == (
        "Mixes signed off",
        Decimal("2750.00"),
        None,
        2,
    )
    assert waiting.reached_at is None and not Invoice.objects.exists()


def test_the_edit_page_says_each_refusal_beside_its_field(
    owner: Any, waiting: BillingMilestone
) -> None:
    client = signed_in(owner)
    url = f"/billing-milestones/{waiting.pk}/"
    before = rows()
    both = client.post(url, edit_form(amount="100.00", percent="10"))
    assert both.status_code == 400
    message = "Give an amount or a percent of the total, not both."
    assert both.context["form"].errors == {"amount": [message], "percent": [message]}
    too_much = client.post(url, edit_form(percent="100.01"))
    assert too_much.status_code == 400
    assert too_much.context["form"].errors == {
        "percent": ["A percent is more than 0 and at most 100, to 0.01."]
    }
    unknown = client.post(url, edit_form(kind=""))
    assert unknown.status_code == 400
    assert unknown.context["form"].errors == {"kind": ["This field is required."]}
    assert rows() == before


@freeze_at(AUTUMN_2026)
def test_a_reached_milestone_is_not_edited(owner: Any, deposit: BillingMilestone) -> None:
    before = rows()
    response = signed_in(owner).post(
        f"/billing-milestones/{deposit.pk}/", edit_form(kind="deposit", amount="1200.00")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"__all__": [STILL]}
    assert escape(STILL) in response.content.decode()
    assert rows() == before
    assert Invoice.objects.get().lines.get().unit_price == Decimal("1000.00")


def test_only_who_drafts_invoices_edits_a_milestone(
    collaborator: Any, outsider: Any, waiting: BillingMilestone
) -> None:
    url = f"/billing-milestones/{waiting.pk}/"
    before = rows()
    change = edit_form(amount="1.00")
    viewer = signed_in(collaborator)
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, change).status_code == 403
    stranger = signed_in(outsider)
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, change).status_code == 404
    assert rows() == before


# --- delete ------------------------------------------------------------------------------------


def test_a_waiting_milestone_is_deleted(
    owner: Any, project: Project, waiting: BillingMilestone, deposit: BillingMilestone
) -> None:
    url = f"/billing-milestones/{waiting.pk}/delete/"
    client = signed_in(owner)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/billing/"
    assert said(response.wsgi_request) == [("success", "Removed Mix approved.")]
    assert list(BillingMilestone.objects.values_list("pk", flat=True)) == [deposit.pk]


@freeze_at(AUTUMN_2026)
def test_a_reached_milestone_stays_with_its_invoice(owner: Any, deposit: BillingMilestone) -> None:
    before = rows()
    response = signed_in(owner).post(f"/billing-milestones/{deposit.pk}/delete/")
    assert response.status_code == 302
    assert said(response.wsgi_request) == [("error", STILL)]
    assert rows() == before
    assert Invoice.objects.get().pk == deposit.invoice_id


def test_only_who_drafts_invoices_deletes_a_milestone(
    collaborator: Any, outsider: Any, waiting: BillingMilestone
) -> None:
    url = f"/billing-milestones/{waiting.pk}/delete/"
    before = rows()
    assert signed_in(collaborator).post(url).status_code == 403
    assert signed_in(outsider).post(url).status_code == 404
    assert rows() == before


# --- reach -------------------------------------------------------------------------------------


def test_reach_drafts_the_milestones_invoice(
    owner: Any,
    project: Project,
    plan: BillingPlan,  # noqa: F811
    waiting: BillingMilestone,
) -> None:
    url = f"/billing-milestones/{waiting.pk}/reach/"
    client = signed_in(owner)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/billing/"
    assert said(response.wsgi_request) == [
        ("success", "Mix approved reached: its invoice is drafted for you to check.")
    ]
    waiting.refresh_from_db()
    assert waiting.reached_at is not None
    invoice = Invoice.objects.get()
    assert waiting.invoice == invoice
    assert (invoice.status, invoice.kind, invoice.series, invoice.currency, invoice.notes) == (
        "draft",
        "invoice",
        "PROD",
        "EUR",
        "Mix approved: an instalment of the billing plan.",
    )
    assert (invoice.issuer_name, invoice.recipient_name, invoice.recipient_email) == (
        "Harbour Lane Productions",
        "Invented Records",
        "accounts@example.com",
    )
    lines = list(invoice.lines.values_list("description", "quantity", "unit_price", "tax_rate"))
    # 25 % of the plan's 10,000.00, at the plan's 19 %.
    assert lines == [("Mix approved: Low Tide", Decimal(1), Decimal("2500.00"), Decimal(19))]
    totals = invoice_totals(invoice=invoice, lines=list(invoice.lines.all()))
    assert (totals.net, totals.tax, totals.gross) == (
        Decimal("2500.00"),
        Decimal("475.00"),
        Decimal("2975.00"),
    )
    # The plan's page shows it reached, with its draft.
    page = client.get(f"/projects/{project.pk}/billing/").content.decode()
    assert f"Draft invoice #{invoice.pk}" in page


@freeze_at(AUTUMN_2026)
def test_a_reached_milestone_is_not_reached_again(owner: Any, deposit: BillingMilestone) -> None:
    before = rows()
    response = signed_in(owner).post(f"/billing-milestones/{deposit.pk}/reach/")
    assert response.status_code == 302
    assert said(response.wsgi_request) == [("error", STILL)]
    assert rows() == before
    assert Invoice.objects.count() == 1


def test_only_who_drafts_invoices_reaches_a_milestone(
    collaborator: Any, outsider: Any, waiting: BillingMilestone
) -> None:
    url = f"/billing-milestones/{waiting.pk}/reach/"
    before = rows()
    assert signed_in(collaborator).post(url).status_code == 403
    assert signed_in(outsider).post(url).status_code == 404
    assert rows() == before
    assert not Invoice.objects.exists()
