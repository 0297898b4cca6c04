"""Telling people by mail: one ``Notice`` row per event and recipient, each sent exactly once.

A service that has something to tell calls ``notice_tell`` inside its transaction: a row per
recipient who has an address and wants that kind, keyed by the event and the person. The key's
unique constraint is the exactly-once guard at the source (the same event told twice makes no
second row); the send task claims its row with a conditional UPDATE, so two runs of one task
(a retry, acks_late's re-delivery, the sweep) send it once.

A Notice keeps no body: the letter is written when it is sent, by the writer registered for the
key's topic (``booking:...``, ``call-sheet:...``), from what the database holds then. The sweep
can therefore send a row again whose task never reached a worker, and a late letter never
shows a time that has since changed; a writer answers None when its event no longer holds (an
invitation to a booking cancelled meanwhile), and the row is closed unsent.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.queue import SWEEP_AFTER_MINUTES, send_on_commit
from projects.models import Notice, NoticeKind, NoticePreference, Person, PersonCard, Project

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# A notice still unsent after this many tries (the task's own retries and the sweep's) is left
# for a person to look at in the admin: the address or the mail server is wrong, not the moment.
MAX_ATTEMPTS = 8
# Older than this, news is stale: the sweep stops sending it (a call sheet after the session).
SWEEP_WITHIN = datetime.timedelta(days=2)


@dataclass(frozen=True)
class Letter:
    """What one recipient gets. ``calendar`` is an iTIP message (RFC 5546) whose METHOD is
    ``method`` (REQUEST or CANCEL); ``attachments`` are (filename, content, mimetype)."""

    subject: str
    body: str
    calendar: bytes | None = None
    method: str | None = None
    attachments: tuple[tuple[str, bytes, str], ...] = field(default=())


class Writer(Protocol):
    """Writes the letter of ``event`` (the notice's key without its recipient) for
    ``notice`` (its person and the subject it was told with), or None if the event no
    longer holds."""

    def __call__(self, *, event: str, notice: Notice) -> Letter | None: ...


# Writers by topic (the key's first part). The apps register theirs from their
# AppConfig.ready(): projects never imports the apps above it.
_writers: dict[str, Writer] = {}


def notice_writer_register(topic: str, writer: Writer) -> None:
    """Have ``writer(event=..., notice=...)`` write the letters of events keyed ``topic:...``."""
    if ":" in topic:
        raise ValueError("A topic is the key's first part: no colon.")
    _writers[topic] = writer


@dataclass(frozen=True)
class _Recipient:
    tag: str
    email: str
    person: Person | None


def addresses(*, project: Project | None, people: Iterable[Person]) -> dict[int, str]:
    """Each person's address for mail about ``project``: their card on it first (what that
    production knows), their login's address after; people with neither are left out."""
    people = list(people)
    cards: dict[int, str] = {}
    if project is not None and people:
        cards = dict(
            PersonCard.objects.filter(project=project, person__in=[p.pk for p in people])
            .exclude(email="")
            .values_list("person_id", "email")
        )
    found: dict[int, str] = {}
    for person in people:
        email = cards.get(person.pk) or (person.user.email if person.user else "")
        if email:
            found[person.pk] = email
    return found


def _recipients(
    *, kind: str, project: Project | None, people: Iterable[Person], users: Iterable[User]
) -> list[_Recipient]:
    """Who gets this kind, at which address (``addresses``). A user without a person is
    reached at their login's address, and has no preferences to turn it off."""
    users = list(users)
    person_ids = {person.pk for person in people}
    person_ids |= set(
        Person.objects.filter(user__in=[user.pk for user in users]).values_list("pk", flat=True)
    )
    persons = list(Person.objects.select_related("user").filter(pk__in=person_ids).order_by("pk"))
    off = set(
        NoticePreference.objects.filter(
            person__in=person_ids, kind=kind, enabled=False
        ).values_list("person_id", flat=True)
    )
    emails = addresses(project=project, people=persons)
    found = [
        _Recipient(tag=str(person.pk), email=emails[person.pk], person=person)
        for person in persons
        if person.pk in emails and person.pk not in off
    ]
    with_person = {person.user_id for person in persons}
    found += [
        _Recipient(tag=f"u{user.pk}", email=user.email, person=None)
        for user in users
        if user.pk not in with_person and user.email
    ]
    return found


def notice_tell(
    *,
    kind: NoticeKind | str,
    key: str,
    subject: str,
    project: Project | None = None,
    people: Iterable[Person] = (),
    users: Iterable[User] = (),
) -> list[Notice]:
    """Tell ``people`` (and ``users`` without a person) of the event ``key`` (``topic:...``,
    its topic naming the registered writer): a Notice per recipient, keyed ``key:person``, sent
    by a task once the caller's transaction commits. Returns the notices made now; an event
    told before makes none."""
    return notice_tell_many(
        kind=kind, events=[(key, subject)], project=project, people=people, users=users
    )


