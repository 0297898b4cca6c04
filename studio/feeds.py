"""iCalendar feeds of bookings and meetings (RFC 5545) for Apple Calendar, Google, Outlook,
Thunderbird.

A feed shows a window around today (90 days back, 18 months ahead) of one person's, room's,
studio's or project's bookings, limited to what the feed's owner may see now. Holds are
TENTATIVE, bookings CONFIRMED, cancellations CANCELLED; a booking's UID never changes and its
SEQUENCE grows with each change, so clients update events in place instead of duplicating them.

Meetings (no room) show in project feeds (all the project's) and person feeds (those the person
is invited to), with their own UID (``meeting.uid``), SEQUENCE, and times in the meeting's zone.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import DateTimeField, F, Func, IntegerField, Q, QuerySet, Subquery
from django.utils import timezone
from icalendar import Calendar, Event, vText

from core.vtimezone import vtimezone
from projects.calendar import meeting_event
from projects.models import Meeting, Membership, Project
from studio.models import Booking, FeedToken, Room, Studio
from studio.selectors import lapsed_holds

WINDOW_BACK = datetime.timedelta(days=90)
WINDOW_AHEAD = datetime.timedelta(days=548)
MARGIN = datetime.timedelta(days=2)
REFRESH = datetime.timedelta(hours=1)
PRODID = "-//Tracksheet//Studio bookings//EN"
# A version of a feed is good for the day at most (the window moves with the date).
CACHE_SECONDS = 24 * 60 * 60

ROW_FIELDS = (
    "uid",
    "start",
    "end",
    "title",
    "status",
    "sequence",
    "created_at",
    "updated_at",
    "notes",
    "expires_at",
    "room_id",
    "project_id",
    "engineer__name",
)
ICAL_STATUS = {
    Booking.Status.HOLD_1: "TENTATIVE",
    Booking.Status.HOLD_2: "TENTATIVE",
    Booking.Status.CONFIRMED: "CONFIRMED",
    Booking.Status.CANCELLED: "CANCELLED",
}


def feed_lookup(token: str) -> FeedToken | None:
    """The live feed for a secret, with its target loaded, in one query."""
    return (
        FeedToken.objects.select_related("owner", "person", "room__studio", "studio", "project")
        .filter(token=token, revoked_at__isnull=True, owner__is_active=True)
        .first()
    )


def feed_bookings(feed: FeedToken, *, now: datetime.datetime | None = None) -> QuerySet[Booking]:
    """The feed's bookings in its window that its owner may see: their projects' bookings,
    and every booking in a studio they manage."""
    now = now or timezone.now()
    owner = feed.owner
    # Subqueries, not joins: the rows stay unique without DISTINCT.
    visible = Q(project__in=Membership.objects.filter(user=owner).values("project_id")) | Q(
        room__studio__in=Studio.objects.filter(managers=owner).values("pk")
    )
    target = {
        FeedToken.Kind.PERSON: Q(engineer=feed.person_id),
        FeedToken.Kind.ROOM: Q(room=feed.room_id),
        FeedToken.Kind.STUDIO: Q(room__studio=feed.studio_id),
        FeedToken.Kind.PROJECT: Q(project=feed.project_id),
    }[FeedToken.Kind(feed.kind)]
    return Booking.objects.filter(
        target, visible, end__gt=now - WINDOW_BACK, start__lt=now + WINDOW_AHEAD
    )


def feed_meetings(feed: FeedToken, *, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """The feed's meetings in its window that its owner may see (their projects' only: a
    studio manager sees studio days, not the productions' meetings). Room and studio feeds
    have none: a meeting takes no room."""
    now = now or timezone.now()
    if feed.kind == FeedToken.Kind.PROJECT:
        target = Q(project=feed.project_id)
    elif feed.kind == FeedToken.Kind.PERSON:
        # A subquery, not a join: the rows stay unique without DISTINCT.
        target = Q(pk__in=Meeting.objects.filter(people=feed.person_id).values("pk"))
    else:
        return Meeting.objects.none()
    visible = Q(project__in=Membership.objects.filter(user=feed.owner_id).values("project_id"))
    return Meeting.objects.filter(
        target, visible, end__gt=now - WINDOW_BACK, start__lt=now + WINDOW_AHEAD
    )


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime.datetime


def _scalar(rows: QuerySet[Any], function: str, field: str, output: Any) -> Subquery:
    """``SELECT COUNT(field)`` (or MAX) over ``rows`` as a scalar subquery: a plain function,
    not an aggregate, so no GROUP BY is added and the subquery gives exactly one row."""
    return Subquery(
        rows.order_by()
        .annotate(v=Func(F(field), function=function, output_field=output))
        .values("v")[:1]
    )


def feed_version(feed: FeedToken, bookings: QuerySet[Booking]) -> FeedVersion:
    """What the feed's content depends on, in one query: an ETag a poll can compare before
    anything is built. The day is in it because the window moves with it; the meetings are in
    it (their count and last change) as the bookings are."""
    now = timezone.now()
    meetings = feed_meetings(feed, now=now)
    # A hold lapses by the clock, with no write to date it (beat may not have run): how many
    # have lapsed is part of the version, so a poll sees the change.
    stats = (
        FeedToken.objects.filter(pk=feed.pk)
        .annotate(
            count=_scalar(bookings, "COUNT", "pk", IntegerField()),
            last=_scalar(bookings, "MAX", "updated_at", DateTimeField()),
            lapsed=_scalar(bookings.filter(lapsed_holds(now)), "COUNT", "pk", IntegerField()),
            meetings=_scalar(meetings, "COUNT", "pk", IntegerField()),
            meetings_last=_scalar(meetings, "MAX", "updated_at", DateTimeField()),
        )
        .values("count", "last", "lapsed", "meetings", "meetings_last")
        .get()
    )
    last = max(
        (t for t in (stats["last"], stats["meetings_last"]) if t is not None),
        default=feed.created_at,
    )
    basis = (
        f"{feed.pk}:{feed.token}:{stats['count']}:{stats['lapsed']}:{stats['meetings']}:"
        f"{last.isoformat()}:{now.date().isoformat()}"
    )
    return FeedVersion(
        etag=f'"{hashlib.sha256(basis.encode()).hexdigest()[:32]}"', last_modified=last
    )


def _summary(row: dict[str, Any], room: Room, project: Project) -> str:
    if row.get("lapsed"):
        return f"[hold lapsed] {row['title'] or project.title} · {room.name}"
    prefix = {
        Booking.Status.HOLD_1: "[1st hold] ",
        Booking.Status.HOLD_2: "[2nd hold] ",
        Booking.Status.CANCELLED: "[cancelled] ",
    }.get(row["status"], "")
    return f"{prefix}{row['title'] or project.title} · {room.name}"


def _description(row: dict[str, Any], project: Project, zone: datetime.tzinfo) -> str:
    lines = [
        f"Project: {project.artist}: {project.title}",
        f"Status: {Booking.Status(row['status']).label}",
    ]
    if row["engineer__name"]:
        lines.append(f"Engineer: {row['engineer__name']}")
    if row["status"] in Booking.HOLDS and row["expires_at"] is not None:
        lines.append(f"Hold expires: {row['expires_at'].astimezone(zone):%Y-%m-%d %H:%M %Z}")
    if row["notes"]:
        lines += ["", row["notes"]]
    return "\n".join(lines)


def booking_event(
    row: dict[str, Any], room: Room, project: Project, stamp: datetime.datetime
) -> Event:
    studio = room.studio
    zone = studio.zone
    event = Event()
    event.add("uid", f"{row['uid']}@tracksheet")
    event.add("dtstamp", stamp)
    event.add("dtstart", row["start"].astimezone(zone))
    event.add("dtend", row["end"].astimezone(zone))
    event.add("summary", _summary(row, room, project))
    event.add("status", ICAL_STATUS[row["status"]])
    event.add("sequence", row["sequence"])
    event.add("created", row["created_at"])
    event.add("last-modified", row["updated_at"])
    location = ", ".join(part for part in (f"{studio.name} {room.name}", studio.address) if part)
    event.add("location", vText(location.replace("\n", ", ")))
    event.add("description", _description(row, project, zone))
    cancelled = row["status"] == Booking.Status.CANCELLED
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def feed_body(feed: FeedToken, bookings: QuerySet[Booking], version: FeedVersion) -> bytes:
    """The feed's bytes from the cache under its version, built on a miss. The ETag covers
    the bookings, the token and the day, so a change to any of them is a new key; old keys
    age out of the cache on their own."""
    key = "feed:{}:{}".format(feed.pk, version.etag.strip('"'))
    body = cache.get(key)
    if body is None:
        body = build_feed(feed, bookings)
        cache.set(key, body, timeout=CACHE_SECONDS)
    return body


def _by_the_clock(row: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """A hold past its expiry is shown cancelled (as the expiry task will mark it), with a
    SEQUENCE one higher, so calendar apps update the event in place."""
    expires = row["expires_at"]
    if row["status"] in Booking.HOLDS and expires is not None and expires <= now:
        return {
            **row,
            "status": Booking.Status.CANCELLED,
            "sequence": row["sequence"] + 1,
            "lapsed": True,
        }
    return row


def build_feed(feed: FeedToken, bookings: QuerySet[Booking]) -> bytes:
    """The calendar as bytes, with a VTIMEZONE for every studio zone and meeting zone it uses.

    Bookings are read as plain rows and their few rooms and projects once each: a feed of
    thousands of bookings would otherwise spend more time building model instances than
    writing iCalendar. Meetings are far fewer; they come with their project and people.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Tracksheet: {feed.target}")
    # Clients that know REFRESH-INTERVAL (RFC 7986) poll hourly; Outlook reads X-PUBLISHED-TTL.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    now = timezone.now()
    rows = [_by_the_clock(row, now) for row in bookings.order_by("start", "pk").values(*ROW_FIELDS)]
    rooms = Room.objects.select_related("studio").in_bulk({row["room_id"] for row in rows})
    projects = Project.objects.only("title", "artist").in_bulk({row["project_id"] for row in rows})
    meetings = list(
        feed_meetings(feed, now=now)
        .select_related("project")
        .prefetch_related("people")
        .order_by("start", "pk")
    )
    # Zones cover the window (and a margin for bookings that reach past its edges).
    first, last = (now - WINDOW_BACK - MARGIN).date(), (now + WINDOW_AHEAD + MARGIN).date()
    zones = {room.studio.time_zone for room in rooms.values()} | {m.time_zone for m in meetings}
    for zone_name in sorted(zones):
        calendar.add_component(vtimezone(zone_name, first, last))
    for row in rows:
        calendar.add_component(
            booking_event(row, rooms[row["room_id"]], projects[row["project_id"]], now)
        )
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, stamp=now))
    return calendar.to_ical()
