"""What the people of a booking or a meeting are told: calendar invitations (iTIP, RFC 5546)
when a studio day is confirmed, moved or cancelled and when a meeting is set, changed or
called off; and the holder's warnings when their hold is about to lapse or is challenged.

An invitation speaks of the same event as the calendar feeds: the booking's UID, its SEQUENCE
(which every change a calendar should see raises), the studio's VTIMEZONE. A calendar app that
has the event from the feed updates it in place instead of showing it twice. Each notice's key
carries the sequence, so each change is sent once per person.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.vtimezone import vtimezone
from projects.invitations import (
    CANCEL,
    REQUEST,
    add_people,
    itip_calendar,
    site_url,
    when_words,
    zone_span,
)
from projects.models import Notice, NoticeKind, Person
from projects.notices import (
    Letter,
    addresses,
    notice_tell,
    notice_tell_many,
    notice_writer_register,
)
from studio.feeds import ROW_FIELDS, booking_event
from studio.models import Booking

# A hold is worth a warning this long before it lapses (the issue: 24 hours).
HOLD_WARNING = datetime.timedelta(hours=24)

BookingPeople = Callable[[Booking], Iterable[Person]]
# Who else is on a studio day besides its engineer (a recording session's players). The
# sessions app registers its answer from its AppConfig.ready(): studio cannot import it.
_booking_people: list[BookingPeople] = []


def register_booking_people(fn: BookingPeople) -> None:
    """Have ``fn(booking)`` name more people of a booking (they get its invitations)."""
    if fn not in _booking_people:
        _booking_people.append(fn)


def booking_people(booking: Booking) -> list[Person]:
    """The engineer, then everyone the registered apps name; each once."""
    found: dict[int, Person] = {}
    if booking.engineer is not None:
        found[booking.engineer.pk] = booking.engineer
    for fn in _booking_people:
        for person in fn(booking):
            found.setdefault(person.pk, person)
    return list(found.values())


# Booking invitations ------------------------------------------------------------------------


def booking_invitation_ics(
    *, booking: Booking, method: str, attendees: list[tuple[str, str]]
) -> bytes:
    """The booking's feed event (same UID, SEQUENCE, times and words) as an iTIP message:
    built by the feed's own builder, so the invitation and the feed never tell two stories."""
    row = Booking.objects.filter(pk=booking.pk).values(*ROW_FIELDS).get()
    if method == CANCEL:
        # An attendee taken off a day still standing is told it is off for them.
        row["status"] = Booking.Status.CANCELLED
    room = booking.room
    calendar = itip_calendar(method)
    calendar.add_component(vtimezone(room.studio.time_zone, *zone_span(booking.start, booking.end)))
    event = booking_event(row, room, booking.project, timezone.now())
    add_people(event, organizer=room.studio.name, attendees=attendees)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def booking_tell(*, booking: Booking, method: str, people: Iterable[Person] | None = None) -> int:
    """Send the booking's people (or ``people``) its invitation (REQUEST) or cancellation
    (CANCEL) at its current sequence, after the caller's transaction commits. Returns how
    many notices were made."""
    booking = Booking.objects.select_related("room__studio", "project", "engineer").get(
        pk=booking.pk
    )
    return bookings_tell(
        bookings=[booking],
        method=method,
        people=booking_people(booking) if people is None else people,
    )


def bookings_tell(*, bookings: list[Booking], method: str, people: Iterable[Person]) -> int:
    """``booking_tell`` for bookings of one project with the same people (a confirmed
    series), in a few queries whatever their number. The bookings come with their room's
    studio and their project loaded."""
    # A day that is over needs no calendar entry (a past session being logged, say).
    now = timezone.now()
    bookings = [booking for booking in bookings if booking.end > now]
    if not bookings:
        return 0
    what = "Cancelled" if method == CANCEL else "Studio day"
    events = []
    for booking in bookings:
        zone = booking.room.studio.zone
        when = when_words(booking.start, booking.end, zone)
        events.append(
            (
                f"booking:{booking.uid}:{booking.sequence}:{method.lower()}",
                f"{what}: {booking.title or booking.project.title}, {when}",
            )
        )
    made = notice_tell_many(
        kind=NoticeKind.BOOKING_INVITATION,
        events=events,
        project=bookings[0].project,
        people=people,
    )
    return len(made)


