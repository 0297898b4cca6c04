"""Bookings: holds, confirmations, cancellations, series (the rules that keep them apart are
in ``studio.services.booking_slots``).

Every write locks the rows it checks against, in one order (rooms, then people, then gear, each
by id), before it checks: two producers confirming the same room at the same moment meet at the
room's row lock, and the second one sees the first one's booking. On PostgreSQL exclusion
constraints back this up (migration 0003); on SQLite the IMMEDIATE transaction mode serializes
writers. Either way a collision is a ``Conflict`` that names the booking in the way.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from decimal import Decimal
from types import EllipsisType
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from projects import invitations as projects_invitations
from projects.models import Person, Project
from studio import invitations
from studio.models import Booking, Gear, Room
from studio.selectors import (
    booking_cancellation_terms,
    confirmed_clash,
    confirmed_clash_among,
    describe_booking,
    is_lapsed,
    nearby_bookings,
    not_lapsed,
    other_bookings,
    overlapping,
)
from studio.services.booking_slots import (
    Status,
    check_gear,
    check_not_past,
    check_times,
    hold_tier,
    hold_tier_among,
    insert_guarded,
    lock_resources,
    occurrences,
    promote_second_holds,
    quote_fields,
    save_guarded,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
# times). ``studio`` imports none of the apps above it, so an app above it registers
# its follower here from its AppConfig.ready(): the arrow of imports stays one way, and the
# follower runs inside the move's transaction, where its refusal undoes the move too.
_move_hooks: list[BookingMoveHook] = []


def booking_move_hook_register(hook: BookingMoveHook) -> None:
    """Have ``hook(booking=..., before=(room, start, end))`` run inside every booking move,
    after the booking is saved; it refuses the move by raising (ValidationError, Conflict)."""
    if hook not in _move_hooks:
        _move_hooks.append(hook)


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
    slots = occurrences(room=room, start=start, end=end, rule=rrule) if rrule else [(start, end)]
    check_not_past(min(slot[0] for slot in slots), past=past, now=now)
    lock_resources(
        rooms=[room.pk], people=[engineer.pk if engineer else None], gear=[g.pk for g in gear]
    )

    nearby = nearby_bookings(room=room, slots=slots, engineer=engineer, gear=gear, exclude=None)
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
            **quote_fields(room=room, start=slot_start, end=slot_end, gear=gear),
        )
        for slot_start, slot_end, tier in planned
    ]
    insert_guarded(created)
    if gear:
        Booking.gear.through.objects.bulk_create(
            Booking.gear.through(booking_id=booking.pk, gear_id=item.pk)
            for booking in created
            for item in gear
        )
    if not project.studios.filter(pk=room.studio_id).exists():
        project.studios.add(room.studio)
    # New bookings have no sessions yet: their engineer is all their people.
    invitations.bookings_tell(
        bookings=[booking for booking in created if booking.status == Status.CONFIRMED],
        method=projects_invitations.REQUEST,
        people=[engineer] if engineer else [],
    )
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
    check_times(room=room, start=start, end=end)
    if not room.is_active:
        raise ValidationError({"room": f"{room} is not bookable (inactive)."})
    check_gear(room=room, gear=gear)
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
                clash = confirmed_clash_among(
                    nearby, room=room, start=slot_start, end=slot_end, engineer=engineer, gear=gear
                )
                if clash:
                    raise Conflict(clash)
                tier = Status.CONFIRMED
            else:
                tier = hold_tier_among(nearby, room=room, start=slot_start, end=slot_end)
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
    # What the change leaves as it was comes from the row, not from the caller's copy: a
    # retitle made from a page opened before someone moved the day must not move it back.
    booking = Booking.objects.select_related("room__studio", "engineer").get(pk=booking.pk)
    # Early, so that a cancelled booking is refused as cancelled before its new times are
    # judged; the row read under the locks below is asked again.
    _refuse_cancelled(booking)
    new_room = room or booking.room
    new_start, new_end = start or booking.start, end or booking.end
    new_engineer = booking.engineer if isinstance(engineer, EllipsisType) else engineer
    new_gear = list(booking.gear.all()) if gear is None else list(gear)
    check_times(room=new_room, start=new_start, end=new_end)
    if new_room.pk != booking.room_id and not new_room.is_active:
        raise ValidationError({"room": f"{new_room} is not bookable (inactive)."})
    if new_start != booking.start:
        check_not_past(new_start, past=past, now=timezone.now())
    check_gear(room=new_room, gear=new_gear)
    lock_resources(
        rooms=[booking.room_id, new_room.pk],
        people=[booking.engineer_id, new_engineer.pk if new_engineer else None],
        gear=[g.pk for g in new_gear],
    )
    place = (booking.room_id, booking.start, booking.end, booking.engineer_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    # Asked again of the row read under the locks: the copy above was read before them, and
    # a cancel committed in between would otherwise be moved back to life (a hold tier again,
    # or a retitle of a cancelled day).
    _refuse_cancelled(booking)
    if (booking.room_id, booking.start, booking.end, booking.engineer_id) != place:
        # Moved or re-staffed by someone else between that read and the locks: the defaults
        # taken from it are stale, and the locks were taken for the wrong room or person.
        raise Conflict(
            f"Booking #{booking.pk} was changed meanwhile; load it again and retry.",
            code="changed",
        )
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
    old_engineer = booking.engineer
    booking.room, booking.start, booking.end = new_room, new_start, new_end
    booking.engineer = new_engineer
    booking.title = booking.title if title is None else title
    booking.notes = booking.notes if notes is None else notes
    for name, value in quote_fields(
        room=new_room, start=new_start, end=new_end, gear=new_gear
    ).items():
        setattr(booking, name, value)
    booking.sequence += 1
    save_guarded(booking)
    booking.gear.set(new_gear)
    if moved:
        promote_second_holds(room=old[0], start=old[1], end=old[2])
        for hook in _move_hooks:
            hook(booking=booking, before=old)
        if was_confirmed and not confirm_move:
            raise MoveNeedsConfirmation(_move_question(booking, was_quoted=was_quoted))
    if was_confirmed and (moved or old_engineer != new_engineer):
        # The day's people get the new time (same UID, higher SEQUENCE); an engineer taken
        # off it gets a cancellation, so their calendar drops it.
        invitations.booking_tell(booking=booking, method=projects_invitations.REQUEST)
        if old_engineer is not None and old_engineer != new_engineer:
            invitations.booking_tell(
                booking=booking, method=projects_invitations.CANCEL, people=[old_engineer]
            )
    return booking


def _refuse_cancelled(booking: Booking) -> None:
    if booking.status == Status.CANCELLED:
        raise Conflict(f"Booking #{booking.pk} is cancelled; make a new one.", code="cancelled")


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
        clash = confirmed_clash(
            room=room, start=start, end=end, engineer=engineer, gear=gear, exclude=booking
        )
        if clash:
            raise Conflict(clash)
    elif moved:
        booking.status = hold_tier(room=room, start=start, end=end, exclude=booking)


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
    lock_resources(
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
    _refuse_cancelled(booking)
    if booking.expires_at is not None and booking.expires_at <= timezone.now():
        raise Conflict(
            f"Booking #{booking.pk}'s hold has lapsed; hold the slot again.", code="lapsed"
        )
    if booking.status == Status.HOLD_2:
        first = (
            other_bookings(booking)
            .filter(overlapping(booking.start, booking.end), not_lapsed(), room=booking.room)
            .filter(status=Status.HOLD_1)
            .first()
        )
        if first is not None:
            raise Conflict(
                f"The 1st hold has first right of refusal: {describe_booking(first)}. "
                "Challenge it to make it decide."
            )
    gear = list(booking.gear.all())
    clash = confirmed_clash(
        room=booking.room,
        start=booking.start,
        end=booking.end,
        engineer=booking.engineer,
        gear=gear,
        exclude=booking,
    )
    if clash:
        raise Conflict(clash)
    for name, value in quote_fields(
        room=booking.room, start=booking.start, end=booking.end, gear=gear
    ).items():
        setattr(booking, name, value)
    booking.status = Status.CONFIRMED
    booking.confirmed_at = timezone.now()
    booking.expires_at = None
    booking.sequence += 1
    save_guarded(booking)
    invitations.booking_tell(booking=booking, method=projects_invitations.REQUEST)
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
    promote_second_holds(room=booking.room, start=booking.start, end=booking.end, now=now)
    return booking


def _hold_ending(booking: Booking) -> str:
    """A hold let go after its time ran out had already lapsed: it ends as expired, as the
    expiry task would have marked it."""
    return Booking.Ending.EXPIRED if is_lapsed(booking) else Booking.Ending.RELEASED


@transaction.atomic
def booking_release(*, booking: Booking) -> Booking:
    """Let a hold go; the 2nd hold behind it becomes the 1st."""
    booking = _lock_and_reload(booking)
    if booking.status == Status.CANCELLED:
        # Not "cancel it instead": it is, and a cancel would only say so.
        raise Conflict(f"Booking #{booking.pk} is already cancelled.", code="cancelled")
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
    # Only a confirmed day was sent as an invitation; its people get the cancellation.
    cancelled = _end_booking(booking, ending=Booking.Ending.CANCELLED, fee=terms.fee)
    invitations.booking_tell(booking=cancelled, method=projects_invitations.CANCEL)
    return cancelled


@transaction.atomic
def booking_people_changed(
    *, booking: Booking, joined: Sequence[Person] = (), left: Sequence[Person] = ()
) -> None:
    """Tell the people who joined a confirmed day since it was confirmed (a player engaged on
    one of its sessions) its invitation, and those who left it a cancellation, so a calendar
    holds the day exactly when its owner is on it. Anyone still on the day through another
    session, or as its engineer, is told nothing new. A departure raises the day's SEQUENCE:
    the cancellation outranks the invitation before it, and one who comes back is invited
    again. Holds and past days tell nobody (their confirmation, if any, invites everyone)."""
    # Only the booking's row: PostgreSQL cannot lock the nullable side of the engineer's join.
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("room__studio", "project", "engineer")
        .get(pk=booking.pk)
    )
    if booking.status != Status.CONFIRMED or booking.end <= timezone.now():
        return
    on_day = {person.pk for person in invitations.booking_people(booking)}
    gone = [person for person in left if person.pk not in on_day]
    came = [person for person in joined if person.pk in on_day]
    if gone:
        booking.sequence += 1
        booking.save(update_fields=["sequence", "updated_at"])
        invitations.booking_tell(booking=booking, method=projects_invitations.CANCEL, people=gone)
    if came:
        invitations.booking_tell(booking=booking, method=projects_invitations.REQUEST, people=came)


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
            overlapping(booking.start, booking.end),
            not_lapsed(),
            room=booking.room,
            status=Status.HOLD_1,
        )
        .exclude(pk=booking.pk)
    )
    if not firsts:
        # Confirming is the way forward only when the slot is free: a confirmed day in it is
        # not challenged, and confirming would be refused by the same clash.
        clash = confirmed_clash(
            room=booking.room,
            start=booking.start,
            end=booking.end,
            engineer=booking.engineer,
            gear=list(booking.gear.all()),
            exclude=booking,
        )
        if clash is not None:
            raise Conflict(
                f"No 1st hold stands in the way, but confirming would be refused too: {clash} "
                "Pick another time.",
                code="nothing_to_challenge",
            )
        raise Conflict(
            "No 1st hold stands in the way; confirm instead.", code="nothing_to_challenge"
        )
    for first in firsts:
        first.challenged_at = timezone.now()
        first.expires_at = min(first.expires_at or deadline, deadline)
        first.sequence += 1
        first.save(update_fields=["challenged_at", "expires_at", "sequence", "updated_at"])
        invitations.hold_challenged_tell(booking=first)
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
            lock_resources(rooms=[room_id])
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
