"""What an invoice PDF must show a client and an auditor: names as written in an embedded
Unicode font, the date of supply, why a 0 % line carries no VAT, and on every page the
number and "Page x of y". Read back with pypdf, a reader independent of reportlab."""

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PageObject, PdfReader
from rest_framework.test import APIClient

from budgets import services
from budgets.models import FrozenInvoice, Invoice, InvoiceLine, InvoiceSeries
from projects.models import Project
from tests.budgets.test_invoices import PARTIES, draft

pytestmark = pytest.mark.django_db

UNICODE_PARTIES: dict[str, Any] = {
    "issuer_name": "Øresund Lyd ApS",
    "issuer_address": "Strandvejen 1\n2100 København Ø",
    "issuer_vat": "DK13585628",
    "recipient_name": "Łódź Nagrania & Straße <Söhne>",
    "recipient_address": "ul. Piotrkowska 12\n90-001 Łódź",
    "recipient_vat": "PL5260250274",
}


def pages(body: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(body)).pages)


def words(page: PageObject) -> str:
    """A page's text with runs of whitespace made one space: where reportlab wraps a line is
    not what these tests are about, the characters are."""
    return " ".join(page.extract_text().split())


def embedded_fonts(page: PageObject) -> dict[str, Any]:
    """The page's fonts by base name, each with its font descriptor."""
    resources: Any = page["/Resources"]
    fonts = resources["/Font"]
    found = {}
    for ref in fonts.values():
        font = ref.get_object()
        found[str(font["/BaseFont"])] = font
    return found


def assert_dejavu_embedded(body: bytes) -> None:
    for page in pages(body):
        fonts = embedded_fonts(page)
        # A subset is named "ABCDEF+DejaVuSans"; nothing falls back to the base-14 Helvetica.
        names = {name.split("+")[-1] for name in fonts}
        assert names <= {"DejaVuSans", "DejaVuSans-Bold"}, names
        assert "DejaVuSans" in names
        for font in fonts.values():
            assert "/FontFile2" in font["/FontDescriptor"], font  # the TrueType program itself


def issue(invoice: Invoice) -> tuple[Invoice, bytes]:
    issued = services.invoice_issue(invoice=invoice)
    with issued.pdf.open("rb") as handle:
        return issued, handle.read()


def line(invoice: Invoice, description: str, rate: str = "19", **fields: Any) -> InvoiceLine:
    return services.invoice_line_save(
        invoice=invoice,
        description=description,
        quantity=Decimal(1),
        unit_price=Decimal("100.00"),
        tax_rate=Decimal(rate),
        **fields,
    )


def test_names_print_as_written_in_an_embedded_font(project: Project) -> None:
    invoice = services.invoice_create(project=project, **UNICODE_PARTIES)
    line(invoice, "Dvořák string arrangement for Ğ")
    line(invoice, "Øresund session, Straße mix", "0", vat_exemption="reverse_charge")
    issued, body = issue(invoice)
    text = words(pages(body)[0])
    for expected in [
        "Øresund Lyd ApS",
        "2100 København Ø",
        "Łódź Nagrania & Straße <Söhne>",  # markup characters too: escaped, not swallowed
        "90-001 Łódź",
        "Dvořák string arrangement for Ğ",
        "Øresund session, Straße mix",
    ]:
        assert expected in text, expected
    assert_dejavu_embedded(body)


def test_a_credit_note_prints_names_as_written(project: Project) -> None:
    invoice = services.invoice_create(project=project, **UNICODE_PARTIES)
    line(invoice, "Dvořák string arrangement")
    issued, _ = issue(invoice)
    note = services.invoice_credit(invoice=issued)
    with note.pdf.open("rb") as handle:
        body = handle.read()
    text = words(pages(body)[0])
    assert f"Credit note {note.number}" in text
    assert "Łódź Nagrania & Straße <Söhne>" in text and "Dvořák string arrangement" in text
    assert_dejavu_embedded(body)


def test_every_page_of_a_long_invoice_has_its_number_and_page_count(project: Project) -> None:
    invoice = draft(project, [(f"Studio day {n} in Łódź", "1", "780.00", "19") for n in range(70)])
    issued, body = issue(invoice)
    every = pages(body)
    assert len(every) >= 2
    for number, page in enumerate(every, start=1):
        text = words(page)
        assert f"Invoice {issued.number}" in text, number
        assert f"Page {number} of {len(every)}" in text, number
    # The lines run on across the pages under a repeated header; the totals stay together.
    text = " ".join(words(page) for page in every)
    assert all(f"Studio day {n} in Łódź 1 780.00 19 % 780.00" in text for n in range(70))
    assert all("Description Qty Unit price Tax Net (EUR)" in words(page) for page in every[:-1])
    last = words(every[-1])
    assert "Net 54600.00 EUR" in last and "Total 64974.00 EUR" in last  # plus 19 %
    assert "64974.00" not in words(every[0])


