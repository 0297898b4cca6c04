"""Invoices: frozen once issued, gapless numbers under concurrency, PDFs kept as made."""

import datetime
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from rest_framework.test import APIClient

from budgets import services
from budgets.models import FrozenInvoice, Invoice, InvoiceLine
from budgets.selectors import invoice_totals
from projects.models import Project
from tests.clock import AUTUMN_2026, freeze_at

# Its fixed days (invoice months and studio days of 2027) are all ahead of the clock.
pytestmark = freeze_at(AUTUMN_2026)

PARTIES: dict[str, Any] = {
    "issuer_name": "Harbour Lane Productions",
    "issuer_address": "Harbour Lane 12\n20457 Hamburg",
    "issuer_vat": "DE136695976",
    "issuer_iban": "DE89370400440532013000",
    "recipient_name": "Driftwood Records",
    "recipient_address": "Quay Street 4\nBristol",
}


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


# A disbursement paid in the client's name is not part of the taxable amount (art. 79(c)).
DISBURSEMENT: dict[str, Any] = {
    "vat_exemption": "outside_scope",
    "vat_exemption_reference": "Article 79(c) of Directive 2006/112/EC, disbursement",
}


def draft(project: Project, lines: list[tuple[str, str, str, str]] | None = None) -> Invoice:
    invoice = services.invoice_create(project=project, **PARTIES)
    for description, quantity, price, rate in lines or [
        ("Studio A, lockout day", "2", "780.00", "19"),
        ("Tape stock", "3", "45.50", "19"),
        ("Session musicians (pass-through)", "1", "960.00", "0"),
    ]:
        services.invoice_line_save(
            invoice=invoice,
            description=description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            tax_rate=Decimal(rate),
            **(DISBURSEMENT if Decimal(rate) == 0 else {}),
        )
    return invoice


