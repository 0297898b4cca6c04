"""Time intervals as the house takes them: aware instants, the end after the start."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

OFFSET_NEEDED = "Give the time with its UTC offset, e.g. 2026-12-01T10:00:00+01:00."
END_AFTER_START = "The end must be after the start."


def ends_after_start(*, start: datetime.datetime, end: datetime.datetime) -> bool:
    """The house's rule for an interval: it has a length (an end equal to the start is none)."""
    return end > start


def check_interval(*, start: datetime.datetime, end: datetime.datetime) -> None:
    """Refuse naive times (which zone would they be in?) and an end not after the start."""
    errors = {
        name: OFFSET_NEEDED
        for name, value in (("start", start), ("end", end))
        if timezone.is_naive(value)
    }
    if errors:
        raise ValidationError(errors)
    if not ends_after_start(start=start, end=end):
        raise ValidationError({"end": END_AFTER_START})
