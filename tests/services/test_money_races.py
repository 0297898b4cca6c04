"""Money under concurrency on PostgreSQL, where row locks are real (SQLite serializes every
write, so a race test there passes with the lock removed): invoice numbers per issuer,
engagement edits against payment approvals, and the triggers that keep issued invoices."""

import datetime
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import Invoice, InvoiceSeries, issuer_key
from core.errors import Conflict
from projects.models import Project
from sessions import services as session_services
from sessions.models import Engagement, Payment, RateRule
from tests.budgets.test_invoices import PARTIES, draft
from tests.clock import UTC, upcoming
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    UserFactory,
)
from tests.services.threads import in_thread as threads_in_thread
from tests.studio.test_booking_races import run_at_once

pytestmark = pytest.mark.services

OTHER_ISSUER: dict[str, Any] = {
    **PARTIES,
    "issuer_name": "Tidewater Sound",
    "issuer_vat": "",
    "issuer_iban": "",
}


@pytest.fixture(autouse=True)
def _on_postgresql() -> None:
    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"


def blocked_backends() -> int:
    """Other connections of this database waiting for a lock held elsewhere."""
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless told: the test holds one open.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def wait_for_a_blocked_backend(worker: threading.Thread) -> None:
    """Until another connection waits on a lock; fails if the worker ends without waiting.
    Waits on a condition, not a clock: the bound is only against a hung test."""
    finished = threading.Event()
    for _ in range(600):
        if blocked_backends():
            return
        if not worker.is_alive():
            break
        finished.wait(0.05)
    pytest.fail(f"the worker never waited on the lock held here (alive: {worker.is_alive()})")