def test_the_service_period_is_printed_and_frozen(as_owner: APIClient, project: Project) -> None:
    invoice = draft(project)
    response = as_owner.patch(
        f"/api/v1/invoices/{invoice.pk}/",
        {"service_period_start": "2026-10-05", "service_period_end": "2026-10-30"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    issued, body = issue(invoice)
    assert "Service period: 05 October 2026 – 30 October 2026" in words(pages(body)[0])
    # Frozen with the rest: the API answers 409, the model refuses whoever writes.
    assert (
        as_owner.patch(
            f"/api/v1/invoices/{invoice.pk}/",
            {"service_period_end": "2026-10-31"},
            format="json",
        ).status_code
        == 409
    )
    issued.service_period_end = datetime.date(2026, 10, 31)
    with pytest.raises(FrozenInvoice):
        issued.save()
    stored = Invoice.objects.get(pk=invoice.pk)
    assert stored.service_period_end == datetime.date(2026, 10, 30)
    assert stored.pdf_sha256 == issued.pdf_sha256


def test_without_a_period_the_supply_is_dated_the_issue_day(project: Project) -> None:
    issued, body = issue(draft(project))
    today = timezone.localdate()
    assert issued.service_period_start == issued.service_period_end == today
    assert f"Date of supply: {today:%d %B %Y}" in words(pages(body)[0])


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"service_period_start": "2026-10-05"}, "service_period_end"),
        ({"service_period_end": "2026-10-05"}, "service_period_start"),
        ({"service_period_start": "2026-10-05", "service_period_end": "2026-10-04"}, "end"),
        ({"service_period_start": "5 October"}, "service_period_start"),
    ],
)
def test_bad_service_periods(
    as_owner: APIClient, project: Project, period: dict[str, str], field: str
) -> None:
    response = as_owner.post(
        "/api/v1/invoices/", {"project": project.pk, **PARTIES, **period}, format="json"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert any(field in key for key in body), body
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("reason", "reference", "printed"),
    [
        ("reverse_charge", "", "Reverse charge (Article 196 of Directive 2006/112/EC)"),
        ("exempt", "", "VAT exempt: Title IX of Directive 2006/112/EC"),
        (
            "exempt",
            "Article 132(1)(n) of Directive 2006/112/EC",
            "VAT exempt: Article 132(1)(n) of Directive 2006/112/EC",
        ),
        ("outside_scope", "", "Outside the scope of VAT"),
        (
            "outside_scope",
            "Article 44 of Directive 2006/112/EC",
            "Outside the scope of VAT (Article 44 of Directive 2006/112/EC)",
        ),
    ],
)
def test_a_zero_rated_line_prints_its_reason(
    as_owner: APIClient, project: Project, reason: str, reference: str, printed: str
) -> None:
    invoice = services.invoice_create(
        project=project, **{**PARTIES, "recipient_vat": "FR40303265045"}
    )
    response = as_owner.post(
        "/api/v1/invoice-lines/",
        {
            "invoice": invoice.pk,
            "description": "Mixing, 12 songs",
            "quantity": "1",
            "unit_price": "4800.00",
            "tax_rate": "0",
            "vat_exemption": reason,
            "vat_exemption_reference": reference,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["vat_statement"] == printed
    issued = as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert issued.status_code == 200, issued.json()
    body = b"".join(as_owner.get(f"/api/v1/invoices/{invoice.pk}/pdf/").streaming_content)  # type: ignore[attr-defined]
    text = words(pages(body)[0])
    assert f"Mixing, 12 songs 1 4800.00 0 % 4800.00 {printed}" in text


def test_a_zero_rated_line_without_a_reason_is_not_issued(
    as_owner: APIClient, project: Project
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    line(invoice, "Mixing")
    untold = line(invoice, "Session musicians (pass-through)", "0")
    response = as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert response.status_code == 400
    message = response.json()["vat_exemption"][0]
    assert "Session musicians (pass-through)" in message and f"line {untold.pk}" in message
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.status, stored.number, stored.pdf_sha256) == ("draft", "", "")
    # The refusal took no number: the next issue of the series is still the first.
    assert not InvoiceSeries.objects.filter(last_number__gt=0).exists()
    fixed = as_owner.patch(
        f"/api/v1/invoice-lines/{untold.pk}/", {"vat_exemption": "outside_scope"}, format="json"
    )
    assert fixed.status_code == 200, fixed.json()
    issued = as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert issued.status_code == 200
    assert issued.json()["number"].endswith("-0001")


def test_reverse_charge_needs_the_customers_vat_number(
    as_owner: APIClient, project: Project
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)  # no recipient_vat
    line(invoice, "Mixing", "0", vat_exemption="reverse_charge")
    response = as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert response.status_code == 400
    assert "recipient_vat" in response.json()
    assert (
        as_owner.patch(
            f"/api/v1/invoices/{invoice.pk}/", {"recipient_vat": "FR40303265045"}, format="json"
        ).status_code
        == 200
    )
    assert as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tax_rate": "19", "vat_exemption": "exempt"}, "vat_exemption"),
        ({"tax_rate": "0", "vat_exemption": "because"}, "vat_exemption"),
        ({"tax_rate": "0", "vat_exemption_reference": "Article 132"}, "vat_exemption_reference"),
    ],
)
def test_bad_vat_reasons(
    as_owner: APIClient, project: Project, change: dict[str, str], field: str
) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    body = {"invoice": invoice.pk, "description": "Mixing", "quantity": "1", "unit_price": "1.00"}
    response = as_owner.post("/api/v1/invoice-lines/", {**body, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not InvoiceLine.objects.exists()


def test_reasons_are_frozen_and_credit_notes_carry_them(
    as_owner: APIClient, project: Project
) -> None:
    invoice = services.invoice_create(
        project=project,
        **PARTIES,
        service_period_start=datetime.date(2026, 9, 1),
        service_period_end=datetime.date(2026, 9, 3),
    )
    zero = line(invoice, "Lessons", "0", vat_exemption="exempt")
    issued, _ = issue(invoice)
    assert (
        as_owner.patch(
            f"/api/v1/invoice-lines/{zero.pk}/",
            {"vat_exemption": "outside_scope"},
            format="json",
        ).status_code
        == 409
    )
    note = services.invoice_credit(invoice=issued)
    note_line = note.lines.get()
    assert (note_line.vat_exemption, note.service_period_start, note.service_period_end) == (
        "exempt",
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 3),
    )
    with note.pdf.open("rb") as handle:
        text = words(pages(handle.read())[0])
    assert "VAT exempt: Title IX of Directive 2006/112/EC" in text
    assert "Service period: 01 September 2026 – 03 September 2026" in text


def test_letter_paper_for_every_page(project: Project, settings: Any) -> None:
    settings.INVOICE_PAGE_SIZE = "letter"
    invoice = draft(project, [(f"Day {n}", "1", "10.00", "19") for n in range(60)])
    _, body = issue(invoice)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages(body)}
    assert sizes == {(612, 792)}


