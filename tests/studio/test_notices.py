"""The mail helper: one row per event and person, sent exactly once however often the task
runs, sent again by the sweep when it never went, and never to someone who turned it off."""

from __future__ import annotations

import datetime
import smtplib
import threading
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from projects import notices
from projects.models import Notice, NoticeKind, NoticePreference, Person, Project
from projects.notices import Letter, notice_tell, notice_writer_register
from projects.tasks import notice_send
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _test_letter(*, event: str, notice: Notice) -> Letter | None:
    if event.endswith(":gone"):
        return None
    return Letter(subject=notice.subject, body=f"About {event}.")


notice_writer_register("test", _test_letter)


class FailingOnce(EmailBackend):
    """A mail server that refuses the first message it is given."""

    failed = False

    def send_messages(self, messages: Any) -> int:
        if not FailingOnce.failed:
            FailingOnce.failed = True
            raise smtplib.SMTPServerDisconnected("the server went away")
        return super().send_messages(messages)


class Held(EmailBackend):
    """A mail server that answers only once both runs of the task have called `notice_send`:
    the claiming run sends while the other is in flight, so two sends of one notice overlap."""

    calls = threading.Semaphore(0)

    def send_messages(self, messages: Any) -> int:
        # The claiming run's own call and the other's: wait for both, never on a timer.
        for _ in range(2):
            assert Held.calls.acquire(timeout=10), "the other run never started"
        return super().send_messages(messages)


def tell(project: Project | None, people: list[Person], key: str = "test:1", **kw: Any) -> Any:
    return notice_tell(
        kind=NoticeKind.CALL_SHEET, key=key, subject="Hello", project=project, people=people, **kw
    )


