"""The releases part of `manage.py demo`: found again by project, so a second run adds nothing."""

import datetime
import io
from typing import Any

import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from projects.models import Person, Project
from releases import services
from releases.models import Credit, Release
from songs.demo import RATE, chord_loop
from songs.models import Song

TRACKS = [("Paper Lanterns", 214, False), ("Low Tide (acoustic)", 187, False)]


def load(*, by: Any) -> None:
    _single(by=by)
    _gull_song(by=by)


def _gull_song(*, by: Any) -> None:
    """A single of the song whose master version was approved (songs.demo): its track takes
    that master at once."""
    project = Project.objects.filter(title="Low Tide Sessions").first()
    song = Song.objects.filter(project=project, title="Gull Song").first() if project else None
    if project is None or song is None:
        return
    if Release.objects.filter(project=project, title="Gull Song").exists():
        return
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
        soundfile.write(flac, chord_loop(seconds, drive), RATE, format="FLAC", subtype="PCM_24")
        upload = SimpleUploadedFile(f"{track.title}.flac", flac.getvalue())
        with transaction.atomic():
            services.master_upload(track=track, upload=upload)
