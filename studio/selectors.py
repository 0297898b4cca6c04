"""Reads of studios and bookings that cross models: holds lapsed or live, cancellation terms,
room availability, the calendar's and the directory's rows, what stands in a booking's way."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.users import AnyUser
from projects.models import Membership, Person
from projects.permissions import projects_visible
from studio.models import Booking, Gear, Room, Studio
from studio.rates import cancellation_fee, cancellation_percent

# --- the clock decides when a hold lapses ------------------------------------------------------
#
# ``holds_expire`` (celery beat, every minute) marks lapsed holds cancelled with ending
# "expired". Until it has run (or when beat is not running at all) a hold past its
# ``expires_at`` is lapsed all the same: every read judges by the clock, through these.


def lapsed_holds(now: datetime.datetime | None = None) -> Q:
    """Holds whose time has run out, marked or not."""
    return Q(status__in=Booking.HOLDS, expires_at__lte=now or timezone.now())


def live_bookings(now: datetime.datetime | None = None) -> Q:
    """Everything but lapsed holds (NULL expiries included: Django negates them safely)."""
    return ~lapsed_holds(now)


def is_lapsed(booking: Booking, now: datetime.datetime | None = None) -> bool:
    return (
        booking.status in Booking.HOLDS
        and booking.expires_at is not None
        and booking.expires_at <= (now or timezone.now())
    )


def shown_state(booking: Booking, now: datetime.datetime | None = None) -> tuple[str, str]:
    """The status and ending a booking has by the clock: a lapsed hold is what the expiry task
    will make it (cancelled, expired), whether or not the task has run."""
    if is_lapsed(booking, now):
        return Booking.Status.CANCELLED, Booking.Ending.EXPIRED
    return booking.status, booking.ending


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling a booking costs at one moment: the page shows it, the service takes it.

    ``fee`` is None for a hold (letting a hold go costs nothing) and for a booking already over.
    """

    fee: Decimal | None
    percent: int
    notice: datetime.timedelta
    currency: str

    @property
    def notice_words(self) -> str:
        if self.notice <= datetime.timedelta(0):
            return "after the start"
        days = self.notice.days
        if days == 0:
            return "less than a day's notice"
        return "1 day's notice" if days == 1 else f"{days} days' notice"

    @property
    def summary(self) -> str:
        """ "Cancel: fee 190.00 EUR (50 % of the quote, 5 days' notice)"; "Release: no fee"."""
        if self.fee is None:
            return "Release: no fee"
        return (
            f"Cancel: fee {self.fee} {self.currency} "
            f"({self.percent} % of the quote, {self.notice_words})"
        )


def booking_cancellation_terms(
    *, booking: Booking, now: datetime.datetime | None = None
) -> CancellationTerms:
    """The fee cancelling ``booking`` at ``now`` takes, by its studio's notice tiers.

    ``booking_cancel`` takes exactly this fee: the rule is written once, here."""
    now = now or timezone.now()
    studio = booking.room.studio
    notice = booking.start - now
    if booking.is_hold:
        return CancellationTerms(fee=None, percent=0, notice=notice, currency=studio.currency)
    tiers = studio.cancellation_tiers
    fee = cancellation_fee(
        amount=booking.quoted_amount or Decimal(0),
        tiers=tiers,
        notice=notice,
        currency=studio.currency,
    )
    return CancellationTerms(
        fee=fee,
        percent=cancellation_percent(tiers=tiers, notice=notice),
        notice=notice,
        currency=studio.currency,
    )


def room_availability(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, user: AnyUser
) -> dict[str, list[dict[str, Any]]]:
    """Free intervals of ``room`` in [start, end), and what fills the rest, in one query.

    Holds count as busy (a 2nd hold can still be placed behind a 1st). Bookings of projects the
    user is not on show as busy time only, without saying whose.
    """
    mine = Membership.objects.filter(project=OuterRef("project_id"), user=user.pk)
    rows = (
        Booking.objects.filter(room=room, status__in=Booking.ACTIVE, start__lt=end, end__gt=start)
        .filter(live_bookings())
        .annotate(mine=Exists(mine))
        .order_by("start", "pk")
        .values("pk", "start", "end", "status", "project_id", "mine")
    )
    busy, free = [], []
    cursor = start
    for row in rows:
        busy.append(
            {
                "start": max(row["start"], start),
                "end": min(row["end"], end),
                "status": row["status"],
                "booking": row["pk"] if row["mine"] else None,
                "project": row["project_id"] if row["mine"] else None,
            }
        )
        if row["start"] > cursor:
            free.append({"start": cursor, "end": row["start"]})
        cursor = max(cursor, row["end"])
    if cursor < end:
        free.append({"start": cursor, "end": end})
    return {"free": free, "busy": busy}


def calendar_bookings(
    *,
    user: AnyUser,
    start: datetime.datetime,
    end: datetime.datetime,
    target: Studio | Room | Person,
) -> QuerySet[Booking]:
    """Bookings of the user's projects overlapping [start, end) of one studio, room or person."""
    bookings = Booking.objects.filter(
        project__in=projects_visible(user), start__lt=end, end__gt=start
    ).select_related("room__studio", "project", "engineer")
    if isinstance(target, Room):
        bookings = bookings.filter(room=target)
    elif isinstance(target, Studio):
        bookings = bookings.filter(room__studio=target)
    else:
        bookings = bookings.filter(engineer=target)
    return bookings.order_by("start", "pk")


