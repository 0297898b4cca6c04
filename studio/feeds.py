"""iCalendar feeds of bookings (RFC 5545) for Apple Calendar, Google, Outlook, Thunderbird.

A feed shows a window around today (90 days back, 18 months ahead) of one person's, room's,
studio's or project's bookings, limited to what the feed's owner may see now. Holds are
TENTATIVE, bookings CONFIRMED, cancellations CANCELLED; a booking's UID never changes and its
SEQUENCE grows with each change, so clients update events in place instead of duplicating them.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event, vText

from studio.models import Booking, FeedToken, Membership, Studio

WINDOW_BACK = datetime.timedelta(days=90)
WINDOW_AHEAD = datetime.timedelta(days=548)
REFRESH = datetime.timedelta(hours=1)
PRODID = "-//Tracksheet//Studio bookings//EN"

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


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime.datetime


def feed_version(feed: FeedToken, bookings: QuerySet[Booking]) -> FeedVersion:
    """What the feed's content depends on, in one aggregate query: an ETag a poll can compare
    before anything is built. The day is in it because the window moves with it."""
    stats = bookings.order_by().aggregate(count=Count("pk"), last=Max("updated_at"))
    last = stats["last"] or feed.created_at
    today = timezone.now().date().isoformat()
    basis = f"{feed.pk}:{feed.token}:{stats['count']}:{last.isoformat()}:{today}"
    return FeedVersion(
        etag=f'"{hashlib.sha256(basis.encode()).hexdigest()[:32]}"', last_modified=last
    )


def _summary(booking: Booking) -> str:
    name = booking.title or booking.project.title
    prefix = {
        Booking.Status.HOLD_1: "[1st hold] ",
        Booking.Status.HOLD_2: "[2nd hold] ",
        Booking.Status.CANCELLED: "[cancelled] ",
    }.get(Booking.Status(booking.status), "")
    return f"{prefix}{name} · {booking.room.name}"


def _description(booking: Booking, zone: datetime.tzinfo) -> str:
    lines = [
        f"Project: {booking.project.artist}: {booking.project.title}",
        f"Status: {booking.get_status_display()}",
    ]
    if booking.engineer is not None:
        lines.append(f"Engineer: {booking.engineer.name}")
    if booking.is_hold and booking.expires_at is not None:
        lines.append(f"Hold expires: {booking.expires_at.astimezone(zone):%Y-%m-%d %H:%M %Z}")
    if booking.notes:
        lines.append("")
        lines.append(booking.notes)
    return "\n".join(lines)


def _event(booking: Booking, stamp: datetime.datetime) -> Event:
    studio: Studio = booking.room.studio
    zone = studio.zone
    event = Event()
    event.add("uid", f"{booking.uid}@tracksheet")
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.start.astimezone(zone))
    event.add("dtend", booking.end.astimezone(zone))
    event.add("summary", _summary(booking))
    event.add("status", ICAL_STATUS[Booking.Status(booking.status)])
    event.add("sequence", booking.sequence)
    event.add("created", booking.created_at)
    event.add("last-modified", booking.updated_at)
    location = ", ".join(
        part for part in (f"{studio.name} {booking.room.name}", studio.address) if part
    )
    event.add("location", vText(location.replace("\n", ", ")))
    event.add("description", _description(booking, zone))
    event.add("transp", "TRANSPARENT" if booking.status == Booking.Status.CANCELLED else "OPAQUE")
    return event


def build_feed(feed: FeedToken, bookings: QuerySet[Booking]) -> bytes:
    """The calendar as bytes, with a VTIMEZONE for every studio zone it uses."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Tracksheet: {feed.target}")
    # Clients that know REFRESH-INTERVAL (RFC 7986) poll hourly; Outlook reads X-PUBLISHED-TTL.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    rows = bookings.select_related("room__studio", "project", "engineer").order_by("start", "pk")
    for booking in rows:
        calendar.add_component(_event(booking, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
