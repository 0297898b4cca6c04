"""Release identifiers: ISRC and EAN/UPC through python-stdnum, ISWC by its published rule.

Each ``normalize_*`` returns the compact form we store, or raises ValidationError with a message
a producer can act on.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum import ean, isrc
from stdnum.exceptions import ValidationError as StdnumError

_ISWC = re.compile(r"^T(\d{9})(\d)$")


def normalize_isrc(value: str) -> str:
    try:
        return str(isrc.validate(value))
    except StdnumError as error:
        raise ValidationError(
            f"{value!r} is not an ISRC (CC-XXX-YY-NNNNN, e.g. DE-A12-26-00001): "
            f"{str(error).rstrip('.')}.",
            code="invalid_isrc",
        ) from error


def normalize_upc(value: str) -> str:
    """A UPC-A (12 digits) or EAN-13, stored as the 13-digit EAN."""
    compact = re.sub(r"[\s-]", "", value)
    if len(compact) == 12:
        compact = "0" + compact
    if len(compact) != 13:
        raise ValidationError(
            f"{value!r} is not a UPC (12 digits) or EAN (13 digits).", code="invalid_upc"
        )
    try:
        return str(ean.validate(compact))
    except StdnumError as error:
        raise ValidationError(
            f"{value!r} is not a valid barcode: {str(error).rstrip('.')}.", code="invalid_upc"
        ) from error


def normalize_iswc(value: str) -> str:
    """An ISWC, T-123.456.789-C. python-stdnum has no ISWC module: the check digit follows the
    ISO 15707 rule, (10 - (1 + Σ i·dᵢ) mod 10) mod 10 over the nine digits."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    match = _ISWC.match(compact)
    if match is None:
        raise ValidationError(f"{value!r} is not an ISWC (T-123.456.789-C).", code="invalid_iswc")
    digits, check = match.group(1), int(match.group(2))
    expected = (10 - (1 + sum((i + 1) * int(d) for i, d in enumerate(digits))) % 10) % 10
    if check != expected:
        raise ValidationError(
            f"{value!r} has a wrong check digit (expected {expected}).", code="invalid_iswc"
        )
    return compact
