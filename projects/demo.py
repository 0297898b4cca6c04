"""The people and productions of `manage.py demo` (projects.management.commands.demo), and
their meetings in the coming days: a pre-production meeting, a listening session, a call with
the label. The apps above add theirs (studio.demo, songs.demo, ...). Every name is invented; a
second run finds each row by its natural key and adds nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.utils import timezone

from projects.models import Invitation, Meeting, Person, Project, Role
from projects.services.joining import invitation_create
from projects.services.meetings import meeting_create

# The demo studio's zone (studio.demo): the meetings are held there.
ZONE = zoneinfo.ZoneInfo("Europe/Berlin")

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "tracksheet-demo"  # noqa: S105 - a published demo login, local use only

USERS = [
    # username, first, last, email
    (DEMO_USERNAME, "Robin", "Marsh", "robin.marsh@example.com"),
    ("kit", "Kit", "Okafor-Lind", "kit.okafor-lind@example.com"),
    ("sol", "Sol", "Varga", "sol.varga@example.com"),
    ("wren", "Wren", "Castellano", "wren.castellano@example.com"),
]

PEOPLE = [
    # name, email, instruments, username with a login (or "")
    ("Robin Marsh", "robin.marsh@example.com", "keys, synths", DEMO_USERNAME),
    ("Kit Okafor-Lind", "kit.okafor-lind@example.com", "", "kit"),
    ("Sol Varga", "sol.varga@example.com", "", "sol"),
    ("Wren Castellano", "wren.castellano@example.com", "vocals, acoustic guitar", "wren"),
    ("Juniper Ashgrove", "juniper@example.com", "double bass, electric bass", ""),
    ("Tobiah Quell", "tobiah.quell@example.com", "drums, percussion", ""),
    ("Marisol Dunmore", "marisol@example.com", "violin, viola", ""),
    ("Ezra Pennick", "ezra.pennick@example.com", "tenor sax, clarinet, flute", ""),
]

PROJECTS: list[dict[str, Any]] = [
    {
        "title": "Low Tide Sessions",
        "artist": "The Marlow Echoes",
        "client": "Driftwood Records",
        "currency": "EUR",
        "status": Project.Status.RECORDING,
        "start_date": datetime.date(2026, 11, 2),
        "due_date": datetime.date(2027, 3, 26),
        "notes": "Ten songs live to tape, overdubs in B. Strings on two songs.",
        "members": [
            (DEMO_USERNAME, Role.PRODUCER),
            ("kit", Role.ENGINEER),
            ("sol", Role.ACCOUNTANT),
        ],
        "people": ["Juniper Ashgrove", "Tobiah Quell", "Marisol Dunmore"],
    },
    {
        "title": "Paper Lanterns (single)",
        "artist": "Wren Castellano",
        "client": "",
        "currency": "EUR",
        "status": Project.Status.PRE_PRODUCTION,
        "start_date": datetime.date(2026, 12, 7),
        "due_date": datetime.date(2027, 2, 12),
        "notes": "Voice and guitar first, sax overdub, mix in house.",
        "members": [(DEMO_USERNAME, Role.PRODUCER), ("wren", Role.ARTIST), ("kit", Role.ENGINEER)],
        "people": ["Ezra Pennick"],
    },
]


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


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    today = timezone.now().astimezone(ZONE).date()
    return datetime.datetime.combine(
        today + datetime.timedelta(days=days), datetime.time(hour, minute), tzinfo=ZONE
    )


# Invitations waiting for an answer: (project, address, role, contact it was sent from or "").
INVITATIONS = [
    ("Low Tide Sessions", "marisol@example.com", Role.VIEWER, "Marisol Dunmore"),
    ("Low Tide Sessions", "mastering@example.com", Role.ENGINEER, ""),
]


def load_invitations(*, by: Any) -> None:
    """Invitations the demo producer sent and nobody has answered yet (the hub lists them)."""
    for project_title, email, role, name in INVITATIONS:
        project = Project.objects.get(title=project_title)
        if Invitation.objects.filter(project=project, email=email).exists():
            continue
        person = Person.objects.filter(name=name).first() if name else None
        invitation_create(project=project, email=email, role=role, by=by, person=person)


def load_meetings(*, by: Any) -> None:
    """Meetings in the coming days, in the demo studio's zone (studio.demo)."""
    by_title = {
        project.title: project
        for project in Project.objects.filter(title__in=[s["title"] for s in PROJECTS])
    }
    for project_title, title, kind, days, start, end, place, link, names in MEETINGS:
        project = by_title[project_title]
        if Meeting.objects.filter(project=project, title=title).exists():
            continue
        meeting_create(
            project=project,
            title=title,
            kind=kind,
            start=_at(days, *start),
            end=_at(days, *end),
            time_zone=ZONE.key,
            place=place,
            link=link,
            people=list(Person.objects.filter(name__in=names, projects=project)),
            by=by,
        )
