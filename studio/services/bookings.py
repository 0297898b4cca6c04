"""Bookings: holds, confirmations, cancellations, series, and the rules that keep them apart.

Every write locks the rows it checks against, in one order (rooms, then people, then gear, each
by id), before it checks: two producers confirming the same room at the same moment meet at the
room's row lock, and the second one sees the first one's booking. On PostgreSQL exclusion
constraints back this up (migration 0003); on SQLite the IMMEDIATE transaction mode serializes
writers. Either way a collision is a ``Conflict`` that names the booking in the way.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Protocol

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from studio.errors import Conflict
from studio.intervals import check_interval
from studio.models import Booking, Gear, Person, Project, Room
from studio.rates import booked_hours, room_quote
from studio.selectors import booking_cancellation_terms, is_lapsed, live_bookings

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = Booking.Status
MAX_OCCURRENCES = 104  # two years of a weekly booking
PAST_REFUSED = "This time is in the past: tick 'Log a past session' to record it."


class MoveNeedsConfirmation(Conflict):
    """A confirmed booking's move, checked and priced, then undone: the user is asked first.

    Raised inside the move's transaction once every rule has passed, so what the question says
    (the new time, the new quote) is what confirming it will do; nothing stays written."""

    def __init__(self, question: str) -> None:
        super().__init__(question, code="confirm_move")
        self.question = question


Placement = tuple[Room, datetime.datetime, datetime.datetime]


class BookingMoveHook(Protocol):
    def __call__(self, *, booking: Booking, before: Placement) -> None: ...


# What else follows a booking when it moves (a recording session takes its booking's room and
# times). ``studio`` is the ground floor and imports no other app, so an app above it registers
# its follower here from its AppConfig.ready(): the arrow of imports stays one way, and the
# follower runs inside the move's transaction, where its refusal undoes the move too.
_move_hooks: list[BookingMoveHook] = []


def booking_move_hook_register(hook: BookingMoveHook) -> None:
    """Have ``hook(booking=..., before=(room, start, end))`` run inside every booking move,
    after the booking is saved; it refuses the move by raising (ValidationError, Conflict)."""
    if hook not in _move_hooks:
        _move_hooks.append(hook)


def _check_not_past(start: datetime.datetime, *, past: bool, now: datetime.datetime) -> None:
    # Logging a session that already happened is a real case, but a slip of the date picker
    # is the commoner one: the past is booked only when asked for by name.
    if start < now and not past:
        raise ValidationError({"start": PAST_REFUSED})


# --- checks -----------------------------------------------------------------------------------


def _describe(booking: Booking) -> str:
    """A colliding booking by number, status and time: never its project, which the one who
    collides with it may not be on (availability hides whose time it is, too)."""
    zone = booking.room.studio.zone
    start = booking.start.astimezone(zone)
    end = booking.end.astimezone(zone)
    return (
        f"booking #{booking.pk} ({booking.get_status_display().lower()}, "
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {booking.room.studio.time_zone})"
    )


def _overlapping(start: datetime.datetime, end: datetime.datetime) -> Q:
    # Half-open intervals: a booking ending at 14:00 and one starting at 14:00 do not collide.
    return Q(start__lt=end, end__gt=start)


def _other_bookings(exclude: Booking | None) -> QuerySet[Booking]:
    """Every booking but ``exclude`` (the one being moved or confirmed), ready for messages."""
    qs = Booking.objects.select_related("room__studio", "project")
    return qs.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else qs


def _not_lapsed() -> Q:
    """Not a lapsed hold; a lapsed hold binds nobody, even before the periodic task has marked
    it expired."""
    return live_bookings(timezone.now())


def _check_times(*, room: Room, start: datetime.datetime, end: datetime.datetime) -> None:
    check_interval(start=start, end=end)
    limit = room.studio.max_booking_hours
    if booked_hours(start, end) > limit:
        raise ValidationError({"end": f"A booking at {room.studio} lasts at most {limit} hours."})


def _check_gear(*, room: Room, gear: Sequence[Gear]) -> None:
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


def _lock(
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


def _nearby(
    *,
    room: Room,
    slots: Sequence[tuple[datetime.datetime, datetime.datetime]],
    engineer: Person | None,
    gear: Sequence[Gear],
    exclude: Booking | None,
) -> list[Booking]:
    """Every live booking that could stand in the way of ``slots`` in ``room`` (or of the
    engineer or gear elsewhere), in one query (and one for their gear): a series of a hundred
    dates is checked with the same queries as a single booking. In (start, id) order, so the
    booking named in a refusal is the first in the way."""
    overlaps = Q()
    for start, end in slots:
        overlaps |= _overlapping(start, end)
    elsewhere = Q()
    if engineer is not None:
        elsewhere |= Q(engineer=engineer)
    if gear:
        # A subquery rather than a join, so that a booking with two of the items comes once.
        with_gear = Booking.gear.through.objects.filter(gear__in=gear).values("booking_id")
        elsewhere |= Q(pk__in=with_gear)
    whose = Q(room=room)
    if elsewhere:
        whose |= Q(status=Status.CONFIRMED) & elsewhere
    nearby = (
        _other_bookings(exclude)
        .filter(overlaps, whose, _not_lapsed(), status__in=Booking.ACTIVE)
        .order_by("start", "pk")
    )
    if gear:
        nearby = nearby.prefetch_related("gear")
    return list(nearby)


def _in_the_way(
    nearby: Iterable[Booking], start: datetime.datetime, end: datetime.datetime
) -> list[Booking]:
    return [b for b in nearby if b.start < end and b.end > start]


def _confirmed_clash_among(
    nearby: Iterable[Booking],
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    engineer: Person | None,
    gear: Sequence[Gear],
) -> str | None:
    """What a confirmed booking of these would collide with among ``nearby``, in words; None
    when free."""
    overlapping = _in_the_way(nearby, start, end)
    confirmed = [b for b in overlapping if b.status == Status.CONFIRMED]
    same_room = next((b for b in confirmed if b.room_id == room.pk), None)
    if same_room is not None:
        return f"{room} is already booked: {_describe(same_room)}."
    # A 1st hold has first right of refusal: nobody books over it, not even its own project.
    held = next(
        (b for b in overlapping if b.room_id == room.pk and b.status == Status.HOLD_1), None
    )
    if held is not None:
        return (
            f"{room} is on a 1st hold: {_describe(held)}. "
            "Confirm that hold, or place a 2nd hold and challenge it."
        )
    if engineer is not None:
        busy = next((b for b in confirmed if b.engineer_id == engineer.pk), None)
        if busy is not None:
            return f"{engineer} is engineering elsewhere then: {_describe(busy)}."
    wanted = {g.pk: g.name for g in gear}
    for taken in confirmed:
        shared = sorted({wanted[g.pk] for g in taken.gear.all() if g.pk in wanted}) if gear else []
        if shared:
            return f"{', '.join(shared)} is already out then: {_describe(taken)}."
    return None


def _hold_tier_among(
    nearby: Iterable[Booking], *, room: Room, start: datetime.datetime, end: datetime.datetime
) -> str:
    """1st hold on a free slot, 2nd behind a 1st; a booked or doubly held slot is taken."""
    active = [b for b in _in_the_way(nearby, start, end) if b.room_id == room.pk]
    confirmed = next((b for b in active if b.status == Status.CONFIRMED), None)
    if confirmed is not None:
        raise Conflict(f"{room} is already booked: {_describe(confirmed)}.")
    first = next((b for b in active if b.status == Status.HOLD_1), None)
    if first is None:
        return Status.HOLD_1
    second = next((b for b in active if b.status == Status.HOLD_2), None)
    if second is not None:
        raise Conflict(
            f"{room} already has a 1st and a 2nd hold: {_describe(first)}; {_describe(second)}."
        )
    return Status.HOLD_2


def _confirmed_clash(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    engineer: Person | None,
    gear: Sequence[Gear],
    exclude: Booking | None,
) -> str | None:
    """What a confirmed booking of these would collide with, in words; None when free."""
    nearby = _nearby(room=room, slots=[(start, end)], engineer=engineer, gear=gear, exclude=exclude)
    return _confirmed_clash_among(
        nearby, room=room, start=start, end=end, engineer=engineer, gear=gear
    )


def _quote(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, gear: Sequence[Gear]
) -> dict[str, Any]:
    quote = room_quote(room=room, start=start, end=end, gear=gear, currency=room.studio.currency)
    return {"quoted_amount": quote.total, "quote_lines": quote.lines_json()}


def _hold_tier(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, exclude: Booking | None
) -> str:
    """1st hold on a free slot, 2nd behind a 1st; a booked or doubly held slot is taken."""
    nearby = _nearby(room=room, slots=[(start, end)], engineer=None, gear=(), exclude=exclude)
    return _hold_tier_among(nearby, room=room, start=start, end=end)


def _save_guarded(booking: Booking, **kwargs: Any) -> None:
    """Save; a PostgreSQL exclusion violation (a race the locks missed) is a Conflict."""
    try:
        with transaction.atomic():
            booking.save(**kwargs)
    except IntegrityError as error:
        if "no_overlap" not in str(error):
            raise
        clash = (
            _other_bookings(booking)
            .filter(_overlapping(booking.start, booking.end), status=Status.CONFIRMED)
            .filter(Q(room=booking.room_id) | Q(engineer=booking.engineer_id))
            .first()
        )
        raise Conflict(
            f"Collides with {_describe(clash) if clash else 'a confirmed booking'}."
        ) from error


def _insert_guarded(bookings: list[Booking]) -> None:
    """Insert a whole series in one statement (SQLite splits it into batches of its variable
    limit); an exclusion violation from a race the locks missed is a Conflict."""
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(bookings)
    except IntegrityError as error:
        if "no_overlap" not in str(error):
            raise
        raise Conflict("Collides with a confirmed booking made at the same time.") from error


def _promote_second_holds(
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
    seconds = Booking.objects.filter(
        _overlapping(start, end), live, room=room, status=Status.HOLD_2
    )
    for second in seconds.order_by("created_at", "pk"):
        ahead = Booking.objects.filter(
            _overlapping(second.start, second.end),
            live,
            room=room,
            status__in=(Status.HOLD_1, Status.CONFIRMED),
        ).exclude(pk=second.pk)
        if not ahead.exists():
            second.status = Status.HOLD_1
            second.sequence += 1
            second.save(update_fields=["status", "sequence", "updated_at"])


# --- writes -----------------------------------------------------------------------------------


def _occurrences(
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


@transaction.atomic
def booking_create(
    *,
    by: User,
    room: Room,
    project: Project,
    start: datetime.datetime,
    end: datetime.datetime,
    status: str | None = None,
    engineer: Person | None = None,
    gear: Sequence[Gear] = (),
    title: str = "",
    notes: str = "",
    expires_at: datetime.datetime | None = None,
    rrule: str = "",
    past: bool = False,
) -> list[Booking]:
    """Hold or book ``room`` for ``project``; with ``rrule``, a whole series or nothing.

    ``status`` None (or a hold) places a hold of the tier the slot allows: 1st if free, 2nd
    behind a 1st hold. ``confirmed`` books outright. A booking (or any date of a series) that
    starts before now is refused unless ``past`` says it is a past session being logged.
    """
    now = timezone.now()
    _check_new_booking(
        room=room, start=start, end=end, gear=gear, status=status, expires_at=expires_at, now=now
    )
    slots = _occurrences(room=room, start=start, end=end, rule=rrule) if rrule else [(start, end)]
    _check_not_past(min(slot[0] for slot in slots), past=past, now=now)
    _lock(rooms=[room.pk], people=[engineer.pk if engineer else None], gear=[g.pk for g in gear])

    nearby = _nearby(room=room, slots=slots, engineer=engineer, gear=gear, exclude=None)
    planned = _plan_slots(
        nearby, slots, room=room, status=status, engineer=engineer, gear=gear, series=bool(rrule)
    )
    series = uuid.uuid4() if rrule else None
    created = [
        Booking(
            room=room,
            project=project,
            start=slot_start,
            end=slot_end,
            status=tier,
            engineer=engineer,
            title=title,
            notes=notes,
            series=series,
            created_by=by,
            confirmed_at=now if tier == Status.CONFIRMED else None,
            expires_at=None
            if tier == Status.CONFIRMED
            else expires_at or now + datetime.timedelta(hours=room.studio.hold_hours),
            **_quote(room=room, start=slot_start, end=slot_end, gear=gear),
        )
        for slot_start, slot_end, tier in planned
    ]
    _insert_guarded(created)
    if gear:
        Booking.gear.through.objects.bulk_create(
            Booking.gear.through(booking_id=booking.pk, gear_id=item.pk)
            for booking in created
            for item in gear
        )
    if not project.studios.filter(pk=room.studio_id).exists():
        project.studios.add(room.studio)
    return created


def _check_new_booking(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    gear: Sequence[Gear],
    status: str | None,
    expires_at: datetime.datetime | None,
    now: datetime.datetime,
) -> None:
    """What a new booking must be before any slot is looked at: its times, an active room,
    the room's gear, a hold or confirmed status, and an expiry the studio allows."""
    _check_times(room=room, start=start, end=end)
    if not room.is_active:
        raise ValidationError({"room": f"{room} is not bookable (inactive)."})
    _check_gear(room=room, gear=gear)
    if status not in (None, *Booking.HOLDS, Status.CONFIRMED):
        raise ValidationError({"status": "A new booking is a hold or confirmed."})
    if expires_at is None:
        return
    if status == Status.CONFIRMED:
        raise ValidationError({"expires_at": "A confirmed booking does not expire."})
    if expires_at <= now:
        raise ValidationError({"expires_at": "A hold cannot expire in the past."})
    # A hold may be asked to lapse sooner than the studio's rule, never later: the time a
    # hold blocks others is the studio's to set.
    longest = now + datetime.timedelta(hours=room.studio.hold_hours)
    if expires_at > longest:
        raise ValidationError(
            {
                "expires_at": f"A hold at {room.studio} lasts at most "
                f"{room.studio.hold_hours} hours (until {longest:%Y-%m-%d %H:%M} UTC)."
            }
        )


