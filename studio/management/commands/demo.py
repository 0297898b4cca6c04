"""`manage.py demo`: an invented studio, its people and two productions, with a demo login.

Every name here is invented. Running it again changes nothing: rows are found by their
natural keys and only created when missing.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from studio import demo_agenda, services
from studio.models import (
    DEFAULT_PARTS,
    Booking,
    Gear,
    Membership,
    Part,
    Person,
    PersonCard,
    Project,
    Role,
    Room,
    Song,
    SongPart,
    SongStage,
    Studio,
)

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


BOOKINGS = [
    # project index, title, room, days from today, start hour, end hour, status, extras
    (0, "Basic tracking, day 1", "Studio A", 1, 10, 20, "confirmed", {"engineer", "tape"}),
    (0, "Basic tracking, day 2", "Studio A", 2, 10, 20, "confirmed", {"engineer", "tape"}),
    (0, "Strings overdub", "Studio B", 3, 14, 19, None, {"engineer"}),
    (1, "Vocal comping", "Studio B", 3, 15, 18, None, set()),
    (1, "Live take, voice and guitar", "Studio A", 5, 11, 17, None, set()),
    (0, "Percussion overdubs", "Studio B", 6, 10, 15, "confirmed", set()),
]

SONGS = [
    # project index, title, working title, key, tempo, stage, due in days (None: no date),
    # holder's name (or "")
    (0, "Low Tide", "", "D minor", "84", SongStage.OVERDUBS, 21, "Kit Okafor-Lind"),
    (0, "Harbour Lights", "Song for Nell", "G major", "112", SongStage.TRACKING, 10, ""),
    (0, "Saltwater Hymn", "", "E minor", "68", SongStage.PRE_PRODUCTION, 40, ""),
    (0, "Breakwater", "", "A major", "126", SongStage.MIXING, -3, "Kit Okafor-Lind"),
    (0, "Gull Song", "", "C major", "96", SongStage.DONE, -20, ""),
    (0, "Driftwood", "", "B-flat major", "100", SongStage.EDITING, 14, ""),
    (0, "North Light", "", "F-sharp minor", "72", SongStage.MASTERING, 5, "Kit Okafor-Lind"),
    (1, "Paper Lanterns", "", "F major", "90", SongStage.PRE_PRODUCTION, 30, "Wren Castellano"),
]

# The tracking sheet of the first production: where each song's parts stand (the rest are not
# started). The session's keeper takes (sessions/demo.py) mark a few more recorded.
SHEET = {
    "Low Tide": {"Drums": "edited", "Bass": "recorded", "Strings": "recorded"},
    "Breakwater": {
        **dict.fromkeys(("Drums", "Bass", "Guitars", "Keys", "Lead vocal"), "complete"),
        "Backing vocals": "edited",
        "Strings": "not_needed",
    },
    "Gull Song": {
        **dict.fromkeys(("Drums", "Bass", "Guitars", "Lead vocal", "Backing vocals"), "complete"),
        "Keys": "not_needed",
        "Strings": "not_needed",
    },
    "Driftwood": {**dict.fromkeys(("Drums", "Bass", "Guitars", "Lead vocal"), "edited")},
    "North Light": {
        **dict.fromkeys(("Drums", "Bass", "Keys", "Lead vocal", "Strings"), "complete"),
        "Guitars": "not_needed",
        "Backing vocals": "not_needed",
    },
}


class Command(BaseCommand):
    help = "Load an invented demo studio, people and projects (idempotent) and print the login."

    def handle(self, *args: Any, **options: Any) -> None:
        # Loading the demo confirms days, adds notes and approves versions, which tell the
        # invented people by mail. Nobody is there to read it: with tasks in-process the
        # console backend would print a screenful of invitations before the login line, so
        # the demo's mail goes nowhere (the notices are still recorded, as sent). The load commits
        # inside the override, so the mail sent after commit goes nowhere too.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Log in at http://127.0.0.1:8000/ as {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )

    @transaction.atomic
    def _load(self) -> None:
        users = self._users()
        people = self._people(users)
        studio = self._studio(users[DEMO_USERNAME])
        projects = [self._project(spec, users, people, studio) for spec in PROJECTS]
        self._bookings(users[DEMO_USERNAME], studio, projects, people)
        self._songs(users[DEMO_USERNAME], projects, people)
        demo_agenda.load(by=users[DEMO_USERNAME], studio=studio, projects=projects)
        # Other apps add their part of the demo through their AppConfig, so that this ground
        # floor command imports none of them.
        for app in apps.get_app_configs():
            load_demo = getattr(app, "load_demo", None)
            if load_demo is not None:
                load_demo(by=users[DEMO_USERNAME])

    def _users(self) -> dict[str, Any]:
        User = get_user_model()
        users = {}
        for username, first, last, email in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": email},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                # The demo login also opens the admin, so every page of the demo can be seen.
                user.is_staff = user.is_superuser = username == DEMO_USERNAME
                user.save()
            users[username] = user
        return users

    def _people(self, users: dict[str, Any]) -> dict[str, Person]:
        people = {}
        for name, _email, _instruments, username in PEOPLE:
            person, _ = Person.objects.get_or_create(
                name=name, defaults={"user": users.get(username)}
            )
            people[name] = person
        return people

    def _card(self, person: Person, project: Project) -> None:
        """The person on the project, with what the demo production knows about them."""
        email, instruments = next((e, i) for n, e, i, _ in PEOPLE if n == person.name)
        PersonCard.objects.get_or_create(
            person=person,
            project=project,
            defaults={"email": email, "instruments": instruments},
        )

    def _studio(self, manager: Any) -> Studio:
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

    def _project(
        self,
        spec: dict[str, Any],
        users: dict[str, Any],
        people: dict[str, Person],
        studio: Studio,
    ) -> Project:
        fields = {k: v for k, v in spec.items() if k not in {"members", "people"}}
        project, _ = Project.objects.get_or_create(
            title=fields.pop("title"), artist=fields.pop("artist"), defaults=fields
        )
        project.studios.add(studio)
        for username, role in spec["members"]:
            Membership.objects.get_or_create(
                project=project, user=users[username], defaults={"role": role}
            )
            person = Person.objects.filter(user=users[username]).first()
            if person is not None:
                self._card(person, project)
        for name in spec["people"]:
            self._card(people[name], project)
        return project

    def _bookings(
        self, by: Any, studio: Studio, projects: list[Project], people: dict[str, Person]
    ) -> None:
        """Studio days from tomorrow on, so the calendar and dashboard have something to show.
        Found again by project and title, so a second run adds nothing."""
        rooms = {room.name: room for room in studio.rooms.all()}
        tape = Gear.objects.get(studio=studio, serial_number="FW-T16-77")
        engineer = people["Kit Okafor-Lind"]
        today = timezone.now().astimezone(studio.zone).date()
        for project_index, title, room, day, start, end, status, extra in BOOKINGS:
            project = projects[project_index]
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

    def _songs(self, by: Any, projects: list[Project], people: dict[str, Person]) -> None:
        """Songs across the board (one of them late), each moved from pre-production to its
        stage so the board has history. Found again by title: a second run adds nothing."""
        today = timezone.localdate()
        for project_index, title, working, key, tempo, stage, due, holder in SONGS:
            project = projects[project_index]
            if Song.objects.filter(project=project, title=title).exists():
                continue
            song = services.song_create(
                project=project,
                title=title,
                working_title=working,
                key=key,
                tempo=Decimal(tempo),
                due_date=today + datetime.timedelta(days=due),
                holder=people[holder] if holder else None,
            )
            services.song_move(song=song, stage=stage, by=by)
        self._sheet(by, projects)

    def _sheet(self, by: Any, projects: list[Project]) -> None:
        """The default parts for each production (made here without project_create), and some
        cells of the first one's tracking sheet; a song whose cells were set before is left as
        it is, so a second run changes nothing."""
        for project in projects:
            if not Part.objects.filter(project=project).exists():
                for name in DEFAULT_PARTS:
                    services.part_create(project=project, name=name)
        project = projects[0]
        parts = {part.name: part for part in Part.objects.filter(project=project)}
        for title, cells in SHEET.items():
            song = Song.objects.filter(project=project, title=title).first()
            if song is None or SongPart.objects.filter(song=song).exists():
                continue
            for name, status in cells.items():
                if name in parts:
                    services.song_part_set(song=song, part=parts[name], status=status, by=by)
