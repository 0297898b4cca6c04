"""The call-sheet beat task (sessions.tasks.call_sheets_send_due), run as beat runs it, in
process here: tomorrow's sheets go out from 17:00 in the studio's zone, once; a database that
does not answer is retried, and after its tries the task gives up having sent nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import OperationalError, connection

from projects.models import Notice
from sessions.models import Engagement, Session
from sessions.tasks import call_sheets_send_due
from tests.budgets.test_tasks import as_a_worker  # noqa: F401
from tests.sessions.test_call_sheets import NEW_YORK, session  # noqa: F401

pytestmark = pytest.mark.django_db

# The sheet's people: two players and the booking's engineer, each with an address.
PEOPLE = ["bo.lowend@example.com", "eno.desk@example.com", "vera.mallets@example.com"]


def eve(session: Session, hour: int, minute: int = 0) -> time_machine.travel:  # noqa: F811
    """The clock at ``hour``:``minute`` in New York, the day before the session there."""
    day = session.start.astimezone(NEW_YORK).date() - datetime.timedelta(days=1)
    at = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=NEW_YORK)
    return time_machine.travel(at, tick=False)


def test_tomorrows_sheets_go_out_from_the_evening_before_once(
    session: Session,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with eve(session, 16, 45):
            assert call_sheets_send_due.delay().get() == 0
        with eve(session, 17):
            assert call_sheets_send_due.delay().get() == 3
        with eve(session, 17, 15):
            assert call_sheets_send_due.delay().get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == PEOPLE
    start = session.start.astimezone(NEW_YORK)
    assert {m.subject for m in mail.outbox} == {
        f"Call sheet: Vibes and bass, {start:%a} {start.day} {start:%b} 10:00"
    }


def test_two_days_ahead_and_cancelled_sessions_get_nothing(
    session: Session,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        # At 17:00 two days before, the session is not tomorrow's.
        day_before_eve = session.start.astimezone(NEW_YORK) - datetime.timedelta(days=2)
        with time_machine.travel(day_before_eve.replace(hour=17), tick=False):
            assert call_sheets_send_due.delay().get() == 0
        Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
        with eve(session, 17):
            assert call_sheets_send_due.delay().get() == 0
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_a_session_cancelled_before_its_sheets_went_sends_none(
    session: Session,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with eve(session, 17):
            assert call_sheets_send_due.delay().get() == 3
        # Cancelled before the worker got to the mails: each is written when it is sent.
        Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    assert mail.outbox == []
    # Claimed and left: neither the sweep nor the next tick sends them.
    assert sorted(Notice.objects.values_list("to_email", flat=True)) == PEOPLE
    assert not Notice.objects.filter(sent_at__isnull=True).exists()
    with eve(session, 17, 15):
        assert call_sheets_send_due.delay().get() == 0


def test_a_player_taken_off_before_the_sheets_went_gets_none(
    session: Session,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with eve(session, 17):
            assert call_sheets_send_due.delay().get() == 3
        Engagement.objects.filter(session=session, person__name="Bo Lowend").delete()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "eno.desk@example.com",
        "vera.mallets@example.com",
    ]


def test_a_database_that_does_not_answer_is_retried(
    session: Session,  # noqa: F811
    as_a_worker: None,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    refused: list[str] = []

    def locked_once(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not refused:
            refused.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with django_capture_on_commit_callbacks(execute=True):
        with eve(session, 17), connection.execute_wrapper(locked_once):
            result = call_sheets_send_due.apply()
    assert len(refused) == 1
    assert (result.state, result.get()) == ("SUCCESS", 3)
    assert sorted(m.to[0] for m in mail.outbox) == PEOPLE


def test_after_its_tries_the_task_gives_up_having_sent_nothing(
    session: Session,  # noqa: F811
    as_a_worker: None,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    attempts: list[str] = []

    def down(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        attempts.append(sql)
        raise OperationalError("could not connect to server")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with eve(session, 17), connection.execute_wrapper(down):
            result = call_sheets_send_due.apply()
    # The first run and its three retries, each stopped at its first query.
    assert len(attempts) == 4
    assert result.state == "FAILURE"
    with pytest.raises(OperationalError, match="could not connect to server"):
        result.get()
    assert callbacks == []
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_the_task_is_bounded_and_runs_every_quarter_hour() -> None:
    task: Any = call_sheets_send_due
    assert task.name == "sessions.tasks.call_sheets_send_due"
    assert task.autoretry_for == (OperationalError,)
    assert (task.retry_backoff, task.max_retries) == (True, 3)
    assert (task.soft_time_limit, task.time_limit) == (120, 150)
    assert django_settings.CELERY_BEAT_SCHEDULE["send-call-sheets"] == {
        "task": task.name,
        "schedule": 900.0,
    }
