"""The demo's meetings and the holds that give Today something to ask about: a pre-production
meeting and a listening session in the coming days, a hold lapsing within 48 hours of loading
the demo, and a 1st hold challenged by a 2nd. Every name is invented; a second run finds each
row by its project and title and adds nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from studio import services
from studio.models import Booking, Meeting, Person, Project, Room, Studio
from studio.services.meetings import meeting_create

MEETINGS = [
    # project title, title, kind, days from today, start, end (studio time), place, link, people
    (
        "Paper Lanterns (single)",
        "Pre-production: arrangement and keys",
        Meeting.Kind.PRE_PRODUCTION,
        1,
        (16, 0),
        (17, 30),
        "Harbour Lane Studios, control room B",
        "",
        ["Wren Castellano", "Robin Marsh", "Ezra Pennick"],
    ),
    (
        "Low Tide Sessions",
        "Listening session: rough mixes",
        Meeting.Kind.LISTENING,
        4,
        (19, 0),
        (21, 0),
        "Harbour Lane Studios, Studio A",
        "https://meet.example.com/low-tide-roughs",
        ["Robin Marsh", "Kit Okafor-Lind", "Juniper Ashgrove", "Tobiah Quell"],
    ),
    (
        "Low Tide Sessions",
        "Call with the label",
        Meeting.Kind.CALL,
        9,
        (11, 0),
        (11, 30),
        "",
        "https://meet.example.com/driftwood",
        ["Robin Marsh", "Sol Varga"],
    ),
]


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


def load(*, by: Any, studio: Studio, projects: list[Project]) -> None:
    by_title = {project.title: project for project in projects}
    for project_title, title, kind, days, start, end, place, link, names in MEETINGS:
        project = by_title[project_title]
        if Meeting.objects.filter(project=project, title=title).exists():
            continue
        meeting_create(
            project=project,
            title=title,
            kind=kind,
            start=_at(studio, days, *start),
            end=_at(studio, days, *end),
            time_zone=studio.time_zone,
            place=place,
            link=link,
            people=list(Person.objects.filter(name__in=names, projects=project)),
            by=by,
        )
    rooms = {room.name: room for room in studio.rooms.all()}
    lanterns, low_tide = by_title["Paper Lanterns (single)"], by_title["Low Tide Sessions"]
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