def test_the_invoice_page_shows_the_period_and_the_reasons(owner: Any, project: Project) -> None:
    invoice = services.invoice_create(
        project=project,
        **{**PARTIES, "recipient_vat": "FR40303265045"},
        service_period_start=datetime.date(2026, 10, 5),
        service_period_end=datetime.date(2026, 10, 30),
    )
    line(invoice, "Mixing", "0", vat_exemption="reverse_charge")
    client = Client()
    client.force_login(owner)
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "service period 5 October 2026 – 30 October 2026" in page
    assert "Reverse charge (Article 196 of Directive 2006/112/EC)" in page


def test_crediting_an_invoice_from_before_the_period_dates_the_note_by_its_issue(
    project: Project,
) -> None:
    issued, _ = issue(draft(project))
    # As an invoice issued before invoices had a service period: none stored. Only a row
    # written before the PostgreSQL triggers existed looks like this, so they step aside.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As a restore of old data would (pg_restore's way): user triggers do not fire.
            cursor.execute("SET LOCAL session_replication_role = replica")
        Invoice.objects.filter(pk=issued.pk).update(
            service_period_start=None,
            service_period_end=None,
            issue_date=datetime.date(2025, 3, 4),
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    issued.refresh_from_db()
    note = services.invoice_credit(invoice=issued)
    assert note.service_period_start == note.service_period_end == datetime.date(2025, 3, 4)
