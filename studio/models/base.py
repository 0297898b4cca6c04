"""Helpers the ground floor's models share: zone names, feed secrets, amounts."""

from __future__ import annotations

import secrets
import zoneinfo
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(
            "%(value)s is not an IANA time zone (for example Europe/Berlin).",
            code="invalid_time_zone",
            params={"value": value},
        )


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


def money_field(**kwargs: object) -> models.DecimalField:
    """A non-negative amount in the currency of its parent."""
    return models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        **kwargs,  # type: ignore[arg-type]
    )
