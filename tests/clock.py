"""Dates for tests that hold on any day they run.

A test either builds its instants from the clock (`upcoming()`: a whole hour some days from
today in a studio's zone) or freezes the clock at an instant of its own with `freeze_at()`
(the `clock` marker, read by the autouse fixture in conftest). Fixed dates belong only under a
frozen clock: DST changes, year ends, a weekday a rule needs.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")

# Monday 2 November 2026, 09:00 in Berlin: the frozen clock of the modules whose fixed days
# (invoice months, DST nights, studio days from late 2026 into 2027) must all lie ahead.
AUTUMN_2026 = "2026-11-02T09:00:00+01:00"


def today(zone: ZoneInfo = BERLIN) -> datetime.date:
    """Today's date in `zone`."""
    return timezone.now().astimezone(zone).date()


def upcoming(
    days: int = 7, hour: int = 10, minute: int = 0, zone: ZoneInfo = BERLIN
) -> datetime.datetime:
    """`hour`:`minute` in `zone`, `days` after today there: always in the future for days >= 1."""
    day = today(zone) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def next_weekday(weekday: int, *, weeks: int = 1, zone: ZoneInfo = BERLIN) -> datetime.date:
    """The date of `weekday` (Monday 0) at least a day and `weeks - 1` weeks ahead in `zone`."""
    start = today(zone) + datetime.timedelta(days=1)
    return start + datetime.timedelta(days=(weekday - start.weekday()) % 7, weeks=weeks - 1)


def freeze_at(instant: str, *, tick: bool = True) -> pytest.MarkDecorator:
    """Run a test (or, as ``pytestmark``, a module) with the clock moved to ``instant`` (ISO
    8601 with an offset), ticking on from there unless ``tick`` is False."""
    return pytest.mark.clock(instant, tick=tick)