def _plan_slots(
    nearby: list[Booking],
    slots: Sequence[tuple[datetime.datetime, datetime.datetime]],
    *,
    room: Room,
    status: str | None,
    engineer: Person | None,
    gear: Sequence[Gear],
    series: bool,
) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    """Each slot with the status it gets (confirmed, or the hold tier it allows); a Conflict
    naming every slot that collides, since nothing of a series is created when one does."""
    planned: list[tuple[datetime.datetime, datetime.datetime, str]] = []
    tier: str
    refused: list[str] = []
    for slot_start, slot_end in slots:
        try:
            if status == Status.CONFIRMED:
                clash = _confirmed_clash_among(
                    nearby, room=room, start=slot_start, end=slot_end, engineer=engineer, gear=gear
                )
                if clash:
                    raise Conflict(clash)
                tier = Status.CONFIRMED
            else:
                tier = _hold_tier_among(nearby, room=room, start=slot_start, end=slot_end)
        except Conflict as conflict:
            local = slot_start.astimezone(room.studio.zone)
            refused.append(f"{local:%Y-%m-%d}: {conflict.detail}" if series else conflict.detail)
            continue
        planned.append((slot_start, slot_end, tier))
    if refused:
        raise Conflict(
            " ".join(refused)
            if not series
            else "Not booked, these dates collide: " + " ".join(refused)
        )
    return planned


