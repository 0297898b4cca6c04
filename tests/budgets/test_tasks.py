"""The daily payment reminder (budgets.tasks.invoices_remind_overdue), run as beat runs it, in
process here: each overdue invoice is reminded once, a mail server that refuses is retried and
what went out before it refused is not sent again, and after its tries the task gives up with
nothing marked that was not sent."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection
from django.utils import timezone

from budgets import services
from budgets.models import Invoice
from budgets.tasks import invoices_remind_overdue
from config.celery import app as celery_app
from projects.models import Project, Role
from tests.budgets.test_invoices import draft
from tests.clock import today
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def issued(project: Project, **details: Any) -> Invoice:
    invoice = draft(project)
    if details:
        services.invoice_update(invoice=invoice, **details)
    return services.invoice_issue(invoice=invoice)


def past_due() -> time_machine.travel:
    """The clock a day after a 14-day term from today ran out."""
    return time_machine.travel(timezone.now() + datetime.timedelta(days=15), tick=False)


def reminded() -> dict[int, bool]:
    return {pk: at is not None for pk, at in Invoice.objects.values_list("pk", "reminded_at")}


def subject(invoice: Invoice) -> str:
    assert invoice.due_date is not None
    return f"Reminder: invoice {invoice.number} was due on {invoice.due_date:%d %B %Y}"


class RefusingServer(EmailBackend):
    """A mail server that refuses a message with ``error`` when ``refuse(turn)`` says so (turn
    1 is the first message it is given, counted across connections)."""

    given = 0
    refuse: Callable[[int], bool] = staticmethod(lambda turn: False)
    error: type[Exception] = smtplib.SMTPServerDisconnected

    def send_messages(self, messages: Any) -> int:
        RefusingServer.given += 1
        if RefusingServer.refuse(RefusingServer.given):
            raise RefusingServer.error("the mail server went away")
        return super().send_messages(messages)


@pytest.fixture
def refusing_server(settings: Any) -> type[RefusingServer]:
    settings.EMAIL_BACKEND = "tests.budgets.test_tasks.RefusingServer"
    RefusingServer.given = 0
    RefusingServer.refuse = staticmethod(lambda turn: False)
    RefusingServer.error = smtplib.SMTPServerDisconnected
    return RefusingServer


@pytest.fixture
def as_a_worker() -> Iterator[None]:
    """In-process tasks run as a worker runs them: a failure is the task's result, not the
    caller's exception, so Celery's retries run here too, one after the other (without the
    backoff's waits). The test settings propagate, which reports the first retry only."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def test_the_daily_run_reminds_each_overdue_invoice_once(owner: Any, project: Project) -> None:
    to_client = issued(project, recipient_email="accounts@example.com")
    to_producers = issued(project)  # no address of the client's: the producers get it
    not_yet_due = issued(project, recipient_email="accounts@example.com", payment_terms_days=30)
    paid = services.invoice_pay(
        invoice=issued(project, recipient_email="accounts@example.com"), paid_on=today()
    )
    still_draft = draft(project)
    quiet = ProjectFactory.create(title="Quiet Record")
    MembershipFactory.create(
        project=quiet, user=UserFactory.create(username="quiet", email=""), role=Role.PRODUCER
    )
    nobody_to_tell = issued(quiet)
    with past_due():
        assert invoices_remind_overdue.delay().get() == 3
        # The run of the next day finds nothing left to remind.
        assert invoices_remind_overdue.delay().get() == 0
    assert sorted((m.to, m.subject) for m in mail.outbox) == sorted(
        [
            (["accounts@example.com"], subject(to_client)),
            (["owner@example.com"], subject(to_producers)),
        ]
    )
    # Marked reminded and counted, though nobody could be told: it is not read again each day.
    assert reminded() == {
        to_client.pk: True,
        to_producers.pk: True,
        nobody_to_tell.pk: True,
        not_yet_due.pk: False,
        paid.pk: False,
        still_draft.pk: False,
    }


def test_a_refused_mail_is_retried_and_what_went_out_is_not_sent_again(
    project: Project, refusing_server: type[RefusingServer], as_a_worker: None
) -> None:
    first = issued(project, recipient_email="first@example.com")
    second = issued(project, recipient_email="second@example.com")
    refusing_server.refuse = staticmethod(lambda turn: turn == 2)
    with past_due():
        result = invoices_remind_overdue.apply()
    # Turn 1 went out, turn 2 was refused, and the retry sent only that one (turn 3).
    assert result.get() == 1
    assert refusing_server.given == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.com", "second@example.com"]
    assert reminded() == {first.pk: True, second.pk: True}


def test_after_its_tries_the_task_gives_up_and_marks_nothing(
    project: Project, refusing_server: type[RefusingServer], as_a_worker: None
) -> None:
    invoice = issued(project, recipient_email="accounts@example.com")
    refusing_server.refuse = staticmethod(lambda turn: True)
    refusing_server.error = ConnectionRefusedError
    with past_due():
        result = invoices_remind_overdue.apply()
    assert result.state == "FAILURE"
    with pytest.raises(ConnectionRefusedError, match="the mail server went away"):
        result.get()
    # The first run and its five retries, each refused at the one invoice.
    assert refusing_server.given == 6
    assert mail.outbox == []
    assert reminded() == {invoice.pk: False}


def test_an_invoice_paid_while_the_run_is_under_way_is_not_reminded(project: Project) -> None:
    """The run lists the overdue invoices, then claims each under its lock: one paid between
    the two (the client paid, the producer marked it) is skipped."""
    paid_meanwhile = issued(project, recipient_email="paid@example.com")
    other = issued(project, recipient_email="other@example.com")
    payments: list[int] = []

    def producer_marks_it_paid(
        execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        # The claim reads one invoice still unreminded; the list (due_date < today) comes first.
        claim = '"reminded_at" IS NULL' in sql and '"due_date" <' not in sql
        if claim and not payments and paid_meanwhile.pk in params:
            payments.append(paid_meanwhile.pk)
            Invoice.objects.filter(pk=paid_meanwhile.pk).update(status="paid", paid_on=today())
        return execute(sql, params, many, context)

    with past_due(), connection.execute_wrapper(producer_marks_it_paid):
        assert invoices_remind_overdue.delay().get() == 1
    assert payments == [paid_meanwhile.pk]
    assert [m.to for m in mail.outbox] == [["other@example.com"]]
    assert reminded() == {paid_meanwhile.pk: False, other.pk: True}


def test_a_database_that_does_not_answer_is_retried(project: Project, as_a_worker: None) -> None:
    invoice = issued(project, recipient_email="accounts@example.com")
    failures: list[str] = []

    def locked_once(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not failures:
            failures.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with past_due(), connection.execute_wrapper(locked_once):
        assert invoices_remind_overdue.apply().get() == 1
    assert reminded() == {invoice.pk: True}


def test_the_task_is_bounded_and_scheduled_daily() -> None:
    task: Any = invoices_remind_overdue
    assert task.autoretry_for == (smtplib.SMTPException, ConnectionError, OperationalError)
    assert (task.retry_backoff, task.max_retries) == (True, 5)
    assert (task.soft_time_limit, task.time_limit) == (300, 360)
    assert django_settings.CELERY_BEAT_SCHEDULE["remind-overdue-invoices"] == {
        "task": task.name,
        "schedule": 86400.0,
    }
    assert task.name == "budgets.tasks.invoices_remind_overdue"
