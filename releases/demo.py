"""The releases part of `manage.py demo`: found again by project, so a second run adds nothing."""

import datetime
import io
from typing import Any

import numpy as np
import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from releases import services
from releases.models import Credit, Release
from studio.models import Person, Project

TRACKS = [("Paper Lanterns", 214, False), ("Low Tide (acoustic)", 187, False)]


def load(*, by: Any) -> None:
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
