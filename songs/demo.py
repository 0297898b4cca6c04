"""The songs part of `manage.py demo`: songs across the board (one of them late), each moved
from pre-production to its stage so the board has history; the first production's tracking
sheet; and versions of two songs with notes at a time, approvals and a listen link. Every
name is invented; a second run finds each row by its project and title and adds nothing."""

import datetime
import io
from decimal import Decimal
from typing import Any

import numpy as np
import soundfile
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from projects.models import Person, Project
from songs import services
from songs.models import DEFAULT_PARTS, Part, Song, SongPart, SongStage, SongVersion, VersionNote

SONGS = [
    # project title, title, working title, key, tempo, stage, due in days (None: no date),
    # holder's name (or "")
    (
        "Low Tide Sessions",
        "Low Tide",
        "",
        "D minor",
        "84",
        SongStage.OVERDUBS,
        21,
        "Kit Okafor-Lind",
    ),
    (
        "Low Tide Sessions",
        "Harbour Lights",
        "Song for Nell",
        "G major",
        "112",
        SongStage.TRACKING,
        10,
        "",
    ),
    ("Low Tide Sessions", "Saltwater Hymn", "", "E minor", "68", SongStage.PRE_PRODUCTION, 40, ""),
    (
        "Low Tide Sessions",
        "Breakwater",
        "",
        "A major",
        "126",
        SongStage.MIXING,
        -3,
        "Kit Okafor-Lind",
    ),
    ("Low Tide Sessions", "Gull Song", "", "C major", "96", SongStage.DONE, -20, ""),
    ("Low Tide Sessions", "Driftwood", "", "B-flat major", "100", SongStage.EDITING, 14, ""),
    (
        "Low Tide Sessions",
        "North Light",
        "",
        "F-sharp minor",
        "72",
        SongStage.MASTERING,
        5,
        "Kit Okafor-Lind",
    ),
    (
        "Paper Lanterns (single)",
        "Paper Lanterns",
        "",
        "F major",
        "90",
        SongStage.PRE_PRODUCTION,
        30,
        "Wren Castellano",
    ),
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


def load(*, by: Any) -> None:
    _songs(by=by)
    _sheet(by=by)
    _versions(by=by)


def _songs(*, by: Any) -> None:
    today = timezone.localdate()
    for project_title, title, working, key, tempo, stage, due, holder in SONGS:
        project = Project.objects.filter(title=project_title).first()
        if project is None or Song.objects.filter(project=project, title=title).exists():
            continue
        song = services.song_create(
            project=project,
            title=title,
            working_title=working,
            key=key,
            tempo=Decimal(tempo),
            due_date=today + datetime.timedelta(days=due),
            holder=Person.objects.filter(name=holder).first() if holder else None,
        )
        services.song_move(song=song, stage=stage, by=by)


def _sheet(*, by: Any) -> None:
    """The default parts for each production (made without project_create), and some cells of
    the first one's tracking sheet; a song whose cells were set before is left as it is."""
    projects = list(Project.objects.filter(title__in={row[0] for row in SONGS}))
    for project in projects:
        if not Part.objects.filter(project=project).exists():
            for name in DEFAULT_PARTS:
                services.part_create(project=project, name=name)
    low_tide = Project.objects.filter(title="Low Tide Sessions").first()
    parts = {part.name: part for part in Part.objects.filter(project=low_tide)}
    for title, cells in SHEET.items():
        song = Song.objects.filter(project=low_tide, title=title).first()
        if song is None or SongPart.objects.filter(song=song).exists():
            continue
        for name, status in cells.items():
            if name in parts:
                services.song_part_set(song=song, part=parts[name], status=status, by=by)


RATE = 44100


CHORDS = [(220.0, 277.18, 329.63), (196.0, 246.94, 293.66), (174.61, 220.0, 261.63)]


def chord_loop(seconds: int, drive: float) -> np.ndarray:
    """Plucked triads, two seconds each, a little wider on the right; `drive` saturates them
    (0 leaves them clean)."""
    t = np.arange(2 * RATE) / RATE
    envelope = np.exp(-2.5 * t)
    bars = [
        sum(np.sin(2 * np.pi * f * t) * envelope for f in chord) / len(chord) for chord in CHORDS
    ]
    loop = np.concatenate(bars)
    mono = np.tile(loop, seconds // 6 + 1)[: seconds * RATE] * 0.85
    if drive:
        mono = np.tanh(drive * mono) * 0.99
    return np.stack([mono, np.roll(mono, 40) * 0.95], axis=1)


# A finished song of the first production, as a mix review shows it: a rough, two mixes (the
# first one's notes fixed in the second), a master approved as its single's master; and a song
# in mixing with notes still open. Songs that are already done or only get notes: approving
# nothing else keeps the demo board (and the milestones read from it) as studio's demo left it.
VERSIONS = [
    # kind, seconds, drive, notes: (at seconds, body, author username, fixed in the next)
    ("rough", 24, 0.0, [(3.0, "Count-in is still on the rough: cut it.", "demo", True)]),
    (
        "mix",
        24,
        0.5,
        [
            (4.5, "Vocal sits too loud in the first verse.", "demo", True),
            (12.0, "Snare too dry, give it the plate.", "demo", True),
            (20.5, "Bass note rings into the break.", "kit", True),
        ],
    ),
    ("mix", 24, 0.8, [(15.0, "Lovely. A touch more air on the harmonies?", "demo", False)]),
    ("master", 24, 1.6, []),
]


def _versions(*, by: Any) -> None:
    project = Project.objects.filter(title="Low Tide Sessions").first()
    song = Song.objects.filter(project=project, title="Gull Song").first() if project else None
    if project is None or song is None or song.versions.exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["demo", "kit"])}
    previous: list[VersionNote] = []
    made: list[SongVersion] = []
    for index, (kind, seconds, drive, notes) in enumerate(VERSIONS):
        flac = io.BytesIO()
        soundfile.write(flac, chord_loop(seconds, drive), RATE, format="FLAC", subtype="PCM_24")
        upload = SimpleUploadedFile(f"gull-song-{kind}-{index}.flac", flac.getvalue())
        uploader = users.get("kit", by) if kind == "mix" else by
        with transaction.atomic():
            version = services.version_upload(song=song, kind=kind, upload=upload, by=uploader)
        for note in previous:
            services.version_note_resolve(note=note, by=uploader, in_version=version)
        previous = []
        for at, body, author, fixed in notes:
            note = services.version_note_add(
                version=version,
                at_seconds=Decimal(str(at)),
                body=body,
                by=users.get(author, by),
            )
            if fixed:
                previous.append(note)
        made.append(version)
    mix_two, master = made[2], made[3]
    services.version_approve(version=mix_two, by=by)
    # The master approved becomes the master of the song's track (releases.demo makes it).
    services.version_approve(version=master, by=by)
    link = services.listen_link_create(
        version=mix_two,
        label="Mastering engineer",
        expires_at=timezone.now() + datetime.timedelta(days=14),
        allow_download=True,
        allow_notes=True,
        by=by,
    )
    services.listen_play_record(link=link, key="demo", user_agent="Demo browser")
    breakwater = Song.objects.filter(project=project, title="Breakwater").first()
    if breakwater is not None and not breakwater.versions.exists():
        flac = io.BytesIO()
        soundfile.write(flac, chord_loop(18, 0.3), RATE, format="FLAC", subtype="PCM_24")
        with transaction.atomic():
            mix = services.version_upload(
                song=breakwater,
                kind="mix",
                upload=SimpleUploadedFile("breakwater-mix.flac", flac.getvalue()),
                by=users.get("kit", by),
            )
        for at, body in [(2.0, "Drums feel late in the intro."), (9.5, "Where did the organ go?")]:
            services.version_note_add(version=mix, at_seconds=Decimal(str(at)), body=body, by=by)