@transaction.atomic
def booking_update(
    *,
    booking: Booking,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    room: Room | None = None,
    engineer: Person | None | EllipsisType = ...,
    gear: Sequence[Gear] | None = None,
    title: str | None = None,
    notes: str | None = None,
    past: bool = False,
    confirm_move: bool = True,
) -> Booking:
    """Move, resize, re-staff or retitle a booking; a confirmed one is checked and re-quoted.

    ``engineer`` left out keeps the engineer (None takes them off). Status, expiry and challenge
    times are not here: they follow the rules, through confirm, release, cancel and challenge.

    A new start before now is refused unless ``past``. What follows the booking (its recording
    sessions, through ``booking_move_hook_register``) moves with it in this transaction, or
    refuses the move. ``confirm_move=False`` (the calendar's drag) checks and prices the move
    of a confirmed booking, then undoes it with ``MoveNeedsConfirmation``: a drag alone never
    moves a confirmed day.
    """
    if booking.status == Status.CANCELLED:
        raise Conflict(f"Booking #{booking.pk} is cancelled; make a new one.", code="cancelled")
    new_room = room or booking.room
    new_start, new_end = start or booking.start, end or booking.end
    new_engineer = booking.engineer if isinstance(engineer, EllipsisType) else engineer
    new_gear = list(booking.gear.all()) if gear is None else list(gear)
    _check_times(room=new_room, start=new_start, end=new_end)
    if new_start != booking.start:
        _check_not_past(new_start, past=past, now=timezone.now())
    _check_gear(room=new_room, gear=new_gear)
    _lock(
        rooms=[booking.room_id, new_room.pk],
        people=[booking.engineer_id, new_engineer.pk if new_engineer else None],
        gear=[g.pk for g in new_gear],
    )
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if is_lapsed(booking):
        # Moving would give a lapsed hold a tier again without a new expiry.
        raise Conflict(
            f"Booking #{booking.pk}'s hold has lapsed; hold the slot again.", code="lapsed"
        )
    moved = (new_room.pk, new_start, new_end) != (booking.room_id, booking.start, booking.end)
    was_confirmed = booking.status == Status.CONFIRMED
    was_quoted = booking.quoted_amount
    _check_new_place(
        booking,
        room=new_room,
        start=new_start,
        end=new_end,
        engineer=new_engineer,
        gear=new_gear,
        moved=moved,
    )
    old = (booking.room, booking.start, booking.end)
    booking.room, booking.start, booking.end = new_room, new_start, new_end
    booking.engineer = new_engineer
    booking.title = booking.title if title is None else title
    booking.notes = booking.notes if notes is None else notes
    for name, value in _quote(room=new_room, start=new_start, end=new_end, gear=new_gear).items():
        setattr(booking, name, value)
    booking.sequence += 1
    _save_guarded(booking)
    booking.gear.set(new_gear)
    if moved:
        _promote_second_holds(room=old[0], start=old[1], end=old[2])
        for hook in _move_hooks:
            hook(booking=booking, before=old)
        if was_confirmed and not confirm_move:
            raise MoveNeedsConfirmation(_move_question(booking, was_quoted=was_quoted))
    return booking


