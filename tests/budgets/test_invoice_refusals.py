"""Invoices' refusals, each with its exact answer and nothing written: paying or crediting what
is not a standing invoice, crediting what is already credited or is not the invoice's, tax rates
out of range, and lines billing a booking or an engagement of another project."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape
from rest_framework.test import APIClient

from budgets import services
from budgets.models import Invoice, InvoiceLine, InvoiceSeries
from projects.models import Project, Role
from sessions import services as session_services
from sessions.models import Engagement, RateRule
from studio import services as studio_services
from studio.models import Booking
from tests.budgets.test_billing import signed_in
from tests.budgets.test_invoices import DISBURSEMENT, PARTIES, draft
from tests.clock import today, upcoming
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
)

pytestmark = pytest.mark.django_db


def issued(project: Project) -> Invoice:
    """The three lines of ``draft`` (2 x 780.00 and 3 x 45.50 at 19 %, 960.00 at 0 %), issued."""
    return services.invoice_issue(invoice=draft(project))


def in_state(project: Project, state: str) -> Invoice:
    """An invoice of ``project`` that is a draft, paid, cancelled by a full credit, or the
    credit note that cancelled it."""
    if state == "draft":
        return draft(project)
    invoice = issued(project)
    if state == "paid":
        return services.invoice_pay(invoice=invoice, paid_on=today())
    note = services.invoice_credit(invoice=invoice)
    return note if state == "credit_note" else Invoice.objects.get(pk=invoice.pk)


def written() -> tuple[list[Any], list[Any], list[Any]]:
    """Everything a refused write might have touched: invoices, their lines, the series."""
    invoices = Invoice.objects.order_by("pk").values_list(
        "pk", "kind", "status", "number", "paid_on", "reminded_at"
    )
    lines = InvoiceLine.objects.order_by("pk").values_list(
        "pk", "invoice_id", "description", "quantity", "tax_rate", "booking_id", "engagement_id"
    )
    series = InvoiceSeries.objects.order_by("pk").values_list("prefix", "year", "last_number")
    return list(invoices), list(lines), list(series)


# --- paying ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("draft", "Only an issued invoice can be paid; {invoice} is draft."),
        ("paid", "Only an issued invoice can be paid; {invoice} is paid."),
        ("cancelled", "Only an issued invoice can be paid; {invoice} is cancelled."),
        ("credit_note", "{invoice} is a credit note: only an invoice is paid."),
    ],
)
def test_only_an_issued_invoice_is_paid(
    as_owner: APIClient, project: Project, state: str, expected: str
) -> None:
    invoice = in_state(project, state)
    before = written()
    response = as_owner.post(
        f"/api/v1/invoices/{invoice.pk}/pay/", {"paid_on": today().isoformat()}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": expected.format(invoice=invoice)}
    assert written() == before


def test_paying_twice_on_the_page_is_refused_and_keeps_the_first_date(
    owner: Any, project: Project
) -> None:
    first_day = today()
    invoice = services.invoice_pay(invoice=issued(project), paid_on=first_day)
    before = written()
    # A second tab still showing "Mark paid" sends a later date.
    later = first_day + datetime.timedelta(days=3)
    response = signed_in(owner).post(f"/invoices/{invoice.pk}/pay/", {"paid_on": later.isoformat()})
    assert response.status_code == 400
    assert written() == before
    assert Invoice.objects.get(pk=invoice.pk).paid_on == first_day


def test_the_refused_payment_says_why_on_the_page(owner: Any, project: Project) -> None:
    invoice = services.invoice_pay(invoice=issued(project), paid_on=today())
    response = signed_in(owner).post(
        f"/invoices/{invoice.pk}/pay/", {"paid_on": today().isoformat()}
    )
    body = response.content.decode()
    assert escape(f"Only an issued invoice can be paid; {invoice} is paid.") in body
    # Said, with no form to send again: the invoice is no longer one to pay.
    assert f'action="/invoices/{invoice.pk}/pay/"' not in body


# --- crediting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("draft", "Only an issued invoice can be credited; {invoice} is draft."),
        ("cancelled", "{invoice} is already credited in full."),
        ("credit_note", "{invoice} is a credit note: only an invoice is credited."),
    ],
)
def test_only_a_standing_invoice_is_credited(
    as_owner: APIClient, project: Project, state: str, expected: str
) -> None:
    invoice = in_state(project, state)
    line = invoice.lines.first()
    assert line is not None
    before = written()
    for body in ({}, {"lines": [{"line": line.pk, "quantity": "1"}]}):
        response = as_owner.post(f"/api/v1/invoices/{invoice.pk}/credit/", body, format="json")
        assert response.status_code == 409, body
        assert response.json() == {"detail": expected.format(invoice=invoice)}
    assert written() == before


def test_credited_line_by_line_to_the_end_nothing_is_left(
    as_owner: APIClient, project: Project
) -> None:
    invoice = services.invoice_pay(invoice=issued(project), paid_on=today())
    lines = list(invoice.lines.all())
    for line in lines:
        services.invoice_credit(invoice=invoice, quantities={line.pk: line.quantity})
    # The last line's credit took what was left: the invoice is cancelled.
    assert Invoice.objects.get(pk=invoice.pk).status == "cancelled"
    before = written()
    response = as_owner.post(
        f"/api/v1/invoices/{invoice.pk}/credit/",
        {"lines": [{"line": lines[0].pk, "quantity": "0.5"}]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": f"{invoice.number} is already credited in full."}
    assert written() == before
    assert Invoice.objects.filter(credits=invoice).count() == 3


def test_a_credit_names_only_the_invoices_own_lines(as_owner: APIClient, project: Project) -> None:
    invoice = issued(project)
    other = issued(project)
    stranger = other.lines.get(description="Tape stock")
    tape = invoice.lines.get(description="Tape stock")
    before = written()
    response = as_owner.post(
        f"/api/v1/invoices/{invoice.pk}/credit/",
        {
            "lines": [
                {"line": tape.pk, "quantity": "1"},
                {"line": stranger.pk, "quantity": "1"},
                {"line": 10**9, "quantity": "1"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "lines": [f"Not lines of {invoice.number}: [{stranger.pk}, {10**9}]."]
    }
    # Not even the line that was the invoice's is credited: the note is all or nothing.
    assert written() == before


def test_the_credit_page_refuses_a_draft_beside_the_form(owner: Any, project: Project) -> None:
    invoice = draft(project)
    client = signed_in(owner)
    before = written()
    lines = [str(pk) for pk in invoice.lines.values_list("pk", flat=True)]
    response = client.post(f"/invoices/{invoice.pk}/credit/", {"lines": lines, "confirm": "1"})
    assert response.status_code == 400
    message = f"Only an issued invoice can be credited; Draft invoice #{invoice.pk} is draft."
    assert response.context["form"].errors == {"__all__": [message]}
    assert escape(message) in response.content.decode()
    assert written() == before


def test_the_credit_page_offers_nothing_of_a_cancelled_invoice(
    owner: Any, project: Project
) -> None:
    invoice = in_state(project, "cancelled")
    line = invoice.lines.get(description="Tape stock")
    client = signed_in(owner)
    page = client.get(f"/invoices/{invoice.pk}/credit/")
    assert page.context["form"].fields["lines"].choices == []
    before = written()
    response = client.post(f"/invoices/{invoice.pk}/credit/", {"lines": [line.pk], "confirm": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "lines": [f"Select a valid choice. {line.pk} is not one of the available choices."]
    }
    assert written() == before


# --- a draft's details ------------------------------------------------------------------------


def test_a_draft_changed_to_a_bad_iban_keeps_its_own(as_owner: APIClient, project: Project) -> None:
    invoice = draft(project)
    before = Invoice.objects.filter(pk=invoice.pk).values().get()
    response = as_owner.patch(
        f"/api/v1/invoices/{invoice.pk}/", {"issuer_iban": "DE00 1234"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"issuer_iban": ["Not a valid IBAN: Invalid IBAN length."]}
    assert Invoice.objects.filter(pk=invoice.pk).values().get() == before


# --- tax rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("-0.01", "Ensure this value is greater than or equal to 0."),
        ("100.01", "Ensure this value is less than or equal to 100."),
    ],
)
def test_the_api_refuses_a_tax_rate_out_of_range(
    as_owner: APIClient, project: Project, rate: str, expected: str
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    response = as_owner.post(
        "/api/v1/invoice-lines/",
        {
            "invoice": invoice.pk,
            "description": "Mixing",
            "quantity": "1",
            "unit_price": "100.00",
            "tax_rate": rate,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"tax_rate": [expected]}
    assert not InvoiceLine.objects.exists()


def test_the_range_ends_are_rates(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    for rate, extra in (("0", DISBURSEMENT), ("100", {})):
        response = as_owner.post(
            "/api/v1/invoice-lines/",
            {
                "invoice": invoice.pk,
                "description": f"At {rate} %",
                "quantity": "1",
                "unit_price": "100.00",
                "tax_rate": rate,
                **extra,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert list(invoice.lines.values_list("tax_rate", flat=True)) == [Decimal(0), Decimal(100)]


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("100.01")])
def test_the_service_refuses_a_tax_rate_out_of_range(project: Project, rate: Decimal) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    with pytest.raises(ValidationError) as refused:
        services.invoice_line_save(
            invoice=invoice,
            description="Mixing",
            quantity=Decimal(1),
            unit_price=Decimal("100.00"),
            tax_rate=rate,
        )
    assert refused.value.message_dict == {"tax_rate": ["A tax rate is between 0 and 100 %."]}
    assert not InvoiceLine.objects.exists()


def _line_form(prefix: str, tax_rate: str) -> dict[str, str]:
    return {
        f"{prefix}-description": "Mixing",
        f"{prefix}-quantity": "1",
        f"{prefix}-unit": "",
        f"{prefix}-unit_price": "100.00",
        f"{prefix}-tax_rate": tax_rate,
        f"{prefix}-vat_exemption": "",
        f"{prefix}-vat_exemption_reference": "",
    }


@pytest.mark.parametrize("rate", ["-1", "100.01"])
def test_the_page_says_the_range_beside_the_rate(owner: Any, project: Project, rate: str) -> None:
    invoice = draft(project)
    line = invoice.lines.get(description="Tape stock")
    client = signed_in(owner)
    before = written()
    message = "A tax rate is between 0 and 100 %."

    added = client.post(f"/invoices/{invoice.pk}/lines/", _line_form("add", rate))
    assert added.status_code == 400
    assert added.context["add_form"].errors == {"tax_rate": [message]}
    assert message in added.content.decode()

    changed = client.post(f"/invoice-lines/{line.pk}/", _line_form(f"line-{line.pk}", rate))
    assert changed.status_code == 400
    [form] = [form for row, _, form in changed.context["rows"] if row.pk == line.pk]
    assert form.errors == {"tax_rate": [message]}
    assert written() == before


# --- what a line bills is the invoice's project's ------------------------------------------------


@pytest.fixture
def elsewhere(owner: Any) -> Project:
    """Another production the owner produces: its money is theirs to see, not this invoice's."""
    project = ProjectFactory.create(title="Second Wind", artist="The Test Echoes")
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
    return project


