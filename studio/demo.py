"""The studio part of `manage.py demo`: an invented studio in Hamburg with two rooms and its
gear, used by both demo productions; studio days from tomorrow on, so the calendar and Today
have something to show; a hold lapsing within 48 hours of loading the demo, and a 1st hold
challenged by a 2nd. Every name is invented; a second run finds each row by its natural key
and adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from projects.demo import PROJECTS
from projects.models import Person, Project
from studio import services
from studio.models import Booking, Gear, Room, Studio

ROOMS = [
    # name, description, capacity, hourly, half day, day
    ("Studio A", "Live room 60 m², iso booth, 32-channel console", 12, "95", "420", "780"),
    ("Studio B", "Overdub and mix room", 3, "60", "260", "480"),
]

GEAR = [
    # name, category, make, model, serial, room index or None, day rate
    ("Tube condenser mic", "microphone", "Halvard", "T-47", "HV-47-0112", 0, "45"),
    ("Ribbon mic pair", "microphone", "Oakridge", "R2", "OR-2-5531", 0, "30"),
    ("Dual mic preamp", "preamp", "Brindle", "P-2", "BR-P2-0087", 0, "25"),
    ("Stereo bus compressor", "outboard", "Brindle", "C-S", "BR-CS-0410", 1, "35"),
    ("Upright piano", "instrument", "Kessler & Sohn", "U121", "KS-121-9", 0, "60"),
    ("Tape machine, 16 track", "recorder", "Ferrow", "T16", "FW-T16-77", 0, "150"),
    ("Nearfield monitors", "monitor", "Linnet", "N8", "LN-N8-2231", 1, "0"),
]


BOOKINGS = [
    # project title, title, room, days from today, start hour, end hour, status, extras
    (
        "Low Tide Sessions",
        "Basic tracking, day 1",
        "Studio A",
        1,
        10,
        20,
        "confirmed",
        {"engineer", "tape"},
    ),
    (
        "Low Tide Sessions",
        "Basic tracking, day 2",
        "Studio A",
        2,
        10,
        20,
        "confirmed",
        {"engineer", "tape"},
    ),
    ("Low Tide Sessions", "Strings overdub", "Studio B", 3, 14, 19, None, {"engineer"}),
    ("Paper Lanterns (single)", "Vocal comping", "Studio B", 3, 15, 18, None, set()),
    ("Paper Lanterns (single)", "Live take, voice and guitar", "Studio A", 5, 11, 17, None, set()),
    ("Low Tide Sessions", "Percussion overdubs", "Studio B", 6, 10, 15, "confirmed", set()),
]


def load(*, by: Any) -> None:
    studio = _studio(by)
    studio.projects.add(*Project.objects.filter(title__in=[spec["title"] for spec in PROJECTS]))
    _bookings(by=by, studio=studio)
    _holds(by=by, studio=studio)


def _studio(manager: Any) -> Studio:
    studio, _ = Studio.objects.get_or_create(
        name="Harbour Lane Studios",
        defaults={
            "address": "Harbour Lane 12, 20457 Hamburg, Germany",
            "time_zone": "Europe/Berlin",
            "currency": "EUR",
        },
    )
    studio.managers.add(manager)
    rooms = []
    for name, description, capacity, hourly, half, day in ROOMS:
        room, _ = Room.objects.get_or_create(
            studio=studio,
            name=name,
            defaults={
                "description": description,
                "capacity": capacity,
                "hourly_rate": Decimal(hourly),
                "half_day_rate": Decimal(half),
                "day_rate": Decimal(day),
            },
        )
        rooms.append(room)
    for name, category, make, model, serial, room_index, rate in GEAR:
        Gear.objects.get_or_create(
            studio=studio,
            serial_number=serial,
            defaults={
                "name": name,
                "category": category,
                "make": make,
                "model": model,
                "room": rooms[room_index] if room_index is not None else None,
                "day_rate": Decimal(rate),
            },
        )
    return studio


def _bookings(*, by: Any, studio: Studio) -> None:
    """Studio days from tomorrow on, so the calendar and dashboard have something to show.
    Found again by project and title, so a second run adds nothing."""
    rooms = {room.name: room for room in studio.rooms.all()}
    tape = Gear.objects.get(studio=studio, serial_number="FW-T16-77")
    engineer = Person.objects.get(name="Kit Okafor-Lind")
    today = timezone.now().astimezone(studio.zone).date()
    for project_title, title, room, day, start, end, status, extra in BOOKINGS:
        project = Project.objects.get(title=project_title)
        if Booking.objects.filter(project=project, title=title).exists():
            continue
        first = datetime.datetime.combine(
            today + datetime.timedelta(days=day), datetime.time(start), tzinfo=studio.zone
        )
        services.booking_create(
            by=by,
            room=rooms[room],
            project=project,
            start=first,
            end=first + datetime.timedelta(hours=end - start),
            status=status,
            title=title,
            engineer=engineer if "engineer" in extra else None,
            gear=[tape] if "tape" in extra else [],
        )


def _at(studio: Studio, days: int, hour: int, minute: int = 0) -> datetime.datetime:
    today = timezone.now().astimezone(studio.zone).date()
    return datetime.datetime.combine(
        today + datetime.timedelta(days=days), datetime.time(hour, minute), tzinfo=studio.zone
    )


def _hold(
    *,
    by: Any,
    room: Room,
    project: Project,
    title: str,
    start: datetime.datetime,
    hours: int,
    expires_at: datetime.datetime | None = None,
) -> Booking:
    found = Booking.objects.filter(project=project, title=title).first()
    if found is not None:
        return found
    [booking] = services.booking_create(
        by=by,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=hours),
        title=title,
        expires_at=expires_at,
    )
    return booking


def _holds(*, by: Any, studio: Studio) -> None:
    rooms = {room.name: room for room in studio.rooms.all()}
    lanterns = Project.objects.get(title="Paper Lanterns (single)")
    low_tide = Project.objects.get(title="Low Tide Sessions")
    # A hold that lapses 30 hours after the demo is loaded: Today offers to confirm it.
    _hold(
        by=by,
        room=rooms["Studio B"],
        project=lanterns,
        title="Mix review",
        start=_at(studio, 4, 10),
        hours=3,
        expires_at=timezone.now() + datetime.timedelta(hours=30),
    )
    # A 1st hold challenged by the other production's 2nd hold: Today says it waits on you.
    first = _hold(
        by=by,
        room=rooms["Studio A"],
        project=lanterns,
        title="Sax overdub",
        start=_at(studio, 8, 15),
        hours=3,
    )
    second = _hold(
        by=by,
        room=rooms["Studio A"],
        project=low_tide,
        title="Drum fixes",
        start=_at(studio, 8, 15),
        hours=3,
    )
    if (
        first.status == Booking.Status.HOLD_1
        and first.challenged_at is None
        and second.status == Booking.Status.HOLD_2
    ):
        services.booking_challenge(booking=second)
