"""Call sheets: who plays, when (the studio's wall clock), where (studio, room, address), what
to bring and whom to call, mailed to a session's people on request or the evening before.

Sent through the projects' notices (projects.notices): each recipient once per request
and once for the evening before a given start, however often the beat task runs; the letter
is written when it is sent, so it shows the session as it is then.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Notice, NoticeKind, Person, Role
from projects.notices import Letter, addresses, notice_tell
from sessions.models import Engagement, Session
from studio.models import Booking

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The evening before, in the studio's zone: late enough that the day's plans are settled,
# early enough to pack (the usual call-sheet hour).
EVENING_HOUR = 17
STATES_SENT = (Session.Status.PLANNED, Session.Status.IN_PROGRESS)


@dataclass(frozen=True)
class Player:
    name: str
    role: str
    plays: str
    brings: str


@dataclass(frozen=True)
class Contact:
    name: str
    what: str
    email: str
    phone: str


@dataclass
class CallSheet:
    session: Session
    start: datetime.datetime
    end: datetime.datetime
    zone: str
    studio: str
    room: str
    address: str
    engineer: str
    players: list[Player] = field(default_factory=list)
    gear: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    link: str = ""


def _plays(engagement: Engagement) -> str:
    doubles = [str(item) for item in engagement.doubles or [] if str(item).strip()]
    return ", ".join([engagement.instrument, *doubles] if engagement.instrument else doubles)


def _brings(engagement: Engagement) -> str:
    return ", ".join(str(item) for item in engagement.cartage or [] if str(item).strip())


def call_sheet(*, session: Session) -> CallSheet:
    """The call sheet of ``session``, read in a few queries whatever its number of players."""
    session = Session.objects.select_related(
        "project", "room__studio", "booking__engineer", "booking__room__studio"
    ).get(pk=session.pk)
    zone = session.zone
    room = session.room or (session.booking.room if session.booking else None)
    studio = room.studio if room else None
    engagements = list(
        session.engagements.select_related("person").order_by("role", "person__name")
    )
    engineer = session.booking.engineer if session.booking else None
    if engineer is None:
        engineer = next((e.person for e in engagements if e.role == Engagement.Role.ENGINEER), None)
    gear = (
        sorted(item.name for item in session.booking.gear.all())
        if session.booking is not None
        else []
    )
    producers = list(
        Membership.objects.filter(project=session.project, role=Role.PRODUCER)
        .select_related("user__person")
        .order_by("pk")
    )
    contacts = _contacts(session=session, engineer=engineer, producers=producers)
    return CallSheet(
        session=session,
        start=session.start.astimezone(zone),
        end=session.end.astimezone(zone),
        zone=str(zone),
        studio=studio.name if studio else "",
        room=room.name if room else "",
        address=(studio.address if studio else "").replace("\n", ", "),
        engineer=engineer.name if engineer else "",
        players=[
            Player(
                name=item.person.name,
                role=item.get_role_display(),
                plays=_plays(item),
                brings=_brings(item),
            )
            for item in engagements
        ],
        gear=gear,
        contacts=contacts,
        link=f"{settings.SITE_URL}{reverse('session-detail', args=[session.pk])}",
    )


def _contacts(
    *, session: Session, engineer: Person | None, producers: list[Membership]
) -> list[Contact]:
    """Whom to call on the day: the producers and the engineer, reached as this production
    knows them (their cards on it)."""
    people: list[tuple[Person | None, str, User | None]] = [
        (getattr(m.user, "person", None), "Producer", m.user) for m in producers
    ]
    if engineer is not None:
        people.append((engineer, "Engineer", None))
    persons = [person for person, _, _ in people if person is not None]
    emails = addresses(project=session.project, people=persons)
    phones = dict(
        session.project.person_cards.filter(person__in=[p.pk for p in persons])
        .exclude(phone="")
        .values_list("person_id", "phone")
    )
    found: list[Contact] = []
    seen: set[str] = set()
    for person, what, user in people:
        name = (
            person.name if person else (user.get_full_name() or user.get_username() if user else "")
        )
        email = emails.get(person.pk, "") if person else (user.email if user else "")
        phone = phones.get(person.pk, "") if person else ""
        if name in seen:
            continue
        seen.add(name)
        found.append(Contact(name=name, what=what, email=email, phone=phone))
    return found


def call_sheet_people(*, session: Session) -> list[Person]:
    """Everyone the sheet goes to: the players and the booking's engineer, each once."""
    found = {item.person.pk: item.person for item in session.engagements.select_related("person")}
    if session.booking_id is not None and session.booking and session.booking.engineer_id:
        engineer = session.booking.engineer
        if engineer is not None:
            found.setdefault(engineer.pk, engineer)
    return list(found.values())


