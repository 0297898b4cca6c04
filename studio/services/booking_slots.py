"""Where a booking may go: clashes, hold tiers, locks, quotes, series dates.

The rules ``studio.services.bookings`` applies before it writes: every check runs after the
rows it reads are locked (``lock_resources``, in one order), so two writers meet at a lock and
the second sees the first's booking. A collision is a ``Conflict`` naming the booking in the way.
The reads these checks make (what is nearby, what a confirmation would clash with) are in
``studio.selectors``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict
from core.intervals import check_interval
from projects.models import Person
from studio.models import Booking, Gear, Room
from studio.rates import booked_hours, room_quote
from studio.selectors import (
    describe_booking,
    in_the_way,
    live_bookings,
    nearby_bookings,
    other_bookings,
    overlapping,
)

Status = Booking.Status
MAX_OCCURRENCES = 104  # two years of a weekly booking
PAST_REFUSED = "This time is in the past: tick 'Log a past session' to record it."


def check_not_past(start: datetime.datetime, *, past: bool, now: datetime.datetime) -> None:
    # Logging a session that already happened is a real case, but a slip of the date picker
    # is the commoner one: the past is booked only when asked for by name.
    if start < now and not past:
        raise ValidationError({"start": PAST_REFUSED})


# --- checks -----------------------------------------------------------------------------------


def check_times(*, room: Room, start: datetime.datetime, end: datetime.datetime) -> None:
    check_interval(start=start, end=end)
    limit = room.studio.max_booking_hours
    if booked_hours(start, end) > limit:
        raise ValidationError({"end": f"A booking at {room.studio} lasts at most {limit} hours."})


def check_gear(*, room: Room, gear: Sequence[Gear]) -> None:
    foreign = [g.name for g in gear if g.studio_id != room.studio_id]
    if foreign:
        raise ValidationError({"gear": f"Not in {room.studio}'s inventory: {', '.join(foreign)}."})
    broken = [
        f"{g.name} ({g.get_status_display().lower()})"
        for g in gear
        if g.status != Gear.Status.AVAILABLE
    ]
    if broken:
        raise ValidationError({"gear": f"Not available: {', '.join(broken)}."})


def lock_resources(
    *, rooms: Iterable[int], people: Iterable[int | None] = (), gear: Iterable[int] = ()
) -> None:
    """Take the row locks a booking write checks against, always in the same order."""
    for model, ids in ((Room, rooms), (Person, people), (Gear, gear)):
        wanted = sorted({i for i in ids if i is not None})
        if wanted:
            list(
                model.objects.select_for_update()
                .filter(pk__in=wanted)
                .order_by("pk")
                .values_list("pk")
            )


def hold_tier_among(
    nearby: Iterable[Booking], *, room: Room, start: datetime.datetime, end: datetime.datetime
) -> str:
    """1st hold on a free slot, 2nd behind a 1st; a booked or doubly held slot is taken."""
    active = [b for b in in_the_way(nearby, start, end) if b.room_id == room.pk]
    confirmed = next((b for b in active if b.status == Status.CONFIRMED), None)
    if confirmed is not None:
        raise Conflict(f"{room} is already booked: {describe_booking(confirmed)}.")
    first = next((b for b in active if b.status == Status.HOLD_1), None)
    if first is None:
        return Status.HOLD_1
    second = next((b for b in active if b.status == Status.HOLD_2), None)
    if second is not None:
        raise Conflict(
            f"{room} already has a 1st and a 2nd hold: "
            f"{describe_booking(first)}; {describe_booking(second)}."
        )
    return Status.HOLD_2


def quote_fields(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, gear: Sequence[Gear]
) -> dict[str, Any]:
    quote = room_quote(room=room, start=start, end=end, gear=gear, currency=room.studio.currency)
    return {"quoted_amount": quote.total, "quote_lines": quote.lines_json()}


def hold_tier(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, exclude: Booking | None
) -> str:
    """1st hold on a free slot, 2nd behind a 1st; a booked or doubly held slot is taken."""
    nearby = nearby_bookings(
        room=room, slots=[(start, end)], engineer=None, gear=(), exclude=exclude
    )
    return hold_tier_among(nearby, room=room, start=start, end=end)


def save_guarded(booking: Booking, **kwargs: Any) -> None:
    """Save; a PostgreSQL exclusion violation (a race the locks missed) is a Conflict."""
    try:
        with transaction.atomic():
            booking.save(**kwargs)
    except IntegrityError as error:
        if "no_overlap" not in str(error):
            raise
        clash = (
            other_bookings(booking)
            .filter(overlapping(booking.start, booking.end), status=Status.CONFIRMED)
            .filter(Q(room=booking.room_id) | Q(engineer=booking.engineer_id))
            .first()
        )
        raise Conflict(
            f"Collides with {describe_booking(clash) if clash else 'a confirmed booking'}."
        ) from error


def insert_guarded(bookings: list[Booking]) -> None:
    """Insert a whole series in one statement (SQLite splits it into batches of its variable
    limit); an exclusion violation from a race the locks missed is a Conflict."""
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(bookings)
    except IntegrityError as error:
        if "no_overlap" not in str(error):
            raise
        raise Conflict("Collides with a confirmed booking made at the same time.") from error


def promote_second_holds(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
) -> None:
    """When a 1st hold (or a booking ahead of a 2nd hold) goes, the 2nd hold moves up, but only
    when nothing still holds or books any part of its time: a 2nd hold over two 1st holds stays
    behind the one that remains, and behind a confirmed booking for good."""
    live = live_bookings(now or timezone.now())
    seconds = Booking.objects.filter(overlapping(start, end), live, room=room, status=Status.HOLD_2)
    for second in seconds.order_by("created_at", "pk"):
        ahead = Booking.objects.filter(
            overlapping(second.start, second.end),
            live,
            room=room,
            status__in=(Status.HOLD_1, Status.CONFIRMED),
        ).exclude(pk=second.pk)
        if not ahead.exists():
            second.status = Status.HOLD_1
            second.sequence += 1
            second.save(update_fields=["status", "sequence", "updated_at"])


# --- writes -----------------------------------------------------------------------------------


def occurrences(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, rule: str
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Each occurrence keeps the studio's wall-clock times: a 10:00 lockout stays at 10:00
    across a DST change (its length in hours follows the clock)."""
    zone = room.studio.zone
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_length = end.astimezone(zone).replace(tzinfo=None) - local_start
    try:
        rule_set = rrulestr(rule, dtstart=local_start, forceset=True)
    except (ValueError, TypeError) as error:
        raise ValidationError({"rrule": f"Not a valid RRULE: {error}."}) from error
    text = rule.upper()
    if "COUNT=" not in text and "UNTIL=" not in text:
        raise ValidationError({"rrule": "The rule needs COUNT or UNTIL: a series has an end."})
    occurrences = []
    for index, when in enumerate(rule_set):
        if index >= MAX_OCCURRENCES:
            raise ValidationError({"rrule": f"A series has at most {MAX_OCCURRENCES} occurrences."})
        occurrences.append(
            (
                when.replace(tzinfo=zone).astimezone(datetime.UTC),
                (when + local_length).replace(tzinfo=zone).astimezone(datetime.UTC),
            )
        )
    if not occurrences:
        raise ValidationError({"rrule": "The rule gives no occurrence."})
    return occurrences
