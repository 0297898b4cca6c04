"""Budget and invoice pages: scoped to roles that see money, in a fixed number of queries."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from budgets import services
from budgets.models import Cost
from projects.models import Project, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_budget_page(
    owner: Any,
    collaborator: Any,
    outsider: Any,
    project: Project,
    django_assert_max_num_queries: Any,
) -> None:
    budget = services.budget_create(project=project)
    for line in budget.lines.all():
        if line.category == "travel":
            services.budget_line_save(budget=budget, line=line, planned=Decimal(100))
    for i in range(12):
        services.cost_save(
            project=project,
            amount=Decimal(20),
            currency="EUR",
            category="travel",
            vendor=f"Vendor {i}",
            date=datetime.date(2026, 11, 1 + i % 9),
            status="paid",
        )
    client = browser(owner)
    client.get(f"/budgets/{budget.pk}/")
    with django_assert_max_num_queries(14):
        page = client.get(f"/budgets/{budget.pk}/").content.decode()
    assert "Budget v1" in page
    assert "The forecast (240.00 EUR) passes the plan with its contingency (110.00)." in page
    assert "<svg" in page and "Vendor 11" in page
    assert "Low Tide" in client.get("/budgets/").content.decode()
    assert browser(collaborator).get(f"/budgets/{budget.pk}/").status_code == 404  # a viewer
    assert browser(outsider).get(f"/budgets/{budget.pk}/").status_code == 404
    assert "Low Tide" not in browser(collaborator).get("/budgets/").content.decode()
    assert Cost.objects.count() == 12


def test_invoice_pages(owner: Any, outsider: Any, project: Project) -> None:
    invoice = services.invoice_create(
        project=project,
        issuer_name="Harbour Lane Productions",
        issuer_address="Lane 1",
        recipient_name="Driftwood Records",
        recipient_address="Quay 4",
    )
    services.invoice_line_save(
        invoice=invoice,
        description="Mixing",
        quantity=Decimal(2),
        unit_price=Decimal("450.00"),
        tax_rate=Decimal(19),
    )
    issued = services.invoice_issue(invoice=invoice)
    page = browser(owner).get(f"/invoices/{invoice.pk}/").content.decode()
    assert issued.number in page and "1071.00 EUR" in page and "Download PDF" in page
    assert issued.number in browser(owner).get("/invoices/").content.decode()
    assert browser(outsider).get(f"/invoices/{invoice.pk}/").status_code == 404
    accountant = UserFactory.create()
    MembershipFactory.create(project=project, user=accountant, role=Role.ACCOUNTANT)
    assert browser(accountant).get(f"/invoices/{invoice.pk}/").status_code == 200


def test_costs_page_filters(owner: Any, collaborator: Any, project: Project) -> None:
    for category, status in [("travel", "paid"), ("travel", "committed"), ("artwork", "paid")]:
        services.cost_save(
            project=project,
            amount=Decimal(10),
            currency="EUR",
            category=category,
            vendor=f"{category}-{status}",
            date=datetime.date(2026, 11, 2),
            status=status,
        )
    page = (
        browser(owner)
        .get(f"/projects/{project.pk}/costs/", {"category": "travel", "status": "paid"})
        .content.decode()
    )
    assert "travel-paid" in page and "travel-committed" not in page and "artwork-paid" not in page
    assert browser(collaborator).get(f"/projects/{project.pk}/costs/").status_code == 404


def test_receipt_served_to_money_roles_only(
    owner: Any, collaborator: Any, project: Project
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n%%EOF\n"
    cost = services.cost_save(
        project=project,
        amount=Decimal(5),
        currency="EUR",
        category="travel",
        vendor="Bus",
        date=datetime.date(2026, 11, 2),
        receipt=SimpleUploadedFile("r.pdf", pdf),
    )
    response = browser(owner).get(f"/costs/{cost.pk}/receipt/")
    assert b"".join(response.streaming_content) == pdf  # type: ignore[attr-defined]
    assert (
        f"/costs/{cost.pk}/receipt/"
        in browser(owner).get(f"/projects/{project.pk}/costs/").content.decode()
    )
    assert browser(collaborator).get(f"/costs/{cost.pk}/receipt/").status_code == 404
