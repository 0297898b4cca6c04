"""Cover art, checked by its content with Pillow before it is kept.

Distributors want a square RGB JPEG or PNG of at least 3000 × 3000 pixels and refuse anything
under 1400 × 1400; a file that decodes to more pixels than a cover could need is refused before
it is decoded (a decompression bomb).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image

MAX_BYTES = 30 * 1024 * 1024
MIN_SIDE = 1400
GOOD_SIDE = 3000
MAX_PIXELS = 10000 * 10000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class ArtInfo:
    format: str
    width: int
    height: int
    mode: str
    warnings: tuple[str, ...]


def inspect_art(data: bytes) -> ArtInfo:
    """What the file really is; ValidationError when a distributor would refuse it."""
    if len(data) > MAX_BYTES:
        raise ValidationError("Cover art is at most 30 MB.", code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    "The image has more pixels than any cover needs.", code="bomb"
                )
            image.verify()
            kind, width, height, mode = image.format or "", image.width, image.height, image.mode
        # verify() reads the structure only; decoding finds a truncated or corrupt file.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except ValidationError:
        raise
    except (OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(
            f"Not an image Pillow can read: {error}.", code="not_an_image"
        ) from error
    if kind not in FORMATS:
        raise ValidationError(
            f"Cover art is JPEG or PNG; this is {kind or 'unknown'}.", code="format"
        )
    if width != height:
        raise ValidationError(
            f"Cover art is square; this is {width} × {height}.", code="not_square"
        )
    if width < MIN_SIDE:
        raise ValidationError(
            f"Cover art is at least {MIN_SIDE} × {MIN_SIDE}; this is {width} × {height}.",
            code="too_small",
        )
    if mode not in ("RGB",):
        raise ValidationError(f"Cover art is RGB; this image is {mode}.", code="not_rgb")
    warnings: tuple[str, ...] = ()
    if width < GOOD_SIDE:
        warnings = (f"Stores ask for {GOOD_SIDE} × {GOOD_SIDE}; this is {width} × {height}.",)
    return ArtInfo(kind, width, height, mode, warnings)