def _booking_letter(*, event: str, notice: Notice) -> Letter | None:
    _, uid, _, method_word = event.split(":")
    method = method_word.upper()
    booking = (
        Booking.objects.select_related("room__studio", "project", "engineer")
        .filter(uid=uid)
        .first()
    )
    person = notice.person
    if booking is None or person is None:
        return None
    people = booking_people(booking)
    invited = any(p.pk == person.pk for p in people)
    if method == REQUEST and (booking.status != Booking.Status.CONFIRMED or not invited):
        return None
    if method == CANCEL and booking.status != Booking.Status.CANCELLED and invited:
        return None
    shown = people if invited else [*people, person]
    emails = addresses(project=booking.project, people=shown)
    attendees = [(p.name, emails[p.pk]) for p in shown if p.pk in emails]
    studio = booking.room.studio
    body = render_to_string(
        "studio/notices/booking_invitation.txt",
        {
            "booking": booking,
            "person": person,
            "cancelled": method == CANCEL,
            "still_on": method == CANCEL and booking.status != Booking.Status.CANCELLED,
            "when": when_words(booking.start, booking.end, studio.zone),
            "studio": studio,
            "address": studio.address.replace("\n", ", "),
            "people": people,
            "link": site_url(
                f"{reverse('calendar')}?date={booking.start.astimezone(studio.zone):%Y-%m-%d}"
                f"#booking-{booking.pk}"
            ),
        },
    )
    return Letter(
        subject=notice.subject,
        body=body,
        calendar=booking_invitation_ics(booking=booking, method=method, attendees=attendees),
        method=method,
    )


# Meeting invitations ------------------------------------------------------------------------


# Holds: lapsing and challenged --------------------------------------------------------------


def _hold_link(booking: Booking) -> str:
    local = booking.start.astimezone(booking.room.studio.zone)
    return site_url(f"{reverse('calendar')}?date={local:%Y-%m-%d}#booking-{booking.pk}")


def holds_warn_lapsing(*, now: datetime.datetime | None = None) -> int:
    """Warn the holder of every hold that lapses within HOLD_WARNING: once per hold and
    expiry (a challenge that brings the expiry forward is a new warning). Returns how many
    notices were made."""
    now = now or timezone.now()
    holds = list(
        Booking.objects.filter(
            status__in=Booking.HOLDS,
            expires_at__gt=now,
            expires_at__lte=now + HOLD_WARNING,
            created_by__isnull=False,
        )
        .select_related("room__studio", "project", "created_by")
        .order_by("expires_at", "pk")
    )
    # The warnings already made (keys "hold-lapsing:<uid>:<expiry>:<recipient>"), read once:
    # a tick every 15 minutes then costs one query when nothing is new.
    told = {
        key.rsplit(":", 1)[0]
        for key in Notice.objects.filter(
            kind=NoticeKind.HOLD_LAPSING, created_at__gte=now - 2 * HOLD_WARNING
        ).values_list("key", flat=True)
    }
    made = 0
    for hold in holds:
        assert hold.expires_at is not None  # noqa: S101 (filtered above; for the type checker)
        key = f"hold-lapsing:{hold.uid}:{int(hold.expires_at.timestamp())}"
        if key in told:
            continue
        zone = hold.room.studio.zone
        with transaction.atomic():
            made += len(
                notice_tell(
                    kind=NoticeKind.HOLD_LAPSING,
                    key=key,
                    subject=f"Your hold lapses {hold.expires_at.astimezone(zone):%a %d %b %H:%M}: "
                    f"{hold.room}, {when_words(hold.start, hold.end, zone)}",
                    project=hold.project,
                    users=[hold.created_by] if hold.created_by else [],
                )
            )
    return made


def hold_challenged_tell(*, booking: Booking) -> int:
    """Tell the holder of the 1st hold ``booking`` that a 2nd hold challenged it (call inside
    the challenge's transaction: sent once it commits)."""
    booking = Booking.objects.select_related("room__studio", "project", "created_by").get(
        pk=booking.pk
    )
    if booking.created_by is None:
        return 0
    zone = booking.room.studio.zone
    made = notice_tell(
        kind=NoticeKind.HOLD_CHALLENGED,
        key=f"hold-challenged:{booking.uid}:{booking.sequence}",
        subject=f"Your hold is challenged: {booking.room}, "
        f"{when_words(booking.start, booking.end, zone)}",
        project=booking.project,
        users=[booking.created_by],
    )
    return len(made)


def _hold_letter(*, event: str, notice: Notice) -> Letter | None:
    topic, uid, stamp = event.split(":")
    booking = Booking.objects.select_related("room__studio", "project").filter(uid=uid).first()
    now = timezone.now()
    if (
        booking is None
        or booking.status not in Booking.HOLDS
        or booking.expires_at is None
        or booking.expires_at <= now
    ):
        return None
    if topic == "hold-lapsing" and int(booking.expires_at.timestamp()) != int(stamp):
        return None
    if topic == "hold-challenged" and booking.challenged_at is None:
        return None
    zone = booking.room.studio.zone
    body = render_to_string(
        f"studio/notices/{topic.replace('-', '_')}.txt",
        {
            "booking": booking,
            "when": when_words(booking.start, booking.end, zone),
            "expires": booking.expires_at.astimezone(zone),
            "zone": zone,
            "link": _hold_link(booking),
        },
    )
    return Letter(subject=notice.subject, body=body)


notice_writer_register("booking", _booking_letter)
notice_writer_register("hold-lapsing", _hold_letter)
notice_writer_register("hold-challenged", _hold_letter)
