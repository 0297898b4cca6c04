"""Money done from the pages: budgets, costs and invoices written through the same services
as the API, each refusal beside its field, roles (403) and outsiders (404), nothing half-written,
query counts pinned."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from budgets import services
from budgets.models import Budget, BudgetLine, Category, Cost, Invoice, InvoiceLine
from projects.models import Project, Role
from studio import services as studio_services
from studio.models import Booking
from tests.clock import AUTUMN_2026, freeze_at
from tests.factories import MembershipFactory, RoomFactory, StudioFactory, UserFactory

# Its fixed days (studio days and invoices of January 2027) are all ahead of the clock.
pytestmark = [pytest.mark.django_db, freeze_at(AUTUMN_2026)]

PARTIES: dict[str, Any] = {
    "issuer_name": "Harbour Lane Productions",
    "issuer_address": "Harbour Lane 12\n20457 Hamburg",
    "issuer_vat": "DE136695976",
    "issuer_iban": "DE89370400440532013000",
    "recipient_name": "Driftwood Records",
    "recipient_address": "Quay Street 4\nBristol",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(project: Project, role: Role, name: str) -> Any:
    user = UserFactory.create(username=name)
    MembershipFactory.create(project=project, user=user, role=role)
    return user


def page(response: Any) -> str:
    return str(response.content.decode())


# --- budgets ----------------------------------------------------------------------------------


def test_budget_from_the_template_in_one_click(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    index = page(client.get("/budgets/"))
    assert "Make a budget for Low Tide from the template" in index
    response = client.post(f"/projects/{project.pk}/budget/new/")
    budget = Budget.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == f"/budgets/{budget.pk}/"
    assert [line.category for line in budget.lines.all()] == Category.values
    shown = page(client.get(response["Location"]))
    assert "Plan by line (draft)" in shown and "Approve version 1" in shown


def test_budget_line_inline_edit_add_remove(owner: Any, project: Project) -> None:
    budget = services.budget_create(project=project)
    travel = budget.lines.get(category="travel")
    client = signed_in(owner)
    # htmx: the editor partial comes back, not the page.
    response = client.post(
        f"/budget-lines/{travel.pk}/",
        {f"line-{travel.pk}-planned": "1200.50", f"line-{travel.pk}-description": "Van, 3 days"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = page(response)
    assert 'id="line-editor"' in body and "<html" not in body
    travel.refresh_from_db()
    assert (travel.planned, travel.description) == (Decimal("1200.50"), "Van, 3 days")
    # Without htmx: POST then redirect.
    response = client.post(
        f"/budget-lines/{travel.pk}/",
        {f"line-{travel.pk}-planned": "1300", f"line-{travel.pk}-description": ""},
    )
    assert response.status_code == 302
    # Refused beside its field: a third decimal in EUR is never rounded away.
    response = client.post(
        f"/budget-lines/{travel.pk}/",
        {f"line-{travel.pk}-planned": "10.005", f"line-{travel.pk}-description": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert f'id="id_line-{travel.pk}-planned-error"' in page(response)
    travel.refresh_from_db()
    assert (travel.planned, travel.description) == (Decimal("1300.00"), "")
    response = client.post(
        f"/budgets/{budget.pk}/lines/",
        {"add-category": "marketing", "add-planned": "500", "add-description": "Posters"},
    )
    assert response.status_code == 302
    added = budget.lines.get(description="Posters")
    assert client.post(f"/budget-lines/{added.pk}/delete/").status_code == 302
    assert not BudgetLine.objects.filter(pk=added.pk).exists()


def test_approve_then_reforecast(owner: Any, project: Project) -> None:
    budget = services.budget_create(project=project)
    client = signed_in(owner)
    assert "It becomes the plan the report compares against" in page(
        client.get(f"/budgets/{budget.pk}/")
    )
    assert client.post(f"/budgets/{budget.pk}/approve/").status_code == 302
    budget.refresh_from_db()
    assert budget.is_approved
    travel = budget.lines.get(category="travel")
    # An approved version's lines no longer change: refused above the line's form.
    response = client.post(
        f"/budget-lines/{travel.pk}/", {f"line-{travel.pk}-planned": "5"}, HTTP_HX_REQUEST="true"
    )
    assert "is approved and kept as it is" in page(response)
    travel.refresh_from_db()
    assert travel.planned == 0
    shown = page(client.get(f"/budgets/{budget.pk}/"))
    assert "Re-forecast as version 2" in shown and "Plan by line" not in shown
    response = client.post(f"/budgets/{budget.pk}/reforecast/")
    new = Budget.objects.get(project=project, version=2)
    assert response["Location"] == f"/budgets/{new.pk}/" and not new.is_approved
    assert new.lines.count() == budget.lines.count()


def test_budget_writes_by_role(
    owner: Any, collaborator: Any, outsider: Any, project: Project
) -> None:
    budget = services.budget_create(project=project)
    line = budget.lines.first()
    assert line is not None
    engineer = member(project, Role.ENGINEER, "engineer")
    accountant = member(project, Role.ACCOUNTANT, "accountant")
    for user in (collaborator, engineer):
        client = signed_in(user)
        assert client.post(f"/budgets/{budget.pk}/approve/").status_code == 403
        assert client.post(f"/budget-lines/{line.pk}/delete/").status_code == 403
        assert client.post(f"/projects/{project.pk}/budget/new/").status_code == 403
    client = signed_in(outsider)
    assert client.post(f"/budgets/{budget.pk}/approve/").status_code == 404
    assert client.post(f"/budget-lines/{line.pk}/delete/").status_code == 404
    assert client.post(f"/projects/{project.pk}/budget/new/").status_code == 404
    budget.refresh_from_db()
    assert not budget.is_approved and BudgetLine.objects.filter(pk=line.pk).exists()
    # The accountant manages budgets.
    assert signed_in(accountant).post(f"/budgets/{budget.pk}/approve/").status_code == 302


def test_budget_page_queries(owner: Any, project: Project, django_assert_num_queries: Any) -> None:
    budget = services.budget_create(project=project)
    client = signed_in(owner)
    client.get(f"/budgets/{budget.pk}/")
    with django_assert_num_queries(14):
        client.get(f"/budgets/{budget.pk}/")
    for index in range(20):
        services.budget_line_save(
            budget=budget, category="musicians", planned=Decimal(index), description=f"#{index}"
        )
    with django_assert_num_queries(14):
        assert "#19" in page(client.get(f"/budgets/{budget.pk}/"))


# --- costs ------------------------------------------------------------------------------------


def cost_post(**changes: Any) -> dict[str, Any]:
    return {
        "vendor": "Cable Shop",
        "category": "equipment_rental",
        "amount": "120.00",
        "currency": "EUR",
        "date": "2026-11-02",
        "status": "committed",
        "description": "Two DI boxes",
        **changes,
    }


def test_add_edit_delete_a_cost(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    receipt = SimpleUploadedFile("r.png", PNG, content_type="image/png")
    response = client.post(f"/projects/{project.pk}/costs/", cost_post(receipt=receipt))
    assert response.status_code == 302
    cost = Cost.objects.get(project=project)
    assert cost.receipt and cost.amount_converted == Decimal("120.00")
    listing = page(client.get(f"/projects/{project.pk}/costs/"))
    assert "Cable Shop" in listing and "Receipt from Cable Shop" in listing
    # Another currency takes the rate of its date.
    response = client.post(
        f"/costs/{cost.pk}/edit/",
        cost_post(amount="100", currency="usd", exchange_rate="0.9", status="paid"),
    )
    assert response.status_code == 302
    cost.refresh_from_db()
    assert (cost.currency, cost.amount_converted, cost.status) == ("USD", Decimal("90.00"), "paid")
    assert cost.receipt, "no new file keeps the receipt"
    listing = page(client.get(f"/projects/{project.pk}/costs/"))
    assert "Delete Cable Shop, 100.00 USD of 2 Nov 2026, and its receipt?" in listing
    assert client.post(f"/costs/{cost.pk}/delete/").status_code == 302
    assert not Cost.objects.exists()


def test_cost_refusals_beside_their_fields(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    fake = SimpleUploadedFile(
        "receipt.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(f"/projects/{project.pk}/costs/", cost_post(receipt=fake))
    assert response.status_code == 400
    body = page(response)
    assert 'id="id_receipt-error"' in body and "this file&#x27;s content is none of them" in body
    response = client.post(f"/projects/{project.pk}/costs/", cost_post(currency="USD"))
    assert 'id="id_exchange_rate-error"' in page(response)
    assert "Give the USD→EUR rate" in page(response)
    response = client.post(f"/projects/{project.pk}/costs/", cost_post(amount="1.234"))
    assert 'id="id_amount-error"' in page(response)
    assert not Cost.objects.exists()


def test_cost_writes_by_role(collaborator: Any, outsider: Any, project: Project) -> None:
    cost = services.cost_save(
        project=project,
        amount=Decimal(10),
        currency="EUR",
        vendor="Tape",
        category="travel",
        date=datetime.date(2026, 11, 1),
    )
    engineer = member(project, Role.ENGINEER, "engineer")
    for user in (collaborator, engineer):
        client = signed_in(user)
        assert client.post(f"/projects/{project.pk}/costs/", cost_post()).status_code == 403
        assert client.post(f"/costs/{cost.pk}/delete/").status_code == 403
        assert client.post(f"/costs/{cost.pk}/edit/", cost_post()).status_code == 403
    client = signed_in(outsider)
    assert client.post(f"/projects/{project.pk}/costs/", cost_post()).status_code == 404
    assert client.post(f"/costs/{cost.pk}/delete/").status_code == 404
    assert client.get(f"/costs/{cost.pk}/edit/").status_code == 404
    assert list(Cost.objects.values_list("vendor", flat=True)) == ["Tape"]


def test_cost_list_queries(owner: Any, project: Project, django_assert_num_queries: Any) -> None:
    def add(vendor: str) -> None:
        services.cost_save(
            project=project,
            amount=Decimal(10),
            currency="EUR",
            vendor=vendor,
            category="travel",
            date=datetime.date(2026, 11, 1),
        )

    add("Vendor 0")
    client = signed_in(owner)
    client.get(f"/projects/{project.pk}/costs/")
    # 8: the project's songs (the form's song select and the song filter) is one of them.
    with django_assert_num_queries(8):
        client.get(f"/projects/{project.pk}/costs/")
    for index in range(1, 30):
        add(f"Vendor {index}")
    with django_assert_num_queries(8):
        assert "Vendor 29" in page(client.get(f"/projects/{project.pk}/costs/"))


# --- invoices ---------------------------------------------------------------------------------


@pytest.fixture
def booked(owner: Any, project: Project) -> list[Booking]:
    """Two confirmed studio days in January 2027, on a studio the owner manages."""
    studio = StudioFactory.create(managers=[owner])
    room = RoomFactory.create(
        studio=studio, day_rate=Decimal(700), hourly_rate=Decimal(90), half_day_rate=Decimal(400)
    )
    bookings = []
    for day in (12, 14):
        start = datetime.datetime(2027, 1, day, 9, tzinfo=datetime.UTC)
        bookings.extend(
            studio_services.booking_create(
                by=owner,
                room=room,
                project=project,
                start=start,
                end=start + datetime.timedelta(hours=10),
                status="confirmed",
            )
        )
    return bookings


def draft_post(**changes: Any) -> dict[str, Any]:
    return {
        "start": "2027-01-01",
        "end": "2027-01-31",
        "bookings": "on",
        "tax_rate": "19",
        "vat_exemption": "",
        "vat_exemption_reference": "",
        **PARTIES,
        "issuer_bic": "",
        "issuer_vat": "DE136695976",
        "recipient_vat": "",
        "recipient_email": "",
        **changes,
    }


ISSUER_SETTINGS = {
    "INVOICE_ISSUER_NAME": "Harbour Lane Productions",
    "INVOICE_ISSUER_ADDRESS": "Harbour Lane 12\n20457 Hamburg",
    "INVOICE_ISSUER_VAT": "DE136695976",
    "INVOICE_ISSUER_IBAN": "DE89 3704 0044 0532 0130 00",
    "INVOICE_ISSUER_BIC": "COBADEFFXXX",
}


def test_draft_from_project_fills_both_parties(
    owner: Any, project: Project, booked: list[Booking], settings: Any
) -> None:
    for name, value in ISSUER_SETTINGS.items():
        setattr(settings, name, value)
    project.client = "Driftwood Records"
    project.save()
    client = signed_in(owner)
    form = page(client.get(f"/projects/{project.pk}/invoices/new/"))
    # The issuer from the settings, the client from the project: nothing to retype.
    assert 'value="Harbour Lane Productions"' in form and "Harbour Lane 12\n20457 Hamburg" in form
    assert 'value="COBADEFFXXX"' in form and 'value="Driftwood Records"' in form
    assert form.count("not invoiced") == 2
    response = client.post(f"/projects/{project.pk}/invoices/new/", draft_post())
    invoice = Invoice.objects.get(project=project)
    assert response["Location"] == f"/invoices/{invoice.pk}/"
    assert [line.booking_id for line in invoice.lines.all()] == [b.pk for b in booked]
    assert (invoice.issuer_name, invoice.recipient_name) == (
        "Harbour Lane Productions",
        "Driftwood Records",
    )
    # The next draft's client comes from this one, address and all.
    again = page(client.get(f"/projects/{project.pk}/invoices/new/"))
    assert "Quay Street 4\nBristol" in again
    assert again.count(f"Invoiced on draft invoice #{invoice.pk}") == 2


def test_a_booking_is_billed_once(owner: Any, project: Project, booked: list[Booking]) -> None:
    client = signed_in(owner)
    client.post(f"/projects/{project.pk}/invoices/new/", draft_post())
    first = Invoice.objects.get()
    services.invoice_issue(invoice=first)
    first.refresh_from_db()
    # Drafting again finds nothing left to bill: refused beside the dates, nothing written.
    response = client.post(f"/projects/{project.pk}/invoices/new/", draft_post())
    assert response.status_code == 400
    assert 'id="id_start-error"' in page(response)
    assert Invoice.objects.count() == 1
    assert (
        page(client.get(f"/projects/{project.pk}/invoices/new/")).count(
            f"Invoiced on {first.number}"
        )
        == 2
    )
    # Adding the booking by hand to another draft is refused by the service too.
    other = services.invoice_create(project=project, **PARTIES)
    with pytest.raises(Exception, match=f"Already invoiced on {first.number}"):
        services.invoice_line_save(
            invoice=other,
            description="Again",
            quantity=Decimal(1),
            unit_price=Decimal(700),
            tax_rate=Decimal(19),
            booking=booked[0],
        )
    assert not other.lines.exists()
    # Crediting (cancelling) the invoice frees them: the next draft bills them again.
    services.invoice_credit(invoice=first)
    other.delete()
    response = client.post(f"/projects/{project.pk}/invoices/new/", draft_post())
    assert response.status_code == 302
    latest = Invoice.objects.filter(kind="invoice", status="draft").get()
    assert latest.lines.filter(booking__isnull=False).count() == 2


def test_edit_line_issue_pay(owner: Any, project: Project, booked: list[Booking]) -> None:
    client = signed_in(owner)
    client.post(f"/projects/{project.pk}/invoices/new/", draft_post())
    invoice = Invoice.objects.get()
    line = invoice.lines.first()
    assert line is not None
    shown = page(client.get(f"/invoices/{invoice.pk}/"))
    assert (
        "Issue invoice TS-" in shown and "for 1,666.00 EUR? It can no longer be changed." in shown
    )
    prefix = f"line-{line.pk}"
    response = client.post(
        f"/invoice-lines/{line.pk}/",
        {
            f"{prefix}-description": "Studio time, Jan 12",
            f"{prefix}-quantity": "1",
            f"{prefix}-unit": "day",
            f"{prefix}-unit_price": "650",
            f"{prefix}-tax_rate": "19",
            f"{prefix}-vat_exemption": "",
            f"{prefix}-vat_exemption_reference": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'id="invoice-lines"' in page(response) and "<html" not in page(response)
    line.refresh_from_db()
    assert (line.description, line.unit_price, line.booking_id) == (
        "Studio time, Jan 12",
        Decimal(650),
        booked[0].pk,
    )
    response = client.post(f"/invoices/{invoice.pk}/issue/")
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.pdf
    shown = page(client.get(f"/invoices/{invoice.pk}/"))
    assert f"Download PDF of {invoice.number}" in shown and f"Mark {invoice.number} paid" in shown
    response = client.post(f"/invoices/{invoice.pk}/pay/", {"paid_on": "2027-02-01"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", datetime.date(2027, 2, 1))


def test_zero_rate_line_without_reason_refused_at_issue(owner: Any, project: Project) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    line = services.invoice_line_save(
        invoice=invoice,
        description="Session musicians (pass-through)",
        quantity=Decimal(1),
        unit_price=Decimal(960),
        tax_rate=Decimal(0),
    )
    response = signed_in(owner).post(f"/invoices/{invoice.pk}/issue/")
    assert response.status_code == 400
    body = page(response)
    assert f'id="id_line-{line.pk}-vat_exemption-error"' in body
    assert "A line at 0 % VAT says why" in body
    invoice.refresh_from_db()
    assert invoice.status == "draft" and not invoice.number


def test_credit_some_lines(owner: Any, project: Project) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    lines = [
        services.invoice_line_save(
            invoice=invoice,
            description=name,
            quantity=Decimal(1),
            unit_price=Decimal(price),
            tax_rate=Decimal(19),
        )
        for name, price in (("Mixing", 1000), ("Mastering", 200))
    ]
    services.invoice_issue(invoice=invoice)
    client = signed_in(owner)
    # First the total, then the credit note.
    preview = client.post(f"/invoices/{invoice.pk}/credit/", {"lines": [lines[1].pk]})
    assert "Credit note for <strong>-238.00 EUR</strong>" in page(preview)
    assert not Invoice.objects.filter(kind="credit_note").exists()
    response = client.post(
        f"/invoices/{invoice.pk}/credit/", {"lines": [lines[1].pk], "confirm": "1"}
    )
    note = Invoice.objects.get(kind="credit_note")
    assert response["Location"] == f"/invoices/{note.pk}/"
    assert [(li.description, li.quantity) for li in note.lines.all()] == [
        ("Mastering", Decimal("-1.000"))
    ]
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    # Nothing chosen: said beside the lines.
    response = client.post(f"/invoices/{invoice.pk}/credit/", {"confirm": "1"})
    assert response.status_code == 400 and "Pick the lines to credit." in page(response)
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_invoice_writes_by_role(owner: Any, outsider: Any, project: Project) -> None:
    engineer = member(project, Role.ENGINEER, "engineer")
    manager = member(project, Role.MANAGER, "manager")
    accountant = member(project, Role.ACCOUNTANT, "accountant")
    invoice = services.invoice_create(project=project, **PARTIES)
    line = services.invoice_line_save(
        invoice=invoice,
        description="Mixing",
        quantity=Decimal(1),
        unit_price=Decimal(10),
        tax_rate=Decimal(19),
    )
    for user in (engineer, manager):
        client = signed_in(user)
        assert client.get(f"/projects/{project.pk}/invoices/new/").status_code == 403
        assert client.post(f"/invoices/{invoice.pk}/issue/").status_code == 403
        assert client.post(f"/invoice-lines/{line.pk}/delete/").status_code == 403
    client = signed_in(outsider)
    assert client.get(f"/projects/{project.pk}/invoices/new/").status_code == 404
    assert client.post(f"/invoices/{invoice.pk}/issue/").status_code == 404
    assert client.post(f"/invoice-lines/{line.pk}/delete/").status_code == 404
    invoice.refresh_from_db()
    assert invoice.status == "draft" and InvoiceLine.objects.filter(pk=line.pk).exists()
    # The accountant may invoice.
    client = signed_in(accountant)
    assert client.get(f"/projects/{project.pk}/invoices/new/").status_code == 200
    assert client.post(f"/invoices/{invoice.pk}/issue/").status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_invoice_page_queries(owner: Any, project: Project, django_assert_num_queries: Any) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)

    def add(index: int) -> None:
        services.invoice_line_save(
            invoice=invoice,
            description=f"Line {index}",
            quantity=Decimal(1),
            unit_price=Decimal(10),
            tax_rate=Decimal(19),
        )

    add(0)
    client = signed_in(owner)
    client.get(f"/invoices/{invoice.pk}/")
    with django_assert_num_queries(6):
        client.get(f"/invoices/{invoice.pk}/")
    for index in range(1, 25):
        add(index)
    with django_assert_num_queries(6):
        assert "Line 24" in page(client.get(f"/invoices/{invoice.pk}/"))


def test_from_project_page_queries(
    owner: Any, project: Project, booked: list[Booking], django_assert_num_queries: Any
) -> None:
    client = signed_in(owner)
    client.get(f"/projects/{project.pk}/invoices/new/")
    with django_assert_num_queries(9):
        client.get(f"/projects/{project.pk}/invoices/new/")
    room = booked[0].room
    for day in range(15, 31):
        start = datetime.datetime(2027, 1, day, 9, tzinfo=datetime.UTC)
        studio_services.booking_create(
            by=owner,
            room=room,
            project=project,
            start=start,
            end=start + datetime.timedelta(hours=2),
            status="confirmed",
        )
    client.post(f"/projects/{project.pk}/invoices/new/", draft_post(end="2027-01-20"))
    with django_assert_num_queries(9):
        shown = page(client.get(f"/projects/{project.pk}/invoices/new/"))
    assert shown.count("Invoiced on draft invoice") == 8 and shown.count("not invoiced") == 10


def test_api_line_links_billed_once(
    owner: Any, outsider: Any, project: Project, booked: list[Booking]
) -> None:
    from tests.conftest import api_client_for

    api = api_client_for(owner)
    first = services.invoice_create(project=project, **PARTIES)
    second = services.invoice_create(project=project, **PARTIES)
    line = {
        "description": "Studio day",
        "quantity": "1",
        "unit_price": "700.00",
        "tax_rate": "19",
        "booking": booked[0].pk,
    }
    created = api.post("/api/v1/invoice-lines/", {"invoice": first.pk, **line}, format="json")
    assert created.status_code == 201 and created.json()["booking"] == booked[0].pk
    again = api.post("/api/v1/invoice-lines/", {"invoice": second.pk, **line}, format="json")
    assert again.status_code == 400
    assert f"Already invoiced on draft invoice #{first.pk}" in str(again.json()["booking"])
    assert not second.lines.exists()
    # An outsider sees neither the invoice nor the booking: both read as missing.
    other = api_client_for(outsider).post(
        "/api/v1/invoice-lines/", {"invoice": first.pk, **line}, format="json"
    )
    assert other.status_code == 404
