"""A release with everything a distributor asks for, masters included."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from projects.models import Person, Project
from releases import services
from releases.models import Credit, Release
from tests.releases.audio_files import tone


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def ready_release(project: Project, tmp_path: Path) -> Release:
    """Two tracks with 31 s masters (48 kHz / 24-bit), credits, splits, ISRCs and a cover."""
    release = services.release_save(
        project=project,
        type="single",
        title="Paper Lanterns",
        display_artist="Wren Castellano",
        label="Driftwood Records",
        upc="4006381333931",
        genre="Folk",
        language="en",
        release_date=datetime.date(2027, 2, 12),
        p_line_year=2027,
        p_line_owner="Harbour Lane Productions",
        c_line_year=2027,
        c_line_owner="Harbour Lane Productions",
    )
    writer = Person.objects.create(name="Wren Castellano")
    cover = io.BytesIO()
    Image.new("RGB", (3000, 3000), (23, 32, 46)).save(cover, "JPEG", quality=70)
    services.artwork_set(release=release, data=cover.getvalue(), filename="cover.jpg")
    for position, title in enumerate(["Paper Lanterns", "Low Tide"], start=1):
        track = services.track_save(
            release=release, position=position, title=title, isrc=f"DEA1227000{position:02d}"
        )
        Credit.objects.create(release=release, track=track, person=writer, role="Composer")
        Credit.objects.create(release=release, track=track, person=writer, role="Lyricist")
        services.splits_set(
            track=track, kind="writer", shares=[{"party": "Wren Castellano", "share": "100"}]
        )
        master = tone(tmp_path / f"master-{position}.wav", dbfs=-14.0 - 0.2 * position)
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.master_upload(track=track, upload=upload(master))
    return release


def readiness_codes(client: Any, release: Release) -> set[str]:
    body = client.get(f"/api/v1/releases/{release.pk}/readiness/").json()
    return {finding["code"] for finding in body["findings"]}
