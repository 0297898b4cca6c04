"""The releases part of `manage.py demo`: found again by project, so a second run adds nothing."""

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
from PIL import Image, ImageDraw

from releases import services
from releases.models import Credit, Release, SongVersion, VersionNote
from studio.models import Person, Project, Song

TRACKS = [("Paper Lanterns", 214, False), ("Low Tide (acoustic)", 187, False)]


def load(*, by: Any) -> None:
    _single(by=by)
    _versions(by=by)


def _single(*, by: Any) -> None:
    project = Project.objects.filter(title="Paper Lanterns (single)").first()
    if project is None or Release.objects.filter(project=project).exists():
        return
    release = services.release_save(
        project=project,
        type=Release.Type.SINGLE,
        title="Paper Lanterns",
        display_artist="Wren Castellano",
        label="Driftwood Records",
        genre="Folk",
        language="en",
        release_date=datetime.date(2027, 2, 12),
        p_line_year=2027,
        p_line_owner="Harbour Lane Productions",
    )
    wren = Person.objects.get(name="Wren Castellano")
    producer = Person.objects.get(name="Robin Marsh")
    Credit.objects.create(release=release, person=producer, role="Producer")
    for position, (title, seconds, explicit) in enumerate(TRACKS, start=1):
        track = services.track_save(
            release=release,
            position=position,
            title=title,
            duration_seconds=seconds,
            explicit=explicit,
        )
        Credit.objects.create(release=release, track=track, person=wren, role="Composer")
        Credit.objects.create(release=release, track=track, person=wren, role="Lyricist")
        services.splits_set(
            track=track, kind="writer", shares=[{"party": "Wren Castellano", "share": "100"}]
        )
    # The first track has its ISRC; the rest, the barcode and the © line are still to do, so
    # the readiness checklist has something to say.
    # A plain invented cover, big enough for the stores.
    cover = io.BytesIO()
    image = Image.new("RGB", (3000, 3000), (23, 32, 46))
    ImageDraw.Draw(image).ellipse((900, 700, 2100, 1900), fill=(224, 168, 79))
    image.save(cover, "JPEG", quality=80)
    services.artwork_set(release=release, data=cover.getvalue(), filename="cover.jpg")
    first = release.tracks.order_by("position").first()
    if first is not None:
        services.isrc_allocate(track=first, country="DE", registrant="A12")
    # Invented masters: a plucked chord loop, the second one squashed too loud on purpose so
    # the loudness warnings have something to say.
    for track, (_title, seconds, _explicit), drive in zip(
        release.tracks.order_by("position"), TRACKS, (0.0, 4.0), strict=True
    ):
        flac = io.BytesIO()
        soundfile.write(flac, _chord_loop(seconds, drive), RATE, format="FLAC", subtype="PCM_24")
        upload = SimpleUploadedFile(f"{track.title}.flac", flac.getvalue())
        with transaction.atomic():
            services.master_upload(track=track, upload=upload)


RATE = 44100
CHORDS = [(220.0, 277.18, 329.63), (196.0, 246.94, 293.66), (174.61, 220.0, 261.63)]


def _chord_loop(seconds: int, drive: float) -> np.ndarray:
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
        soundfile.write(flac, _chord_loop(seconds, drive), RATE, format="FLAC", subtype="PCM_24")
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
    release = services.release_save(
        project=project,
        type=Release.Type.SINGLE,
        title="Gull Song",
        display_artist="The Marlow Echoes",
        label="Driftwood Records",
        genre="Folk",
        language="en",
    )
    services.track_from_song(release=release, song=song, position=1)
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
        soundfile.write(flac, _chord_loop(18, 0.3), RATE, format="FLAC", subtype="PCM_24")
        with transaction.atomic():
            mix = services.version_upload(
                song=breakwater,
                kind="mix",
                upload=SimpleUploadedFile("breakwater-mix.flac", flac.getvalue()),
                by=users.get("kit", by),
            )
        for at, body in [(2.0, "Drums feel late in the intro."), (9.5, "Where did the organ go?")]:
            services.version_note_add(version=mix, at_seconds=Decimal(str(at)), body=body, by=by)
