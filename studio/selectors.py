"""Reads that cross models on the ground floor."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from studio.models import Booking, Membership, Person, Project, Room, Studio
from studio.permissions import AnyUser, projects_visible
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


def project_list_for(*, user: AnyUser) -> QuerySet[Project]:
    """The user's projects with their role on each and the member count, in one query."""
    my_role = Membership.objects.filter(project=OuterRef("pk"), user=user.pk).values("role")[:1]
    member_count = (
        Membership.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    return projects_visible(user).annotate(
        my_role=Subquery(my_role), member_count=Subquery(member_count)
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
