"""Feeds read back by ical.js, the parser inside Thunderbird and Nextcloud (npm, run with node).

Python's icalendar reads our VTIMEZONEs right whatever their form; ical.js is stricter in what
it understands, so every event's instants are compared with what is stored, in the three kinds
of zone: northern daylight time, the US rule, and a southern one.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from icalendar import Calendar, Timezone

from core.vtimezone import transitions, vtimezone
from projects.models import Project
from studio import services
from studio.models import Booking
from tests.clock import today
from tests.factories import RoomFactory, StudioFactory

pytestmark = pytest.mark.django_db

READER = Path(__file__).resolve().parent.parent / "readers" / "ical_events.mjs"
ICALJS = Path(settings.BASE_DIR) / "node_modules" / "ical.js" / "package.json"
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]


def read_with_icaljs(body: bytes) -> dict[str, dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not ICALJS.exists():
        message = "ical.js is not installed: run `make install` (node and npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(  # noqa: S603 (our own script, no shell)
        [node, str(READER)], input=body, capture_output=True, check=True, timeout=60
    )
    return {event["uid"].removesuffix("@tracksheet"): event for event in json.loads(result.stdout)}


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def at(zone: ZoneInfo, day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


@pytest.mark.parametrize("zone_name", ZONES)
def test_icaljs_reads_every_instant_as_stored(
    client: Client, owner: Any, project: Project, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    studio = StudioFactory.create(time_zone=zone_name, managers=[owner])
    project.studios.add(studio)
    room = RoomFactory.create(studio=studio)
    now = timezone.now()
    # One year exactly: a longer window holds a third change on some days of the year.
    changes = transitions(
        zone, now + datetime.timedelta(days=40), now + datetime.timedelta(days=40 + 365)
    )
    assert len(changes) == 2, changes  # a spring and an autumn change ahead, whatever today is
    bookings: list[Booking] = []
    series: list[Booking] = []

    def book(start: datetime.datetime, end: datetime.datetime, **kw: Any) -> list[Booking]:
        made = services.booking_create(
            by=owner, room=room, project=project, start=start, end=end, **kw
        )
        bookings.extend(made)
        return made

    for change in changes:
        day = change.at.astimezone(zone).date()
        # Either side of the change: one day in each regime (winter and summer).
        for side in (-30, 30):
            other = day + datetime.timedelta(days=side)
            book(at(zone, other, 10), at(zone, other, 12))
        # The night across the change, and a day session on the day itself.
        book(at(zone, day, 0), at(zone, day, 6), status="confirmed")
        book(at(zone, day, 10), at(zone, day, 13))
        # A weekly series at the same wall-clock time, across the change.
        series += book(
            at(zone, day - datetime.timedelta(days=14), 15),
            at(zone, day - datetime.timedelta(days=14), 18),
            rrule="FREQ=WEEKLY;COUNT=4",
        )
    feed = services.feed_token_create(owner=owner, target=room)

    events = read_with_icaljs(client.get(f"/feeds/{feed.token}.ics").content)

    assert len(bookings) == 2 * (2 + 2 + 4)
    assert set(events) == {str(booking.uid) for booking in bookings}
    for booking in bookings:
        event = events[str(booking.uid)]
        assert event["zone"] == zone_name
        assert (utc(event["start"]), utc(event["end"])) == (booking.start, booking.end), (
            booking.start.astimezone(zone),
            event,
        )
    # The series keeps its wall-clock time, so its UTC time moves by the change.
    assert {b.start.astimezone(zone).time() for b in series} == {datetime.time(15)}
    for one_series in (series[:4], series[4:]):
        assert len({b.start.astimezone(datetime.UTC).time() for b in one_series}) == 2


@pytest.mark.parametrize("zone_name", [*ZONES, "Europe/London", "Asia/Tokyo", "America/Nuuk"])
def test_vtimezone_agrees_with_the_zone_database(zone_name: str) -> None:
    """Every hour of the period, the offset ical.js would compute from our component's rules
    equals zoneinfo's; here read with Python's icalendar, across the observances we wrote."""
    # About two years from today, so the rules are checked for the years ahead, whenever run.
    first = today() - datetime.timedelta(days=100)
    last = first + datetime.timedelta(days=640)
    component = vtimezone(zone_name, first, last)
    calendar = Calendar()
    calendar.add_component(component)
    parsed = Calendar.from_ical(calendar.to_ical()).walk("VTIMEZONE")[0]
    assert isinstance(parsed, Timezone)
    tzinfo = parsed.to_tz()
    zone = ZoneInfo(zone_name)
    moment = datetime.datetime.combine(first, datetime.time(), tzinfo=datetime.UTC)
    while moment.date() < last:
        assert moment.astimezone(tzinfo).utcoffset() == moment.astimezone(zone).utcoffset(), moment
        moment += datetime.timedelta(hours=1)
    # Zones with a yearly rule are written as Outlook writes them: two observances with RRULEs.
    observances = component.subcomponents
    if zone_name in ZONES or zone_name == "Europe/London":
        assert len(observances) == 2
        assert all("RRULE" in observance for observance in observances)
    else:  # no daylight time (Tokyo), or a rule an RRULE cannot say (Nuuk's change at -1:00)
        assert not any("RDATE" in observance for observance in observances)
