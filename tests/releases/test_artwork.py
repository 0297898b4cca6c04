"""Cover art checks on real images made with Pillow."""

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image
from rest_framework.test import APIClient

from projects.models import Project
from releases.artwork import inspect_art
from releases.models import Artwork
from tests.releases.factories import ReleaseFactory


def image(width: int, height: int, mode: str = "RGB", fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white" if mode != "P" else 0).save(buffer, fmt)
    return buffer.getvalue()


def test_good_cover() -> None:
    info = inspect_art(image(3000, 3000))
    assert (info.format, info.width, info.mode, info.warnings) == ("JPEG", 3000, "RGB", ())


def test_small_but_accepted_with_a_warning() -> None:
    assert inspect_art(image(1600, 1600, fmt="PNG")).warnings == (
        "Stores ask for 3000 × 3000; this is 1600 × 1600.",
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (image(3000, 2000), "not_square"),
        (image(1000, 1000), "too_small"),
        (image(2000, 2000, mode="CMYK"), "not_rgb"),
        (image(2000, 2000, fmt="GIF", mode="P"), "format"),
        (b"%PDF-1.4 not an image", "not_an_image"),
        (image(3000, 3000)[:2000], "not_an_image"),  # truncated: corrupt
    ],
)
def test_refused(data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        inspect_art(data)
    assert error.value.code == code


def bilevel_png(side: int) -> bytes:
    """A 1-bit PNG: a few kilobytes however many pixels its header claims."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, "PNG")
    return buffer.getvalue()


def test_more_pixels_than_stores_use_refused_from_the_header() -> None:
    with pytest.raises(ValidationError) as error:
        inspect_art(bilevel_png(6001))
    assert error.value.code == "too_many_pixels"
    assert error.value.messages == ["Cover art is at most 6000 × 6000 pixels; this is 6001 × 6001."]
    with pytest.raises(ValidationError) as error:
        inspect_art(bilevel_png(10000))  # past Pillow's own warning
    assert error.value.code == "too_many_pixels"


def test_thumbnail_is_small_and_made_once() -> None:
    info = inspect_art(image(3000, 3000))
    with Image.open(io.BytesIO(info.thumbnail)) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (600, 600))


# A fresh interpreter, so that the peak is this decode's alone: Pillow's pixel buffers are
# allocated in C (tracemalloc does not see them), and ru_maxrss only ever grows.
PEAK = """
import resource, sys
from releases.artwork import inspect_art
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
info = inspect_art(data)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert len(info.thumbnail) > 0
print(after - before)
"""


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_6000_pixel_cover_is_checked_in_bounded_memory(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"cover.{fmt.lower()}"
    Image.new("RGB", (6000, 6000), (23, 32, 46)).save(path, fmt)
    run = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    grown_mb = int(run.stdout) / 1024  # Linux reports ru_maxrss in KiB
    # A PNG is decoded once (6000 × 6000 × 4 bytes = 137 MiB); a JPEG at 1/8 scale.
    assert grown_mb < (400 if fmt == "PNG" else 40), grown_mb


@pytest.mark.django_db
def test_a_replaced_cover_leaves_only_the_new_files(
    as_owner: APIClient, project: Project, settings: LazySettings
) -> None:
    release = ReleaseFactory.create(project=project)
    url = f"/api/v1/releases/{release.pk}/artwork/"
    media = Path(settings.MEDIA_ROOT)

    def upload(data: bytes, name: str) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return as_owner.post(url, {"image": SimpleUploadedFile(name, data)}, format="multipart")

    assert upload(image(1400, 1400), "first.jpg").status_code == 201
    assert upload(image(1600, 1600, fmt="PNG"), "second.png").status_code == 201
    artwork = Artwork.objects.get(release=release)
    on_disk = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    assert on_disk == {artwork.image.name, artwork.thumbnail.name}
    assert artwork.image.name.endswith(".png")
    # A refused upload changes nothing, on disk or in the row.
    refused = upload(bilevel_png(6001), "huge.png")
    assert refused.status_code == 400
    assert refused.json() == {
        "image": ["Cover art is at most 6000 × 6000 pixels; this is 6001 × 6001."]
    }
    assert {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()} == on_disk