def _subject(session: Session) -> str:
    start = session.start.astimezone(session.zone)
    return f"Call sheet: {session.title}, {start:%a} {start.day} {start:%b %H:%M}"


def call_sheet_send(*, session: Session, now: datetime.datetime | None = None) -> int:
    """Mail the call sheet to the session's people now (the sheet's button); a second press
    within the same minute sends nothing more. Returns how many mails were queued."""
    if session.status not in STATES_SENT:
        raise ValidationError(
            {"session": f"The session is {session.get_status_display().lower()}: no call sheet."}
        )
    now = now or timezone.now()
    made = notice_tell(
        kind=NoticeKind.CALL_SHEET,
        key=f"call-sheet:{session.pk}:r{now:%Y%m%d%H%M}",
        subject=_subject(session),
        project=session.project,
        people=call_sheet_people(session=session),
    )
    return len(made)


def _due(now: datetime.datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        status__in=STATES_SENT,
        start__gt=now,
        start__lte=now + datetime.timedelta(hours=48),
    ).select_related("project", "room__studio", "booking__engineer")


def call_sheets_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the call sheets of tomorrow's sessions once it is EVENING_HOUR or later in their
    studio (beat, every 15 minutes). Keyed by the session's start: a session moved to another
    day gets its sheet again, a second tick sends nothing. Returns how many were queued."""
    now = now or timezone.now()
    made = 0
    for session in _due(now):
        zone = session.zone
        local_now = now.astimezone(zone)
        day = session.start.astimezone(zone).date()
        if day != local_now.date() + datetime.timedelta(days=1) or local_now.hour < EVENING_HOUR:
            continue
        key = f"call-sheet:{session.pk}:e{int(session.start.timestamp())}"
        if Notice.objects.filter(key__startswith=f"{key}:").exists():
            continue
        with transaction.atomic():
            made += len(
                notice_tell(
                    kind=NoticeKind.CALL_SHEET,
                    key=key,
                    subject=_subject(session),
                    project=session.project,
                    people=call_sheet_people(session=session),
                )
            )
    return made


def call_sheet_letter(*, event: str, notice: Notice) -> Letter | None:
    """The sheet as it is now, in the mail's text and as a small HTML page attached; none for
    a session that is over, cancelled, or has left the person off."""
    _, session_id, _ = event.split(":")
    session = Session.objects.filter(pk=int(session_id)).first()
    if session is None or session.status not in STATES_SENT or session.end <= timezone.now():
        return None
    person = notice.person
    if person is not None and person.pk not in {p.pk for p in call_sheet_people(session=session)}:
        return None
    sheet = call_sheet(session=session)
    context = {"sheet": sheet, "person": person}
    return Letter(
        subject=notice.subject,
        body=render_to_string("sessions/notices/call_sheet.txt", context),
        attachments=(
            (
                "call-sheet.html",
                render_to_string("sessions/notices/call_sheet.html", context).encode(),
                "text/html",
            ),
        ),
    )


def booking_players(booking: Booking) -> list[Person]:
    """The players of the sessions on ``booking`` (not cancelled ones): they get its
    invitations along with its engineer (studio.invitations.register_booking_people)."""
    engagements = Engagement.objects.filter(session__booking=booking).exclude(
        session__status=Session.Status.CANCELLED
    )
    return list(
        Person.objects.filter(pk__in=engagements.values("person_id")).select_related("user")
    )