def upcoming_bookings(*, user: AnyUser, days: int = 7) -> QuerySet[Booking]:
    """The user's studio days from now on: holds and bookings of their projects."""
    now = timezone.now()
    return (
        Booking.objects.filter(
            live_bookings(now),
            project__in=projects_visible(user),
            status__in=Booking.ACTIVE,
            end__gt=now,
            start__lt=now + datetime.timedelta(days=days),
        )
        .select_related("room__studio", "project", "engineer")
        .order_by("start", "pk")
    )


def studio_directory() -> QuerySet[Studio]:
    """Every studio of the install: any signed-in user may pick one for a project (its rooms,
    rates and gear show to the members of projects using it, and to its managers)."""
    return Studio.objects.order_by("name", "pk")


# --- what stands in a booking's way ----------------------------------------------------------
#
# The reads ``studio.services.booking_slots`` and ``studio.services.bookings`` check a booking
# against, after they have locked the rows (``lock_resources``); they write nothing and refuse
# nothing themselves.


def describe_booking(booking: Booking) -> str:
    """A colliding booking by number, status and time: never its project, which the one who
    collides with it may not be on (availability hides whose time it is, too)."""
    zone = booking.room.studio.zone
    start = booking.start.astimezone(zone)
    end = booking.end.astimezone(zone)
    return (
        f"booking #{booking.pk} ({booking.get_status_display().lower()}, "
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {booking.room.studio.time_zone})"
    )


def overlapping(start: datetime.datetime, end: datetime.datetime) -> Q:
    # Half-open intervals: a booking ending at 14:00 and one starting at 14:00 do not collide.
    return Q(start__lt=end, end__gt=start)


def other_bookings(exclude: Booking | None) -> QuerySet[Booking]:
    """Every booking but ``exclude`` (the one being moved or confirmed), ready for messages."""
    qs = Booking.objects.select_related("room__studio", "project")
    return qs.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else qs


def not_lapsed() -> Q:
    """Not a lapsed hold; a lapsed hold binds nobody, even before the periodic task has marked
    it expired."""
    return live_bookings(timezone.now())


def nearby_bookings(
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
        overlaps |= overlapping(start, end)
    elsewhere = Q()
    if engineer is not None:
        elsewhere |= Q(engineer=engineer)
    if gear:
        # A subquery rather than a join, so that a booking with two of the items comes once.
        with_gear = Booking.gear.through.objects.filter(gear__in=gear).values("booking_id")
        elsewhere |= Q(pk__in=with_gear)
    whose = Q(room=room)
    if elsewhere:
        whose |= Q(status=Booking.Status.CONFIRMED) & elsewhere
    nearby = (
        other_bookings(exclude)
        .filter(overlaps, whose, not_lapsed(), status__in=Booking.ACTIVE)
        .order_by("start", "pk")
    )
    if gear:
        nearby = nearby.prefetch_related("gear")
    return list(nearby)


def in_the_way(
    nearby: Iterable[Booking], start: datetime.datetime, end: datetime.datetime
) -> list[Booking]:
    return [b for b in nearby if b.start < end and b.end > start]


def confirmed_clash_among(
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
    overlapping = in_the_way(nearby, start, end)
    confirmed = [b for b in overlapping if b.status == Booking.Status.CONFIRMED]
    same_room = next((b for b in confirmed if b.room_id == room.pk), None)
    if same_room is not None:
        return f"{room} is already booked: {describe_booking(same_room)}."
    # A 1st hold has first right of refusal: nobody books over it, not even its own project.
    held = next(
        (b for b in overlapping if b.room_id == room.pk and b.status == Booking.Status.HOLD_1), None
    )
    if held is not None:
        return (
            f"{room} is on a 1st hold: {describe_booking(held)}. "
            "Confirm that hold, or place a 2nd hold and challenge it."
        )
    if engineer is not None:
        busy = next((b for b in confirmed if b.engineer_id == engineer.pk), None)
        if busy is not None:
            return f"{engineer} is engineering elsewhere then: {describe_booking(busy)}."
    wanted = {g.pk: g.name for g in gear}
    for taken in confirmed:
        shared = sorted({wanted[g.pk] for g in taken.gear.all() if g.pk in wanted}) if gear else []
        if shared:
            return f"{', '.join(shared)} is already out then: {describe_booking(taken)}."
    return None


def confirmed_clash(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    engineer: Person | None,
    gear: Sequence[Gear],
    exclude: Booking | None,
) -> str | None:
    """What a confirmed booking of these would collide with, in words; None when free."""
    nearby = nearby_bookings(
        room=room, slots=[(start, end)], engineer=engineer, gear=gear, exclude=exclude
    )
    return confirmed_clash_among(
        nearby, room=room, start=start, end=end, engineer=engineer, gear=gear
    )