def _check_new_place(
    booking: Booking,
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    engineer: Person | None,
    gear: Sequence[Gear],
    moved: bool,
) -> None:
    """A confirmed booking must fit where it goes (room, engineer, gear: a Conflict names the
    clash); a moved hold takes the tier its new slot allows."""
    if booking.status == Status.CONFIRMED:
        clash = _confirmed_clash(
            room=room, start=start, end=end, engineer=engineer, gear=gear, exclude=booking
        )
        if clash:
            raise Conflict(clash)
    elif moved:
        booking.status = _hold_tier(room=room, start=start, end=end, exclude=booking)


def _move_question(booking: Booking, *, was_quoted: Decimal | None) -> str:
    """ "Move the confirmed booking to Thu 3 Dec 10:00–18:00? The quote becomes …"."""
    studio = booking.room.studio
    start, end = booking.start.astimezone(studio.zone), booking.end.astimezone(studio.zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else _day_and_time(end)
    quote = f"{booking.quoted_amount} {studio.currency}"
    change = (
        f"The quote becomes {quote} (was {was_quoted} {studio.currency})."
        if was_quoted is not None and was_quoted != booking.quoted_amount
        else f"The quote stays {quote}."
    )
    return f"Move the confirmed booking to {_day_and_time(start)}–{until}? {change}"


def _day_and_time(when: datetime.datetime) -> str:
    return f"{when:%a} {when.day} {when:%b %H:%M}"


def _lock_and_reload(booking: Booking) -> Booking:
    """Take the booking's room, engineer and gear locks, then read it again under them: a change
    made before the locks were ours is seen, not overwritten."""
    _lock(
        rooms=[booking.room_id],
        people=[booking.engineer_id],
        gear=booking.gear.values_list("pk", flat=True),
    )
    return (
        Booking.objects.select_for_update()
        .select_related("room__studio", "project")
        .get(pk=booking.pk)
    )


@transaction.atomic
def booking_confirm(*, booking: Booking) -> Booking:
    """Turn a hold into a booking, freezing the quote at today's rate card.

    A 2nd hold cannot jump a 1st hold that is still there: the 1st has first right of refusal.
    """
    booking = _lock_and_reload(booking)
    if booking.status == Status.CONFIRMED:
        return booking
    if booking.status == Status.CANCELLED:
        raise Conflict(f"Booking #{booking.pk} is cancelled; make a new one.", code="cancelled")
    if booking.expires_at is not None and booking.expires_at <= timezone.now():
        raise Conflict(
            f"Booking #{booking.pk}'s hold has lapsed; hold the slot again.", code="lapsed"
        )
    if booking.status == Status.HOLD_2:
        first = (
            _other_bookings(booking)
            .filter(_overlapping(booking.start, booking.end), _not_lapsed(), room=booking.room)
            .filter(status=Status.HOLD_1)
            .first()
        )
        if first is not None:
            raise Conflict(
                f"The 1st hold has first right of refusal: {_describe(first)}. "
                "Challenge it to make it decide."
            )
    gear = list(booking.gear.all())
    clash = _confirmed_clash(
        room=booking.room,
        start=booking.start,
        end=booking.end,
        engineer=booking.engineer,
        gear=gear,
        exclude=booking,
    )
    if clash:
        raise Conflict(clash)
    for name, value in _quote(
        room=booking.room, start=booking.start, end=booking.end, gear=gear
    ).items():
        setattr(booking, name, value)
    booking.status = Status.CONFIRMED
    booking.confirmed_at = timezone.now()
    booking.expires_at = None
    booking.sequence += 1
    _save_guarded(booking)
    return booking


def _end_booking(
    booking: Booking, *, ending: str, fee: Decimal | None, now: datetime.datetime | None = None
) -> Booking:
    """End ``booking`` (cancelled, released or expired, as ``ending`` says); the 2nd holds
    behind it move up."""
    booking.status = Status.CANCELLED
    booking.ending = ending
    booking.cancelled_at = timezone.now()
    booking.cancellation_fee = fee
    booking.sequence += 1
    booking.save()
    _promote_second_holds(room=booking.room, start=booking.start, end=booking.end, now=now)
    return booking


def _hold_ending(booking: Booking) -> str:
    """A hold let go after its time ran out had already lapsed: it ends as expired, as the
    expiry task would have marked it."""
    return Booking.Ending.EXPIRED if is_lapsed(booking) else Booking.Ending.RELEASED


@transaction.atomic
def booking_release(*, booking: Booking) -> Booking:
    """Let a hold go; the 2nd hold behind it becomes the 1st."""
    booking = _lock_and_reload(booking)
    if not booking.is_hold:
        raise Conflict(
            f"Booking #{booking.pk} is not a hold; cancel it instead.", code="not_a_hold"
        )
    return _end_booking(booking, ending=_hold_ending(booking), fee=None)


@transaction.atomic
def booking_cancel(*, booking: Booking, fee_shown: Decimal | None = None) -> Booking:
    """Cancel: a hold is released for free; a confirmed booking owes the fee its notice earns
    (``booking_cancellation_terms``, the same read the page shows before asking).

    ``fee_shown`` is the fee the user agreed to; when the clock has since crossed into another
    notice tier, nothing is cancelled and the new fee is named, so nobody pays a fee they did
    not see."""
    booking = _lock_and_reload(booking)
    if booking.status == Status.CANCELLED:
        raise Conflict(f"Booking #{booking.pk} is already cancelled.", code="cancelled")
    terms = booking_cancellation_terms(booking=booking)
    if fee_shown is not None and fee_shown != (terms.fee or Decimal(0)):
        raise Conflict(
            f"Not cancelled: the fee is now {terms.fee} {terms.currency} "
            f"({terms.percent} % of the quote, {terms.notice_words}), not {fee_shown}.",
            code="fee_changed",
        )
    if booking.is_hold:
        return _end_booking(booking, ending=_hold_ending(booking), fee=None)
    return _end_booking(booking, ending=Booking.Ending.CANCELLED, fee=terms.fee)


@transaction.atomic
def booking_challenge(*, booking: Booking) -> list[Booking]:
    """A 2nd hold asks the 1st holds in its way to confirm or release by the studio's deadline."""
    booking = _lock_and_reload(booking)
    if booking.status != Status.HOLD_2:
        raise Conflict("Only a 2nd hold can challenge.", code="not_second_hold")
    if is_lapsed(booking):
        raise Conflict(
            f"Booking #{booking.pk}'s hold has lapsed; hold the slot again.", code="lapsed"
        )
    deadline = timezone.now() + datetime.timedelta(hours=booking.room.studio.challenge_hours)
    firsts = list(
        Booking.objects.select_for_update()
        .filter(
            _overlapping(booking.start, booking.end),
            _not_lapsed(),
            room=booking.room,
            status=Status.HOLD_1,
        )
        .exclude(pk=booking.pk)
    )
    if not firsts:
        raise Conflict(
            "No 1st hold stands in the way; confirm instead.", code="nothing_to_challenge"
        )
    for first in firsts:
        first.challenged_at = timezone.now()
        first.expires_at = min(first.expires_at or deadline, deadline)
        first.sequence += 1
        first.save(update_fields=["challenged_at", "expires_at", "sequence", "updated_at"])
    return firsts


def holds_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire every hold whose time has come; returns how many this call expired.

    Each hold is expired in its own transaction under its room's lock, and only if it is still a
    hold that is due, so two runs at once (a beat tick overlapping a slow run) expire it once.
    """
    now = now or timezone.now()
    due = list(
        Booking.objects.filter(status__in=Booking.HOLDS, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", "room_id")
    )
    expired = 0
    for pk, room_id in due:
        with transaction.atomic():
            _lock(rooms=[room_id])
            booking = (
                Booking.objects.select_for_update()
                .select_related("room__studio")
                .filter(pk=pk, status__in=Booking.HOLDS, expires_at__lte=now)
                .first()
            )
            if booking is None:
                continue
            _end_booking(booking, ending=Booking.Ending.EXPIRED, fee=None, now=now)
            expired += 1
    return expired
