"""Cover art checks on real images made with Pillow."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from releases.artwork import inspect_art


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