def test_one_row_and_one_mail_per_person_and_event(
    project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    one = PersonFactory.create(name="Ada Reed", projects=[project])
    two = PersonFactory.create(name="Cal Brass", projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        made = tell(project, [one, two])
    with django_capture_on_commit_callbacks(execute=True):
        again = tell(project, [one, two])
    assert len(made) == 2
    assert again == []
    assert sorted(m.to[0] for m in mail.outbox) == ["ada.reed@example.com", "cal.brass@example.com"]
    assert {n.key for n in Notice.objects.all()} == {f"test:1:{one.pk}", f"test:1:{two.pk}"}
    assert all(n.sent_at is not None and n.attempts == 1 for n in Notice.objects.all())
    assert mail.outbox[0].body == "About test:1."
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_task_run_twice_sends_once(
    project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    person = PersonFactory.create(name="Ada Reed", projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = tell(project, [person])
    assert notice_send.apply(args=(notice.pk,)).get() is False
    assert notice_send(notice.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_once(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.studio.test_notices.Held"
    Held.calls = threading.Semaphore(0)
    together = threading.Barrier(2)
    notice = Notice.objects.create(
        key="test:race:1", kind=NoticeKind.CALL_SHEET, to_email="a@example.com", subject="Hi"
    )
    results: list[bool] = []

    def run() -> None:
        try:
            together.wait(timeout=10)
            Held.calls.release()
            results.append(notices.notice_send(notice_id=notice.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert Notice.objects.get(pk=notice.pk).attempts == 1


def test_a_refused_send_is_kept_unsent_and_sent_on_retry(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.studio.test_notices.FailingOnce"
    FailingOnce.failed = False
    notice = Notice.objects.create(
        key="test:fail:1", kind=NoticeKind.CALL_SHEET, to_email="a@example.com", subject="Hi"
    )
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.notice_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert (notice.sent_at, notice.attempts, len(mail.outbox)) == (None, 1, 0)
    assert notices.notice_send(notice_id=notice.pk) is True
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.attempts == 2
    assert len(mail.outbox) == 1


def test_the_task_retries_refused_sends_with_backoff() -> None:
    """Celery retries it (in-process mode only reports the retry): SMTP and connection
    errors, growing waits, a bounded number of tries; the sweep takes over after that."""
    task: Any = notice_send
    assert smtplib.SMTPException in task.autoretry_for
    assert ConnectionError in task.autoretry_for
    assert task.retry_backoff is True
    assert task.max_retries is not None and task.max_retries < notices.MAX_ATTEMPTS


def test_the_sweep_sends_what_never_reached_a_worker() -> None:
    now = timezone.now()
    waiting = Notice.objects.create(
        key="test:lost:1", kind=NoticeKind.CALL_SHEET, to_email="a@example.com", subject="Hi"
    )
    fresh = Notice.objects.create(
        key="test:fresh:1", kind=NoticeKind.CALL_SHEET, to_email="b@example.com", subject="Hi"
    )
    tired = Notice.objects.create(
        key="test:tired:1",
        kind=NoticeKind.CALL_SHEET,
        to_email="c@example.com",
        subject="Hi",
        attempts=notices.MAX_ATTEMPTS,
    )
    Notice.objects.filter(pk__in=[waiting.pk, tired.pk]).update(
        created_at=now - datetime.timedelta(minutes=30)
    )
    assert notices.notice_sweep(now=now) == 1
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    assert notices.notice_sweep(now=now) == 0
    fresh.refresh_from_db()
    assert fresh.sent_at is None


def test_a_letter_whose_event_is_gone_is_closed_unsent() -> None:
    notice = Notice.objects.create(
        key="test:gone:7", kind=NoticeKind.CALL_SHEET, to_email="a@example.com", subject="Hi"
    )
    assert notices.notice_send(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert mail.outbox == []
    assert notices.notice_sweep(now=timezone.now() + datetime.timedelta(hours=1)) == 0


def test_preferences_and_addresses(
    project: Project, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A card's address first, the login's after, nobody without one; a kind turned off is not
    sent; a user without a person is reached at their login's address."""
    carded = PersonFactory.create(name="Ada Reed", projects=[project], email="ada@band.example")
    login = UserFactory.create(username="cal", email="cal@login.example")
    uncarded = PersonFactory.create(name="Cal Brass", user=login)
    nobody = PersonFactory.create(name="No Mail")
    quiet = PersonFactory.create(name="Quiet One", projects=[project])
    NoticePreference.objects.create(person=quiet, kind=NoticeKind.CALL_SHEET, enabled=False)
    NoticePreference.objects.create(person=carded, kind=NoticeKind.HOLD_LAPSING, enabled=False)
    bare = UserFactory.create(username="bare", email="bare@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        made = tell(project, [carded, uncarded, nobody, quiet], users=[bare])
    assert sorted(n.to_email for n in made) == [
        "ada@band.example",
        "bare@example.com",
        "cal@login.example",
    ]
    assert Notice.objects.get(to_email="bare@example.com").key == f"test:1:u{bare.pk}"
    assert len(mail.outbox) == 3


def test_an_unknown_topic_is_refused(project: Project) -> None:
    with pytest.raises(LookupError):
        tell(project, [], key="nothing:1")


def test_preferences_are_saved_per_kind(project: Project) -> None:
    person = PersonFactory.create(name="Ada Reed")
    assert notices.notice_kinds_enabled(person=person) == set(NoticeKind.values)
    notices.notice_preferences_set(person=person, enabled=[NoticeKind.CALL_SHEET])
    assert notices.notice_kinds_enabled(person=person) == {NoticeKind.CALL_SHEET}
    assert NoticePreference.objects.filter(person=person).count() == len(NoticeKind.values)
    with pytest.raises(Exception, match="Unknown kinds"):
        notices.notice_preferences_set(person=person, enabled=["spam"])
    assert notices.notice_kinds_enabled(person=person) == {NoticeKind.CALL_SHEET}


def test_the_account_page_saves_per_kind_and_refuses_unknown_kinds(client: Any) -> None:
    user = UserFactory.create(username="ada", email="ada@example.com")
    person = PersonFactory.create(name="Ada Reed", user=user)
    assert client.get("/account/").status_code == 302  # signed out: to the login
    client.force_login(user)
    page = client.get("/account/")
    assert page.status_code == 200
    assert page.content.count(b'type="checkbox"') == len(NoticeKind.values)
    refused = client.post("/account/", {"kinds": ["call_sheet", "spam"]})
    assert refused.status_code == 400
    assert b"Select a valid choice" in refused.content
    assert not NoticePreference.objects.exists()
    saved = client.post("/account/", {"kinds": ["call_sheet", "meeting_invitation"]})
    assert saved.status_code == 302
    assert notices.notice_kinds_enabled(person=person) == {"call_sheet", "meeting_invitation"}
    assert client.post("/account/", {}).status_code == 302  # none ticked: all off
    assert notices.notice_kinds_enabled(person=person) == set()


def test_the_account_page_without_a_person_says_why(client: Any) -> None:
    client.force_login(UserFactory.create(username="newcomer"))
    page = client.get("/account/")
    assert b"Mail preferences need a contact card" in page.content
    assert client.post("/account/", {"kinds": ["call_sheet"]}).status_code == 400
    assert not NoticePreference.objects.exists()