def notice_tell_many(
    *,
    kind: NoticeKind | str,
    events: Iterable[tuple[str, str]],
    project: Project | None = None,
    people: Iterable[Person] = (),
    users: Iterable[User] = (),
) -> list[Notice]:
    """``notice_tell`` for several events (``(key, subject)``) told to the same people, in a
    few queries whatever their number (a confirmed series of a year of weeks)."""
    events = list(events)
    for key, _ in events:
        topic = key.split(":", 1)[0]
        if topic not in _writers:
            raise LookupError(f"No writer for notices about {topic!r}.")
    people, users = list(people), list(users)
    if not events or not (people or users):
        return []
    recipients = _recipients(kind=kind, project=project, people=people, users=users)
    wanted = {
        f"{key}:{recipient.tag}": Notice(
            key=f"{key}:{recipient.tag}",
            kind=kind,
            person=recipient.person,
            to_email=recipient.email,
            subject=subject[:300],
        )
        for key, subject in events
        for recipient in recipients
    }
    if not wanted:
        return []
    told = set(Notice.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    fresh = [notice for key, notice in wanted.items() if key not in told]
    if not fresh:
        return []
    # A concurrent teller of the same event (possible on PostgreSQL) inserts first: its row
    # stands, and this one's send finds it claimed or sends it once (notice_send).
    Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    made = list(Notice.objects.filter(key__in=[n.key for n in fresh]).order_by("pk"))
    from projects.tasks import notice_send

    for notice in made:
        notice_id = notice.pk
        send_on_commit(
            lambda notice_id=notice_id: notice_send.delay(notice_id),  # type: ignore[misc]
            what=f"notice {notice_id}",
        )
    return made


def _message(notice: Notice, letter: Letter) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=letter.subject,
        body=letter.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.to_email],
        # Vacation responders leave automatic mail alone (RFC 3834).
        headers={"Auto-Submitted": "auto-generated"},
    )
    if letter.calendar is not None:
        # Google and Outlook show the invitation from the text/calendar alternative; Apple Mail
        # and Thunderbird also offer the attached file. Django adds the charset parameter.
        mimetype = f"text/calendar; method={letter.method or 'PUBLISH'}"
        text = letter.calendar.decode()
        message.attach_alternative(text, mimetype)
        message.attach("invite.ics", text, mimetype)
    for filename, content, mimetype in letter.attachments:
        message.attach(filename, content, mimetype)
    return message


def notice_send(*, notice_id: int) -> bool:
    """Send one notice if nobody has; True if it went out this time.

    The UPDATE that sets ``sent_at`` only where it is empty is the claim: a second run of the
    task waits on the first one's row lock (PostgreSQL) or write lock (SQLite, IMMEDIATE) and
    then finds nothing to claim. The mail goes out inside that transaction, so a failed send
    rolls the claim back and a retry finds the row unsent again; the try is counted outside it.
    """
    try:
        with transaction.atomic():
            claimed = Notice.objects.filter(pk=notice_id, sent_at__isnull=True).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            if not claimed:
                return False
            notice = Notice.objects.select_related("person").get(pk=notice_id)
            topic, rest = notice.key.split(":", 1)
            event = f"{topic}:{rest.rsplit(':', 1)[0]}"
            letter = _writers[topic](event=event, notice=notice)
            if letter is None:
                logger.info("Notice %s not sent: its event no longer holds.", notice_id)
                return False
            _message(notice, letter).send()
    except Exception:
        # Counted whatever went wrong (a refused send, a letter that cannot be written), so
        # the sweep gives up on it after MAX_ATTEMPTS instead of trying it for days.
        Notice.objects.filter(pk=notice_id).update(attempts=F("attempts") + 1)
        raise
    return True


def notice_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queue again the notices that were not sent: their task never reached a worker (the
    broker was down) or gave up. Rows older than SWEEP_AFTER_MINUTES and younger than
    SWEEP_WITHIN, under MAX_ATTEMPTS tries. Returns how many were queued."""
    from projects.tasks import notice_send

    now = now or timezone.now()
    waiting = list(
        Notice.objects.filter(
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created_at__lt=now - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES),
            created_at__gte=now - SWEEP_WITHIN,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    for notice_id in waiting:
        notice_send.delay(notice_id)
    return len(waiting)


def notice_kinds_enabled(*, person: Person) -> set[str]:
    """The kinds ``person`` gets (every kind without a row saying off)."""
    off = set(
        NoticePreference.objects.filter(person=person, enabled=False).values_list("kind", flat=True)
    )
    return {kind for kind in NoticeKind.values if kind not in off}


@transaction.atomic
def notice_preferences_set(*, person: Person, enabled: Iterable[str]) -> set[str]:
    """Save which kinds ``person`` gets: a row per kind, on or off. Returns the kinds on."""
    wanted = set(enabled)
    unknown = wanted - set(NoticeKind.values)
    if unknown:
        raise ValidationError({"kinds": f"Unknown kinds of notice: {', '.join(sorted(unknown))}."})
    for kind in NoticeKind.values:
        NoticePreference.objects.update_or_create(
            person=person, kind=kind, defaults={"enabled": kind in wanted}
        )
    return wanted