@pytest.mark.django_db
def test_issue_numbers_freezes_and_renders(as_owner: APIClient, project: Project) -> None:
    invoice = draft(project)
    response = as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert response.status_code == 200, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["number"] == f"TS-{year}-0001"
    # 19 % of 1696.50 is 322.335: half up, 322.34.
    assert body["totals"] == {"net": "2656.50", "tax": "322.34", "gross": "2978.84"}
    assert body["issuer_iban"] == "DE89 3704 0044 0532 0130 00"
    pdf = as_owner.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    content = b"".join(pdf.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(content).hexdigest() == body["pdf_sha256"]
    text = pdf_text(content)
    for expected in [
        f"Invoice TS-{year}-0001",
        "Harbour Lane Productions",
        "Driftwood Records",
        "Studio A, lockout day",
        "1560.00",
        "Tax 19 % on 1696.50",
        "322.34",
        "Tax 0 % on 960.00",
        "2978.84 EUR",
        "IBAN DE89 3704 0044 0532 0130 00",
    ]:
        assert expected in text, expected


@pytest.mark.django_db
def test_issued_invoice_never_changes(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_issue(invoice=draft(project))
    line = invoice.lines.first()
    assert line is not None
    assert (
        as_owner.patch(f"/api/v1/invoices/{invoice.pk}/", {"notes": "x"}, format="json").status_code
        == 409
    )
    assert (
        as_owner.patch(
            f"/api/v1/invoice-lines/{line.pk}/", {"quantity": "9"}, format="json"
        ).status_code
        == 409
    )
    assert as_owner.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 409
    assert as_owner.delete(f"/api/v1/invoice-lines/{line.pk}/").status_code == 409
    add = as_owner.post(
        "/api/v1/invoice-lines/",
        {"invoice": invoice.pk, "description": "Extra", "quantity": "1", "unit_price": "1.00"},
        format="json",
    )
    assert add.status_code == 409
    # The model refuses too, whoever writes.
    invoice.recipient_name = "Someone else"
    with pytest.raises(FrozenInvoice):
        invoice.save()
    line.unit_price = Decimal("0.01")
    with pytest.raises(FrozenInvoice):
        line.save()
    assert as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/").status_code == 409
    assert Invoice.objects.get(pk=invoice.pk).recipient_name == "Driftwood Records"


@pytest.mark.django_db
def test_pdf_stays_the_same_file(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_issue(invoice=draft(project))
    digest = invoice.pdf_sha256
    first = b"".join(as_owner.get(f"/api/v1/invoices/{invoice.pk}/pdf/").streaming_content)  # type: ignore[attr-defined]
    services.invoice_pay(invoice=invoice, paid_on=datetime.date(2026, 12, 1))
    services.invoice_credit(invoice=invoice, quantities={invoice.lines.first().pk: Decimal(1)})  # type: ignore[union-attr]
    services.invoices_remind_overdue(today=datetime.date(2099, 1, 1))
    later = b"".join(as_owner.get(f"/api/v1/invoices/{invoice.pk}/pdf/").streaming_content)  # type: ignore[attr-defined]
    assert first == later
    assert (
        hashlib.sha256(later).hexdigest() == digest == Invoice.objects.get(pk=invoice.pk).pdf_sha256
    )


@pytest.mark.django_db
def test_credit_notes(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_issue(invoice=draft(project))
    tape = invoice.lines.get(description="Tape stock")
    partial = as_owner.post(
        f"/api/v1/invoices/{invoice.pk}/credit/",
        {"lines": [{"line": tape.pk, "quantity": "1"}]},
        format="json",
    )
    assert partial.status_code == 200, partial.json()
    note = partial.json()
    assert note["kind"] == "credit_note"
    assert note["number"].startswith("CN-")
    assert note["totals"] == {"net": "-45.50", "tax": "-8.65", "gross": "-54.15"}
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"
    too_much = as_owner.post(
        f"/api/v1/invoices/{invoice.pk}/credit/",
        {"lines": [{"line": tape.pk, "quantity": "3"}]},
        format="json",
    )
    assert too_much.status_code == 400
    assert "up to 2" in str(too_much.json())
    rest = as_owner.post(f"/api/v1/invoices/{invoice.pk}/credit/", format="json")
    assert rest.status_code == 200
    assert Invoice.objects.get(pk=invoice.pk).status == "cancelled"
    text = pdf_text(b"".join(as_owner.get(f"/api/v1/invoices/{note['id']}/pdf/").streaming_content))  # type: ignore[attr-defined]
    assert f"Credits invoice {invoice.number}" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"tax_rate": "120"}, "tax_rate"),
        ({"unit_price": "10.005"}, "unit_price"),
        ({"unit_price": "-3"}, "unit_price"),
    ],
)
def test_bad_lines(
    as_owner: APIClient, project: Project, change: dict[str, str], field: str
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    body = {
        "invoice": invoice.pk,
        "description": "Mixing",
        "quantity": "1",
        "unit_price": "100.00",
        "tax_rate": "19",
        **change,
    }
    response = as_owner.post("/api/v1/invoice-lines/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not InvoiceLine.objects.exists()


@pytest.mark.django_db
def test_bad_invoices_and_trio(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, project: Project
) -> None:
    bad_iban = as_owner.post(
        "/api/v1/invoices/",
        {"project": project.pk, **PARTIES, "issuer_iban": "DE00 1234"},
        format="json",
    )
    assert bad_iban.status_code == 400
    assert "issuer_iban" in bad_iban.json()
    empty = services.invoice_create(project=project, **PARTIES)
    assert as_owner.post(f"/api/v1/invoices/{empty.pk}/issue/").status_code == 400
    assert as_owner.get(f"/api/v1/invoices/{empty.pk}/pdf/").status_code == 404
    assert as_collaborator.get(f"/api/v1/invoices/{empty.pk}/").status_code == 404
    assert as_outsider.get(f"/api/v1/invoices/{empty.pk}/").status_code == 404
    assert (
        as_outsider.post(
            "/api/v1/invoices/", {"project": project.pk, **PARTIES}, format="json"
        ).status_code
        == 404
    )
    # A project with issued invoices is never deleted.
    services.invoice_issue(invoice=draft(project))
    assert as_owner.delete(f"/api/v1/projects/{project.pk}/").status_code == 409


@pytest.mark.django_db
def test_numbers_follow_one_another_and_a_refused_issue_takes_none(project: Project) -> None:
    """The numbering path, deterministically; the race itself runs on PostgreSQL
    (tests/services/test_money_races.py), where the row lock is real."""
    year = timezone.localdate().year
    first, second = (services.invoice_issue(invoice=draft(project)) for _ in range(2))
    unexplained = draft(project, [("Pass-through", "1", "10.00", "0")])
    InvoiceLine.objects.filter(invoice=unexplained).update(vat_exemption="")
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=unexplained)
    third = services.invoice_issue(invoice=draft(project))
    assert [first.number, second.number, third.number] == [
        f"TS-{year}-{n:04d}" for n in range(1, 4)
    ]
    assert Invoice.objects.get(pk=unexplained.pk).number == ""


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal(500), places=3),
            st.decimals(min_value=0, max_value=Decimal(10000), places=2),
            st.sampled_from([Decimal(0), Decimal(7), Decimal(19), Decimal("20.5")]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_totals_add_up_to_the_cent(lines: list[tuple[Decimal, Decimal, Decimal]]) -> None:
    invoice = Invoice(currency="EUR")
    items = [InvoiceLine(quantity=q, unit_price=p, tax_rate=r) for q, p, r in lines]
    totals = invoice_totals(invoice=invoice, lines=items)
    assert totals.net == sum(totals.line_nets, Decimal(0))
    assert totals.gross == totals.net + sum(tax for _, tax in totals.by_rate.values())
    for value in (totals.net, totals.tax, totals.gross, *totals.line_nets):
        assert value == value.quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_draft_from_project_data(as_owner: APIClient, owner: Any, project: Project) -> None:
    from studio import services as studio_services
    from tests.factories import RoomFactory, StudioFactory

    studio = StudioFactory.create(managers=[owner])
    room = RoomFactory.create(
        studio=studio, day_rate=Decimal(700), hourly_rate=Decimal(90), half_day_rate=Decimal(400)
    )
    start = datetime.datetime(2027, 1, 12, 9, tzinfo=datetime.UTC)
    studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=10),
        status="confirmed",
    )
    # 23:00 to 07:00 in Berlin: the night of the 20th runs into the 21st, the period's end.
    night = datetime.datetime(2027, 1, 20, 22, tzinfo=datetime.UTC)
    studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=night,
        end=night + datetime.timedelta(hours=8),
        status="confirmed",
    )
    studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start + datetime.timedelta(days=40),
        end=start + datetime.timedelta(days=40, hours=10),
        status="confirmed",
    )
    response = as_owner.post(
        "/api/v1/invoices/from-project/",
        {
            "project": project.pk,
            "start": "2027-01-01",
            "end": "2027-01-31",
            "tax_rate": "19",
            **PARTIES,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [line["description"] for line in body["lines"]] == [
        f"Studio time: {room}, 12 Jan 2027",
        f"Studio time: {room}, 20 Jan 2027",
    ]
    # The date of supply: from the first to the last local day of what is billed.
    assert (body["service_period_start"], body["service_period_end"]) == (
        "2027-01-12",
        "2027-01-21",
    )
    night_price = Decimal(body["lines"][1]["unit_price"])
    assert Decimal(body["totals"]["net"]) == Decimal("700.00") + night_price
    taxed_but_exempt = as_owner.post(
        "/api/v1/invoices/from-project/",
        {
            "project": project.pk,
            "start": "2027-01-01",
            "end": "2027-01-31",
            "tax_rate": "19",
            "vat_exemption": "exempt",
            **PARTIES,
        },
        format="json",
    )
    assert taxed_but_exempt.status_code == 400
    assert "vat_exemption" in taxed_but_exempt.json()
    # A booking is billed once: a second draft of the same days finds nothing left to bill...
    again = as_owner.post(
        "/api/v1/invoices/from-project/",
        {"project": project.pk, "start": "2027-01-01", "end": "2027-01-31", **PARTIES},
        format="json",
    )
    assert again.status_code == 400
    # ...until the first draft is dropped.
    assert as_owner.delete(f"/api/v1/invoices/{body['id']}/").status_code == 204
    reverse = as_owner.post(
        "/api/v1/invoices/from-project/",
        {
            "project": project.pk,
            "start": "2027-01-12",
            "end": "2027-01-12",
            "tax_rate": "0",
            "vat_exemption": "reverse_charge",
            **PARTIES,
            "recipient_vat": "FR40303265045",
        },
        format="json",
    )
    assert reverse.status_code == 201, reverse.json()
    assert [line["vat_exemption"] for line in reverse.json()["lines"]] == ["reverse_charge"]
    assert reverse.json()["service_period_end"] == "2027-01-12"
    assert as_owner.post(f"/api/v1/invoices/{reverse.json()['id']}/issue/").status_code == 200
    empty = as_owner.post(
        "/api/v1/invoices/from-project/",
        {"project": project.pk, "start": "2027-06-01", "end": "2027-06-30", **PARTIES},
        format="json",
    )
    assert empty.status_code == 400
    assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_overdue_reminder_once(project: Project, owner: Any) -> None:
    from django.core import mail

    unissued = draft(project)
    Invoice.objects.filter(pk=unissued.pk).update(recipient_email="accounts@example.com")
    invoice = services.invoice_issue(invoice=unissued)
    assert invoice.due_date is not None
    later = invoice.due_date + datetime.timedelta(days=1)
    assert services.invoices_remind_overdue(today=invoice.due_date) == 0
    assert services.invoices_remind_overdue(today=later) == 1
    assert services.invoices_remind_overdue(today=later) == 0
    assert mail.outbox[0].to == ["accounts@example.com"]
    assert invoice.number in mail.outbox[0].subject
    assert Invoice.objects.get(pk=invoice.pk).pdf_sha256 == invoice.pdf_sha256


@pytest.mark.django_db
def test_letter_paper_by_setting(project: Project, settings: Any) -> None:
    settings.INVOICE_PAGE_SIZE = "letter"
    invoice = services.invoice_issue(invoice=draft(project))
    box = PdfReader(invoice.pdf.open("rb")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # 8.5 x 11 in
