"""Studio's sections of Today (``projects.agenda``): the studio days of the week, holds about
to lapse and challenges waiting on the user.

Registered on import, from ``StudioConfig.ready()``. Each read is a fixed number of queries
whatever the number of rows: what the user may do on each row (confirm, release) comes as an
``Exists`` over their membership, in the same query as the rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from core.users import AnyUser
from projects.agenda import WEEK, AgendaSection, day_start, may, register_section
from projects.models import Membership
from projects.permissions import Capability, projects_visible, roles_with
from studio.models import Booking
from studio.selectors import live_bookings

LAPSING_WITHIN = datetime.timedelta(hours=48)


# --- studio days --------------------------------------------------------------------------------


def week_bookings(
    *, user: AnyUser, since: datetime.datetime, until: datetime.datetime, now: datetime.datetime
) -> QuerySet[Booking]:
    """Holds and bookings of the user's projects in [since, until), lapsed holds left out."""
    return (
        Booking.objects.filter(
            live_bookings(now),
            project__in=projects_visible(user),
            status__in=Booking.ACTIVE,
            end__gt=since,
            start__lt=until,
        )
        .select_related("room__studio", "project", "engineer")
        .order_by("start", "pk")
    )


def read_bookings(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """Today's and the week's studio days, grouped by the day in each studio's own zone (a late
    session is on that studio's evening). One query; the session links (sessions' template tag)
    read two more."""
    zone = now.tzinfo or datetime.UTC
    since = day_start(today, zone)
    days: dict[datetime.date, list[tuple[datetime.datetime, datetime.datetime, Booking]]] = {}
    for booking in week_bookings(user=user, since=since, until=since + WEEK, now=now):
        studio_zone = booking.room.studio.zone
        start, end = booking.start.astimezone(studio_zone), booking.end.astimezone(studio_zone)
        days.setdefault(start.date(), []).append((start, end, booking))
    return {"days": sorted(days.items()), "today": today}


# --- meetings -----------------------------------------------------------------------------------


# --- song deadlines -----------------------------------------------------------------------------


# --- holds about to lapse, and challenges -------------------------------------------------


def time_left_words(left: datetime.timedelta) -> str:
    """ "1 d 3 h", "5 h 20 min", "12 min": how long a hold has, read at a glance."""
    minutes = max(int(left.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _hold_rows(holds: QuerySet[Booking], now: datetime.datetime) -> list[dict[str, Any]]:
    rows = []
    for booking in holds:
        zone = booking.room.studio.zone
        rows.append(
            {
                "booking": booking,
                "start": booking.start.astimezone(zone),
                "end": booking.end.astimezone(zone),
                "expires": booking.expires_at.astimezone(zone),  # type: ignore[union-attr]
                "left_words": time_left_words(
                    booking.expires_at - now  # type: ignore[operator]
                ),
            }
        )
    return rows


def lapsing_holds(*, user: AnyUser, now: datetime.datetime) -> QuerySet[Booking]:
    """Holds of the user's projects whose time runs out within 48 hours (a lapsed one is gone,
    not lapsing), with whether the user may confirm or release each. Challenged holds are in
    the challenges section instead."""
    return (
        Booking.objects.filter(
            project__in=projects_visible(user),
            status__in=Booking.HOLDS,
            challenged_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + LAPSING_WITHIN,
        )
        .select_related("room__studio", "project")
        .annotate(may_schedule=may(user, Capability.SCHEDULE_MANAGE))
        .order_by("expires_at", "pk")
    )


def challenged_holds(*, user: AnyUser, now: datetime.datetime) -> QuerySet[Booking]:
    """1st holds the user answers for (projects where they schedule) that a 2nd hold has
    challenged and that are still standing: confirm or release before the deadline."""
    return (
        Booking.objects.filter(
            project__in=Membership.objects.filter(
                user=user.pk, role__in=roles_with(Capability.SCHEDULE_MANAGE)
            ).values("project_id"),
            status=Booking.Status.HOLD_1,
            challenged_at__isnull=False,
            expires_at__gt=now,
        )
        .select_related("room__studio", "project")
        .annotate(may_schedule=may(user, Capability.SCHEDULE_MANAGE))
        .order_by("expires_at", "pk")
    )


def read_holds(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    return {"rows": _hold_rows(lapsing_holds(user=user, now=now), now), "kind": "holds"}


def read_challenges(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    return {"rows": _hold_rows(challenged_holds(user=user, now=now), now), "kind": "challenges"}


register_section(
    AgendaSection(
        key="holds",
        title="Holds lapsing within 48 hours",
        template="studio/partials/agenda_holds.html",
        order=5,
        read=read_holds,
        empty="No hold lapses in the next 48 hours.",
        hide_empty=True,
    )
)
register_section(
    AgendaSection(
        key="challenges",
        title="Challenges waiting on you",
        template="studio/partials/agenda_holds.html",
        order=6,
        read=read_challenges,
        empty="No 1st hold of yours is challenged.",
        hide_empty=True,
    )
)
register_section(
    AgendaSection(
        key="bookings",
        title="Studio days this week",
        template="studio/partials/agenda_bookings.html",
        order=10,
        read=read_bookings,
        count="days",
        empty="Nothing booked this week.",
    )
)


# --- the hub's meetings panel --------------------------------------------------------------------