def booking_of(project: Project, by: Any) -> Booking:
    room = RoomFactory.create(studio=StudioFactory.create(name=f"Rooms of {project.title}"))
    start = upcoming(days=10, hour=10)
    [booking] = studio_services.booking_create(
        by=by,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=4),
        status="confirmed",
    )
    return booking


def engagement_of(project: Project) -> Engagement:
    room = RoomFactory.create(studio=StudioFactory.create(name=f"Stage of {project.title}"))
    start = upcoming(days=12, hour=14)
    session = session_services.session_create(
        project=project,
        title="Horns",
        room=room,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )
    rule = RateRule.objects.create(
        project=project, name="Flat", kind="flat", currency="EUR", params={"fee": "250.00"}
    )
    return session_services.engagement_save(
        session=session,
        person=PersonFactory.create(name="Ada Brass", projects=[project]),
        rate_rule=rule,
        role="musician",
        hours=Decimal(3),
    )


def _billing(invoice: Invoice, **link: int) -> dict[str, Any]:
    return {
        "invoice": invoice.pk,
        "description": "Studio time",
        "quantity": "1",
        "unit_price": "400.00",
        "tax_rate": "19",
        **link,
    }


def test_a_line_bills_no_booking_of_another_project(
    as_owner: APIClient, owner: Any, project: Project, elsewhere: Project
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    theirs = booking_of(elsewhere, owner)
    before = written()
    response = as_owner.post(
        "/api/v1/invoice-lines/", _billing(invoice, booking=theirs.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"booking": ["Not a booking of this invoice's project."]}
    assert written() == before
    # The same booking on an invoice of its own project is billed.
    own = services.invoice_create(project=elsewhere, **PARTIES)
    billed = as_owner.post(
        "/api/v1/invoice-lines/", _billing(own, booking=theirs.pk), format="json"
    )
    assert billed.status_code == 201, billed.json()
    assert billed.json()["booking"] == theirs.pk


def test_a_line_bills_no_engagement_of_another_project(
    as_owner: APIClient, project: Project, elsewhere: Project
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    theirs = engagement_of(elsewhere)
    before = written()
    response = as_owner.post(
        "/api/v1/invoice-lines/", _billing(invoice, engagement=theirs.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"engagement": ["Not an engagement of this invoice's project."]}
    assert written() == before
    own = services.invoice_create(project=elsewhere, **PARTIES)
    billed = as_owner.post(
        "/api/v1/invoice-lines/", _billing(own, engagement=theirs.pk), format="json"
    )
    assert billed.status_code == 201, billed.json()


def test_a_line_is_not_moved_onto_another_projects_booking(
    as_owner: APIClient, owner: Any, project: Project, elsewhere: Project
) -> None:
    invoice = draft(project)
    line = invoice.lines.get(description="Tape stock")
    theirs = booking_of(elsewhere, owner)
    before = written()
    response = as_owner.patch(
        f"/api/v1/invoice-lines/{line.pk}/", {"booking": theirs.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"booking": ["Not a booking of this invoice's project."]}
    assert written() == before


def test_the_service_refuses_another_projects_booking_and_engagement(
    owner: Any, project: Project, elsewhere: Project
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    for link, expected in (
        ({"booking": booking_of(elsewhere, owner)}, "Not a booking of this invoice's project."),
        ({"engagement": engagement_of(elsewhere)}, "Not an engagement of this invoice's project."),
    ):
        with pytest.raises(ValidationError) as refused:
            services.invoice_line_save(
                invoice=invoice,
                description="Billed elsewhere",
                quantity=Decimal(1),
                unit_price=Decimal("400.00"),
                tax_rate=Decimal(19),
                **link,
            )
        assert refused.value.message_dict == {next(iter(link)): [expected]}
    assert not InvoiceLine.objects.exists()


def test_a_booking_the_caller_cannot_see_does_not_exist(
    as_owner: APIClient, project: Project
) -> None:
    """Not even its project's name leaks: the booking reads as missing."""
    stranger = ProjectFactory.create(title="Someone Else's Record")
    other_user = MembershipFactory.create(project=stranger, role=Role.PRODUCER).user
    theirs = booking_of(stranger, other_user)
    invoice = services.invoice_create(project=project, **PARTIES)
    response = as_owner.post(
        "/api/v1/invoice-lines/", _billing(invoice, booking=theirs.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"booking": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    assert not InvoiceLine.objects.exists()