@pytest.fixture
def in_thread() -> Iterator[Callable[[Callable[[], Any]], tuple[threading.Thread, list[Any]]]]:
    """``tests.services.threads.in_thread``, each thread joined when the test ends."""
    threads: list[threading.Thread] = []

    def start(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
        thread, result = threads_in_thread(work)
        threads.append(thread)
        return thread, result

    yield start
    for thread in threads:
        thread.join(timeout=60)


# --- invoice numbers ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_number_each_issuer_without_gaps() -> None:
    project = ProjectFactory.create()
    MembershipFactory.create(project=project, user=UserFactory.create())
    ours = [draft(project, [("Line", "1", "10.00", "19")]) for _ in range(10)]
    theirs = []
    for _ in range(6):
        invoice = budget_services.invoice_create(project=project, **OTHER_ISSUER)
        budget_services.invoice_line_save(
            invoice=invoice,
            description="Line",
            quantity=Decimal(1),
            unit_price=Decimal("10.00"),
            tax_rate=Decimal(19),
        )
        theirs.append(invoice)
    everyone = ours + theirs

    results = run_at_once(lambda i: budget_services.invoice_issue(invoice=everyone[i]), 16)
    assert all(isinstance(result, Invoice) for result in results), results
    year = timezone.localdate().year
    assert sorted(r.number for r in results[:10]) == [f"TS-{year}-{n:04d}" for n in range(1, 11)]
    assert sorted(r.number for r in results[10:]) == [f"TS-{year}-{n:04d}" for n in range(1, 7)]


@pytest.mark.django_db(transaction=True)
def test_issuing_waits_for_the_series_row_lock(in_thread: Any) -> None:
    project = ProjectFactory.create()
    invoice = draft(project)
    year = timezone.localdate().year
    key = issuer_key(name=PARTIES["issuer_name"], vat=PARTIES["issuer_vat"])
    InvoiceSeries.objects.create(issuer_key=key, prefix="TS", year=year, last_number=4)
    with transaction.atomic():
        # Another issue of the same issuer, series and year holding its number.
        InvoiceSeries.objects.select_for_update().get(issuer_key=key, prefix="TS", year=year)
        worker, result = in_thread(lambda: budget_services.invoice_issue(invoice=invoice).number)
        wait_for_a_blocked_backend(worker)
        assert worker.is_alive()
        InvoiceSeries.objects.filter(issuer_key=key, prefix="TS", year=year).update(last_number=5)
    worker.join(timeout=60)
    # It read the number only after the holder committed: 0006, not a second 0005.
    assert result == [f"TS-{year}-0006"]


# --- engagements and payments ---------------------------------------------------------------


def _engagement(project: Project) -> Engagement:
    room = RoomFactory.create()
    start = upcoming(days=14, hour=9, zone=UTC)
    session = session_services.session_create(
        project=project,
        title="Strings",
        room=room,
        start=start,
        end=start + datetime.timedelta(hours=6),
    )
    rule, _ = RateRule.objects.get_or_create(
        project=project,
        name="Hourly",
        kind="hourly",
        currency="EUR",
        params={"rate": "60.00", "minimum_hours": "3"},
    )
    return session_services.engagement_save(
        session=session,
        person=PersonFactory.create(projects=[project]),
        rate_rule=rule,
        role="musician",
        hours=Decimal(3),
    )


@pytest.mark.django_db(transaction=True)
def test_approval_waits_for_the_engagement_lock(in_thread: Any) -> None:
    approver = UserFactory.create()
    engagement = _engagement(ProjectFactory.create())
    payment = Payment.objects.get(engagement=engagement)
    with transaction.atomic():
        # An edit of the engagement in progress.
        Engagement.objects.select_for_update().get(pk=engagement.pk)
        worker, result = in_thread(
            lambda: session_services.payment_approve(payment=payment, by=approver).status
        )
        wait_for_a_blocked_backend(worker)
        assert Payment.objects.get(pk=payment.pk).status == "pending"
    worker.join(timeout=60)
    assert result == ["approved"]


@pytest.mark.django_db(transaction=True)
def test_edits_and_approvals_race_without_changing_an_approved_amount() -> None:
    project = ProjectFactory.create()
    approver = UserFactory.create()
    for _ in range(20):
        engagement = _engagement(project)
        payment = Payment.objects.get(engagement=engagement)

        def work(i: int, engagement: Engagement = engagement, payment: Payment = payment) -> Any:
            if i == 0:
                return session_services.engagement_save(
                    engagement=engagement,
                    session=engagement.session,
                    person=engagement.person,
                    rate_rule=engagement.rate_rule,
                    role=engagement.role,
                    hours=Decimal("4.5"),
                )
            return session_services.payment_approve(payment=payment, by=approver)

        edit, approval = run_at_once(work, 2)
        assert not isinstance(approval, Exception), approval
        assert isinstance(edit, Engagement | Conflict), edit
        payment.refresh_from_db()
        engagement.refresh_from_db()
        assert payment.status == "approved"
        # Whoever won, the amount stays what was approved (an edit that read the payment
        # unlocked wrote its new price over it), and it is the engagement's wages.
        assert payment.amount == approval.amount
        assert payment.amount == engagement.wages
        assert payment.amount == (
            Decimal("270.00") if isinstance(edit, Engagement) else Decimal("180.00")
        )


# --- the triggers -----------------------------------------------------------------------------


def refused(sql: str, params: list[Any]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
def test_the_database_keeps_an_issued_invoice(project: Project) -> None:
    invoice = budget_services.invoice_issue(invoice=draft(project))
    line = invoice.lines.first()
    assert line is not None
    pk = invoice.pk
    assert refused("UPDATE budgets_invoice SET recipient_name = 'Someone' WHERE id = %s", [pk])
    assert refused("UPDATE budgets_invoice SET number = 'TS-1999-0001' WHERE id = %s", [pk])
    assert refused("UPDATE budgets_invoice SET status = 'draft' WHERE id = %s", [pk])
    assert refused("DELETE FROM budgets_invoice WHERE id = %s", [pk])
    assert refused("UPDATE budgets_invoiceline SET unit_price = 0 WHERE id = %s", [line.pk])
    assert refused("DELETE FROM budgets_invoiceline WHERE id = %s", [line.pk])
    assert refused(
        "INSERT INTO budgets_invoiceline (invoice_id, position, description, quantity, unit, "
        "unit_price, tax_rate, vat_exemption, vat_exemption_reference) "
        "VALUES (%s, 9, 'Extra', 1, '', 1, 19, '', '')",
        [pk],
    )
    stored = Invoice.objects.get(pk=pk)
    assert (stored.recipient_name, stored.status) == (PARTIES["recipient_name"], "issued")
    assert stored.lines.count() == 3
    # Its way forward stays open: reminded, paid.
    assert not refused("UPDATE budgets_invoice SET reminded_at = now() WHERE id = %s", [pk])
    assert not refused(
        "UPDATE budgets_invoice SET status = 'paid', paid_on = '2027-01-05' WHERE id = %s", [pk]
    )
    assert refused("UPDATE budgets_invoice SET status = 'issued' WHERE id = %s", [pk])
    # A draft is still a draft: free to change.
    other = draft(project)
    assert not refused("UPDATE budgets_invoice SET notes = 'x' WHERE id = %s", [other.pk])
    assert not refused("DELETE FROM budgets_invoiceline WHERE invoice_id = %s", [other.pk])
