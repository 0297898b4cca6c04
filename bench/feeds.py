"""Calendar feeds and availability.

- A project feed of 10,000 bookings, as a request, against building the same calendar with
  icalendar alone from rows already in memory (goal: at most 1.3 times its time).
- A repeat full GET without If-None-Match, as Google polls: served from the cache by the
  feed's version (goal: under 50 ms at the 95th percentile).
- A repeat poll with If-None-Match: time and queries (goal: a 304 in at most 2 queries).
- A room's availability over a month: queries (goal: at most 3).
"""

import datetime
import os
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from icalendar import Calendar, Event
from rest_framework.authtoken.models import Token

from bench.harness import measure, ratio
from projects.models import Membership, Project, Role
from studio import services
from studio.models import Booking, Room, Studio

BOOKINGS = 10_000
ROOMS = 10
REPEAT = int(os.environ.get("BENCH_FEED_REPEAT", "5"))


def seed() -> tuple[User, Project, list[Room]]:
    user = User.objects.create_user("bench-calendar")
    studio = Studio.objects.create(name="Bench Studio", time_zone="Europe/Berlin", currency="EUR")
    rooms = Room.objects.bulk_create(
        Room(
            studio=studio,
            name=f"Room {i}",
            hourly_rate=Decimal(90),
            half_day_rate=Decimal(400),
            day_rate=Decimal(750),
        )
        for i in range(ROOMS)
    )
    project = Project.objects.create(title="Bench Record", artist="Bench Band")
    Membership.objects.create(project=project, user=user, role=Role.PRODUCER)
    project.studios.add(studio)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=30)
    statuses = [Booking.Status.CONFIRMED, Booking.Status.HOLD_1, Booking.Status.CANCELLED]
    Booking.objects.bulk_create(
        Booking(
            room=rooms[i % ROOMS],
            project=project,
            title=f"Session {i}",
            start=start + datetime.timedelta(minutes=90 * (i // ROOMS)),
            end=start + datetime.timedelta(minutes=90 * (i // ROOMS) + 60),
            status=statuses[i % 3],
            quoted_amount=Decimal(90),
            notes="Overdubs: guitars, then vocals.",
        )
        for i in range(BOOKINGS)
    )
    return user, project, rooms


def icalendar_alone(rows: list[dict[str, Any]]) -> bytes:
    """The same calendar from rows in memory, with icalendar and nothing of ours."""
    calendar = Calendar()
    calendar.add("prodid", "-//bench//EN")
    calendar.add("version", "2.0")
    stamp = timezone.now()
    for row in rows:
        event = Event()
        event.add("uid", f"{row['uid']}@tracksheet")
        event.add("dtstamp", stamp)
        event.add("dtstart", row["start"].astimezone(row["zone"]))
        event.add("dtend", row["end"].astimezone(row["zone"]))
        event.add("summary", f"{row['title']} · {row['room']}")
        event.add("status", "CONFIRMED")
        event.add("sequence", row["sequence"])
        event.add("created", row["created_at"])
        event.add("last-modified", row["updated_at"])
        event.add("location", f"Bench Studio {row['room']}")
        event.add("description", f"Project: {row['project']}\nStatus: confirmed\n\n{row['notes']}")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


@override_settings(DEBUG=False)
def run() -> None:
    user, project, rooms = seed()
    feed = services.feed_token_create(owner=user, target=project)
    client = Client()
    path = f"/feeds/{feed.token}.ics"
    first = client.get(path)
    assert first.status_code == 200
    count = first.content.count(b"BEGIN:VEVENT")
    zone = rooms[0].studio.zone
    rows = [
        {**row, "zone": zone, "room": row["room__name"], "project": "Bench Band: Bench Record"}
        for row in Booking.objects.filter(project=project)
        .order_by("start")
        .values(
            "uid",
            "start",
            "end",
            "title",
            "sequence",
            "created_at",
            "updated_at",
            "notes",
            "room__name",
        )
    ]
    print(
        f"  project feed of {count} bookings ({len(first.content) // 1024} KiB), "
        f"{REPEAT} builds each"
    )

    def build_request() -> None:
        cache.clear()  # a changed feed: nothing to reuse
        client.get(path)

    ours = measure("feed request (query + build)", build_request, repeat=REPEAT, warmup=1)
    baseline = measure(
        "icalendar alone, rows in memory", lambda: icalendar_alone(rows), repeat=REPEAT, warmup=1
    )
    print(ours.row())
    print(baseline.row())
    print(ratio("feed / icalendar alone", ours, baseline, goal=1.3))

    def full_get() -> None:
        response = client.get(path)
        assert response.status_code == 200
        assert response.content.count(b"BEGIN:VEVENT") == count

    full_get()
    repeat_full = measure("repeat full GET (no If-None-Match)", full_get, repeat=200)
    print(
        repeat_full.row()
        + f"   (goal p95 < 50 ms: {'met' if repeat_full.p95_ms < 50 else 'MISSED'})"
    )

    etag = first["ETag"]

    def poll() -> None:
        response = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304

    repeat_poll = measure("repeat poll, If-None-Match -> 304", poll, repeat=200)
    print(
        repeat_poll.row()
        + f"   (goal <= 2 queries: {'met' if repeat_poll.queries <= 2 else 'MISSED'})"
    )

    key = Token.objects.create(user=user).key
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    month = {"start": "2026-12-01T00:00:00+01:00", "end": "2027-01-01T00:00:00+01:00"}
    availability = f"/api/v1/rooms/{rooms[0].pk}/availability/"
    assert api.get(availability, month).status_code == 200
    timing = measure(
        "room availability over a month", lambda: api.get(availability, month), repeat=100
    )
    goal = "met" if timing.queries <= 3 else "MISSED"
    print(timing.row() + f"   (goal <= 3 queries: {goal})")
