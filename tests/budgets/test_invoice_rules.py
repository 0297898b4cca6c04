"""Invoices' rules at their edges: series per issuer, local days from project data, the status
life, the admin's refusals, amounts checked where they enter, and list query counts."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from budgets import services
from budgets.models import Cost, Invoice, InvoiceLine, InvoiceSeries, InvoiceTransitionRefused
from projects.models import Project
from sessions import services as session_services
from sessions.models import RateRule
from studio import services as studio_services
from tests.budgets.test_invoices import DISBURSEMENT, PARTIES, draft
from tests.clock import AUTUMN_2026, freeze_at
from tests.factories import MembershipFactory, PersonFactory, RoomFactory, StudioFactory

# Its fixed days (invoice months of 2027, DST included) are all ahead of the clock.
pytestmark = [pytest.mark.django_db, freeze_at(AUTUMN_2026)]

OTHER_ISSUER: dict[str, Any] = {
    **PARTIES,
    "issuer_name": "Tidewater Sound",
    "issuer_vat": "",
    "issuer_iban": "",
}


def issue(client: APIClient, invoice: Invoice) -> dict[str, Any]:
    response = client.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert response.status_code == 200, response.json()
    body: dict[str, Any] = response.json()
    return body


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- 1. series belong to an issuer ------------------------------------------------------------


def test_each_issuer_numbers_its_own_series(
    as_owner: APIClient, owner: Any, project: Project
) -> None:
    year = timezone.localdate().year
    first = issue(as_owner, draft(project))
    other_draft = services.invoice_create(project=project, **OTHER_ISSUER)
    services.invoice_line_save(
        invoice=other_draft,
        description="Mixing",
        quantity=Decimal(1),
        unit_price=Decimal("500.00"),
        tax_rate=Decimal(19),
    )
    other = issue(as_owner, other_draft)
    # Both start at 0001: neither learns how many the other issued.
    assert first["number"] == other["number"] == f"TS-{year}-0001"
    # The same issuer on another production continues its one sequence.
    second_project = Project.objects.create(title="Second Wind", artist="Invented", currency="EUR")
    MembershipFactory.create(project=second_project, user=owner)
    assert issue(as_owner, draft(second_project))["number"] == f"TS-{year}-0002"
    assert InvoiceSeries.objects.filter(prefix="TS", year=year).count() == 2


@pytest.mark.parametrize("series", ["../../x", "a/b", "ts", "TS 1", "ABCDEFGHIJKLM", ""])
def test_bad_series_are_400s(as_owner: APIClient, project: Project, series: str) -> None:
    response = as_owner.post(
        "/api/v1/invoices/", {"project": project.pk, "series": series, **PARTIES}, format="json"
    )
    assert response.status_code == 400
    assert "series" in response.json()
    invoice = draft(project)
    change = as_owner.patch(f"/api/v1/invoices/{invoice.pk}/", {"series": series}, format="json")
    assert change.status_code == 400
    assert "series" in change.json()


def test_a_path_like_series_never_reaches_storage(as_owner: APIClient, project: Project) -> None:
    invoice = draft(project)
    # Written around every validation, as an old row or a raw script could be.
    Invoice.objects.filter(pk=invoice.pk).update(series="../../x")
    response = as_owner.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert response.status_code == 400
    assert "series" in response.json()
    assert stored_files() == []
    assert not InvoiceSeries.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).number == ""


def test_the_pdf_is_named_by_validated_parts(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_create(project=project, series="EU-2", **PARTIES)
    services.invoice_line_save(
        invoice=invoice,
        description="Mastering",
        quantity=Decimal(1),
        unit_price=Decimal("300.00"),
        tax_rate=Decimal(19),
    )
    body = issue(as_owner, invoice)
    year = timezone.localdate().year
    assert body["number"] == f"EU-2-{year}-0001"
    [path] = stored_files()
    assert path.parent == Path(django_settings.MEDIA_ROOT) / "invoices" / str(year)
    assert re.fullmatch(rf"invoice-{invoice.pk}-EU-2-{year}-0001\.pdf", path.name)


# --- 2. from-project reads the studio's local days ---------------------------------------------


def test_a_booking_after_midnight_in_berlin_is_that_days(
    as_owner: APIClient, owner: Any, project: Project
) -> None:
    room = RoomFactory.create(studio=StudioFactory.create(time_zone="Europe/Berlin"))
    # 00:30 on 1 March in Berlin is 23:30 on 28 February in UTC.
    start = datetime.datetime(2027, 3, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=4),
        status="confirmed",
    )

    def month(first: str, last: str) -> Any:
        return as_owner.post(
            "/api/v1/invoices/from-project/",
            {"project": project.pk, "start": first, "end": last, "tax_rate": "19", **PARTIES},
            format="json",
        )

    march = month("2027-03-01", "2027-03-31")
    assert march.status_code == 201, march.json()
    assert [line["description"] for line in march.json()["lines"]] == [
        f"Studio time: {room}, 01 Mar 2027"
    ]
    assert march.json()["service_period_start"] == "2027-03-01"
    assert month("2027-02-01", "2027-02-28").status_code == 400


def test_a_us_evening_session_stays_on_its_day(
    as_owner: APIClient, owner: Any, project: Project
) -> None:
    Project.objects.filter(pk=project.pk).update(currency="USD")
    project.refresh_from_db()
    room = RoomFactory.create(
        studio=StudioFactory.create(time_zone="America/New_York", currency="USD")
    )
    # 20:00 on 31 March in New York (EDT) is 00:00 on 1 April in UTC.
    start = datetime.datetime(2027, 3, 31, 20, tzinfo=ZoneInfo("America/New_York"))
    session = session_services.session_create(
        project=project,
        title="Late horns",
        room=room,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )
    rule = RateRule.objects.create(
        project=project, name="Flat", kind="flat", currency="USD", params={"fee": "250.00"}
    )
    session_services.engagement_save(
        session=session,
        person=PersonFactory.create(name="Ada Brass", projects=[project]),
        rate_rule=rule,
        role="musician",
        hours=Decimal(3),
    )

    def month(first: str, last: str) -> Any:
        return as_owner.post(
            "/api/v1/invoices/from-project/",
            {
                "project": project.pk,
                "start": first,
                "end": last,
                "bookings": False,
                "engagements": True,
                "tax_rate": "0",
                "vat_exemption": "outside_scope",
                **PARTIES,
            },
            format="json",
        )

    march = month("2027-03-01", "2027-03-31")
    assert march.status_code == 201, march.json()
    assert [line["description"] for line in march.json()["lines"]] == [
        "Ada Brass, musician: Late horns (31 Mar 2027)"
    ]
    assert (march.json()["service_period_start"], march.json()["service_period_end"]) == (
        "2027-03-31",
        "2027-03-31",
    )
    assert month("2027-04-01", "2027-04-30").status_code == 400


# --- 3. status only along its transitions -------------------------------------------------------


def test_status_moves_only_forward(project: Project) -> None:
    invoice = services.invoice_issue(invoice=draft(project))
    invoice.status = Invoice.Status.DRAFT
    with pytest.raises(InvoiceTransitionRefused):
        invoice.save()
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"

    paid = services.invoice_pay(invoice=invoice, paid_on=datetime.date(2027, 1, 5))
    paid.status = Invoice.Status.ISSUED
    with pytest.raises(InvoiceTransitionRefused):
        paid.save()

    other = draft(project)
    other.status = Invoice.Status.PAID
    with pytest.raises(InvoiceTransitionRefused):
        other.save()
    born_issued = Invoice(project=project, status=Invoice.Status.ISSUED, number="X-1", **PARTIES)
    with pytest.raises(InvoiceTransitionRefused):
        born_issued.save()
    # A full credit cancels, and nothing leaves cancelled.
    services.invoice_credit(invoice=paid)
    cancelled = Invoice.objects.get(pk=paid.pk)
    assert cancelled.status == "cancelled"
    cancelled.status = Invoice.Status.ISSUED
    with pytest.raises(InvoiceTransitionRefused):
        cancelled.save()


# --- 4. what was a 500 is a 400 ------------------------------------------------------------------


@pytest.mark.parametrize("days", [10**10, 32768, 366, -1])
def test_payment_terms_beyond_the_column(as_owner: APIClient, project: Project, days: int) -> None:
    response = as_owner.post(
        "/api/v1/invoices/",
        {"project": project.pk, "payment_terms_days": days, **PARTIES},
        format="json",
    )
    assert response.status_code == 400
    assert "payment_terms_days" in response.json()
    assert not Invoice.objects.exists()


def test_admin_refuses_a_line_on_an_issued_invoice(admin_client: Client, project: Project) -> None:
    invoice = services.invoice_issue(invoice=draft(project))
    before = InvoiceLine.objects.count()
    response = admin_client.post(
        "/admin/budgets/invoiceline/add/",
        {
            "invoice": invoice.pk,
            "position": "9",
            "description": "Slipped in later",
            "quantity": "1",
            "unit": "",
            "unit_price": "10.00",
            "tax_rate": "19",
            "vat_exemption": "",
            "vat_exemption_reference": "",
        },
    )
    assert response.status_code == 200
    assert "it takes no new lines" in response.content.decode()
    assert InvoiceLine.objects.count() == before


def _invoice_admin_form(invoice: Invoice, **changes: str) -> dict[str, str]:
    fields = {
        "project": str(invoice.project_id),
        "status": invoice.status,
        "series": invoice.series,
        "payment_terms_days": str(invoice.payment_terms_days),
        "paid_on": "",
        "currency": invoice.currency,
        "issuer_name": invoice.issuer_name,
        "issuer_address": invoice.issuer_address,
        "issuer_vat": invoice.issuer_vat,
        "issuer_iban": invoice.issuer_iban,
        "issuer_bic": invoice.issuer_bic,
        "recipient_name": invoice.recipient_name,
        "recipient_address": invoice.recipient_address,
        "recipient_vat": invoice.recipient_vat,
        "recipient_email": invoice.recipient_email,
        "service_period_start": "",
        "service_period_end": "",
        "notes": invoice.notes,
        "reminded_at_0": "",
        "reminded_at_1": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    return {**fields, **changes}


def test_admin_refuses_paying_a_draft(admin_client: Client, project: Project) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    url = f"/admin/budgets/invoice/{invoice.pk}/change/"
    # The form as posted saves when nothing but a detail changes ...
    saved = admin_client.post(url, _invoice_admin_form(invoice, notes="Thanks"))
    assert saved.status_code == 302
    invoice.refresh_from_db()
    assert invoice.notes == "Thanks"
    # ... and refuses the status, with a message beside it.
    response = admin_client.post(url, _invoice_admin_form(invoice, status="paid"))
    assert response.status_code == 200
    assert "only by issuing, paying or crediting" in response.content.decode()
    assert Invoice.objects.get(pk=invoice.pk).status == "draft"
    huge = admin_client.post(url, _invoice_admin_form(invoice, payment_terms_days=str(10**10)))
    assert huge.status_code == 200
    assert Invoice.objects.get(pk=invoice.pk).payment_terms_days == 14


# --- 5. amounts checked where they enter ---------------------------------------------------------

BAD_AMOUNTS = ["1e309", "12345678901234567890", "10.005", "NaN", "Infinity"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_amounts_are_400s_naming_the_field(
    as_owner: APIClient, project: Project, amount: str
) -> None:
    cost = as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Rail",
            "date": "2026-11-02",
            "amount": amount,
            "currency": "EUR",
        },
        format="json",
    )
    assert cost.status_code == 400
    assert "amount" in cost.json()
    budget = as_owner.post("/api/v1/budgets/", {"project": project.pk}, format="json").json()
    line = as_owner.post(
        "/api/v1/budget-lines/",
        {"budget": budget["id"], "category": "travel", "planned": amount},
        format="json",
    )
    assert line.status_code == 400
    assert "planned" in line.json()
    invoice = services.invoice_create(project=project, **PARTIES)
    invoice_line = as_owner.post(
        "/api/v1/invoice-lines/",
        {"invoice": invoice.pk, "description": "X", "quantity": "1", "unit_price": amount},
        format="json",
    )
    assert invoice_line.status_code == 400
    assert "unit_price" in invoice_line.json()
    assert not Cost.objects.exists()
    assert not InvoiceLine.objects.exists()


def test_amounts_keep_the_currencys_minor_unit(as_owner: APIClient, project: Project) -> None:
    yen = as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Shinkansen",
            "date": "2026-11-02",
            "amount": "1000.5",
            "currency": "JPY",
            "exchange_rate": "0.006",
        },
        format="json",
    )
    assert yen.status_code == 400
    assert "JPY" in yen.json()["amount"][0]
    whole = as_owner.post(
        "/api/v1/costs/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Shinkansen",
            "date": "2026-11-02",
            "amount": "1000",
            "currency": "JPY",
            "exchange_rate": "0.006",
        },
        format="json",
    )
    assert whole.status_code == 201, whole.json()
    assert whole.json()["amount_converted"] == "6.00"


def test_admin_refuses_an_amount_finer_than_the_currency(
    admin_client: Client, project: Project
) -> None:
    response = admin_client.post(
        "/admin/budgets/cost/add/",
        {
            "project": project.pk,
            "category": "travel",
            "vendor": "Shinkansen",
            "date": "2026-11-02",
            "description": "",
            "amount": "1000.50",
            "currency": "JPY",
            "exchange_rate": "0.006",
            "amount_converted": "6.00",
            "status": "committed",
        },
    )
    assert response.status_code == 200
    assert "more decimals than JPY amounts have" in response.content.decode()
    assert not Cost.objects.exists()


# --- 7. list endpoints cost the same for 1 row and for 20 --------------------------------------


def _rows(client: APIClient, url: str, expected: int) -> None:
    body = client.get(url).json()
    assert body["count"] == expected, body


def _pinned(
    client: APIClient,
    url: str,
    grow: Callable[[int], None],
    queries: int,
    assert_num_queries: Any,
) -> None:
    """The list at ``url`` with one row and with twenty runs ``queries`` queries both times."""
    grow(1)
    with assert_num_queries(queries):
        _rows(client, url, 1)
    grow(19)
    with assert_num_queries(queries):
        _rows(client, url, 20)


# The count and the page (the projects a user sees money on are a subquery of both); an
# invoice's lines come in one more query for the whole page.
LIST_QUERIES = {
    "budgets": 2,
    "budget-lines": 2,
    "costs": 2,
    "invoices": 3,
    "invoice-lines": 2,
}


def test_list_query_counts(
    as_owner: APIClient, project: Project, django_assert_num_queries: Any
) -> None:
    def budgets(n: int) -> None:
        for _ in range(n):
            services.budget_create(project=project)

    _pinned(
        as_owner,
        f"/api/v1/budgets/?project={project.pk}",
        budgets,
        LIST_QUERIES["budgets"],
        django_assert_num_queries,
    )

    budget = services.budget_create(project=project)
    budget.lines.all().delete()  # the template's twelve

    def budget_lines(n: int) -> None:
        for _ in range(n):
            services.budget_line_save(budget=budget, category="travel", planned=Decimal("10.00"))

    _pinned(
        as_owner,
        f"/api/v1/budget-lines/?budget={budget.pk}",
        budget_lines,
        LIST_QUERIES["budget-lines"],
        django_assert_num_queries,
    )

    def costs(n: int) -> None:
        for _ in range(n):
            services.cost_save(
                project=project,
                amount=Decimal("12.50"),
                currency="EUR",
                category="travel",
                vendor="Rail",
                date=datetime.date(2026, 11, 2),
            )

    _pinned(as_owner, "/api/v1/costs/", costs, LIST_QUERIES["costs"], django_assert_num_queries)

    def invoices(n: int) -> None:
        for _ in range(n):
            draft(project)

    _pinned(
        as_owner, "/api/v1/invoices/", invoices, LIST_QUERIES["invoices"], django_assert_num_queries
    )

    invoice = services.invoice_create(project=project, **PARTIES)

    def invoice_lines(n: int) -> None:
        for _ in range(n):
            services.invoice_line_save(
                invoice=invoice,
                description="Line",
                quantity=Decimal(1),
                unit_price=Decimal("1.00"),
                tax_rate=Decimal(0),
                **DISBURSEMENT,
            )

    _pinned(
        as_owner,
        f"/api/v1/invoice-lines/?invoice={invoice.pk}",
        invoice_lines,
        LIST_QUERIES["invoice-lines"],
        django_assert_num_queries,
    )


@pytest.mark.parametrize("percent", ["500", "-1"])
def test_contingency_beyond_its_range_is_a_400(
    as_owner: APIClient, project: Project, percent: str
) -> None:
    response = as_owner.post(
        "/api/v1/budgets/", {"project": project.pk, "contingency_percent": percent}, format="json"
    )
    assert response.status_code == 400
    assert "contingency_percent" in response.json()


def test_ids_beyond_the_column_are_400s(as_owner: APIClient, project: Project) -> None:
    budget = services.budget_create(project=project)
    report = as_owner.get(f"/api/v1/budgets/{budget.pk}/report/", {"compare": "9" * 30})
    assert report.status_code == 400
    assert "compare" in report.json()
    built = as_owner.post(
        "/api/v1/invoices/from-project/",
        {
            "project": project.pk,
            "start": "2027-01-01",
            "end": "2027-01-31",
            "cost_ids": [10**30],
            **PARTIES,
        },
        format="json",
    )
    assert built.status_code == 400
    assert "cost_ids" in built.json()


def test_a_line_position_beyond_the_column_is_a_400(as_owner: APIClient, project: Project) -> None:
    invoice = services.invoice_create(project=project, **PARTIES)
    response = as_owner.post(
        "/api/v1/invoice-lines/",
        {
            "invoice": invoice.pk,
            "position": 10**10,
            "description": "X",
            "quantity": "1",
            "unit_price": "1.00",
            "tax_rate": "19",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "position" in response.json()
