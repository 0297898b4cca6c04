"""Cover art, checked by its content with Pillow before it is kept.

Distributors want a square RGB JPEG or PNG of at least 3000 × 3000 pixels and refuse anything
under 1400 × 1400, and take at most 6000 × 6000: a file with more pixels is refused from its
header, before it is decoded (a decompression bomb).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image

MAX_BYTES = 30 * 1024 * 1024
MIN_SIDE = 1400
GOOD_SIDE = 3000
# The largest cover distributors ask for; a bigger one is refused from its header, before a
# pixel is decoded: a 10000 × 10000 PNG of a few kilobytes decodes to 400 MB.
MAX_SIDE = 6000
THUMBNAIL_SIDE = 600
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class ArtInfo:
    format: str
    width: int
    height: int
    mode: str
    warnings: tuple[str, ...]
    thumbnail: bytes = b""  # a JPEG of at most 600 × 600, for the pages


def _too_big(width: int, height: int) -> ValidationError:
    return ValidationError(
        f"Cover art is at most {MAX_SIDE} × {MAX_SIDE} pixels; this is {width} × {height}.",
        code="too_many_pixels",
    )


def inspect_art(data: bytes) -> ArtInfo:
    """What the file really is, with its thumbnail; ValidationError when a distributor would
    refuse it. Sizes, format and mode come from the header; the pixels are decoded once, to make
    the thumbnail, which also finds a truncated or corrupt file."""
    if len(data) > MAX_BYTES:
        raise ValidationError("Cover art is at most 30 MB.", code="too_large")
    try:
        # Image.open reads the header only; nothing is decoded until load().
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height, mode = image.format or "", image.width, image.height, image.mode
            if kind in FORMATS and (width > MAX_SIDE or height > MAX_SIDE):
                raise _too_big(width, height)
            image.verify()  # PNG: chunk checksums; no pixels decoded
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limits (above ours) stop the header before we can read the size: its
        # error past 179 Mpx, its warning past 89 Mpx where warnings are errors.
        raise ValidationError(
            f"Cover art is at most {MAX_SIDE} × {MAX_SIDE} pixels; this is far larger.",
            code="too_many_pixels",
        ) from error
    except Image.UnidentifiedImageError as error:
        # Pillow's message names its buffer object ("<_io.BytesIO object at 0x…>"): not for users.
        raise ValidationError(
            "This file is not an image (cover art is a JPEG or PNG file).", code="not_an_image"
        ) from error
    except (OSError, SyntaxError) as error:
        raise ValidationError(
            f"This image is damaged or cut short ({error}).", code="not_an_image"
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
    return ArtInfo(kind, width, height, mode, warnings, _thumbnail(data))


def _thumbnail(data: bytes) -> bytes:
    """The pages' thumbnail, decoding in bounded memory: a JPEG is decoded straight at 1/8
    scale (libjpeg's DCT scaling, `draft`), so a 6000 px cover never exists whole; a PNG is
    decoded once (at most 6000 × 6000 × 4 bytes, 144 MB) and reduced in place."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            image.load()
            image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            f"This image is damaged or cut short ({error}).", code="not_an_image"
        ) from error
    return out.getvalue()
