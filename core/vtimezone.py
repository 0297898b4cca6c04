"""VTIMEZONE components that every calendar app reads as intended.

icalendar's ``Timezone.from_tzid`` lists the transitions as one DTSTART plus RDATEs per
observance. RFC 5545 counts the DTSTART as the first onset, but ical.js (Thunderbird, Nextcloud)
reads only the RDATEs when there are any: the first change is lost and a whole winter is shown
an hour off. It also dates a spring change by the wall clock after it, not before.

So we write the form Outlook, Google and tzurl.org write: one STANDARD and one DAYLIGHT with a
yearly RRULE, taken from the zone's current rule (the POSIX TZ string at the end of its TZif
file), when that rule gives exactly the zone's real transitions over the period. A zone whose
rules changed within it (or a rule an RRULE cannot say) gets one observance per transition,
each with its own DTSTART and no RDATE, which every reader takes the same way.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

UTC = datetime.UTC
WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX counts days from Sunday


@dataclass(frozen=True)
class Transition:
    at: datetime.datetime  # the instant, UTC
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    daylight: bool


@dataclass(frozen=True)
class YearlyRule:
    """A POSIX "Mm.w.d/time" rule: the w-th (5: last) weekday d of month m, at a local time
    counted in the offset in force before the change."""

    month: int
    week: int
    weekday: int
    seconds: int

    def local_onset(self, year: int) -> datetime.datetime:
        month_days = calendar_module.monthcalendar(year, self.month)
        # monthcalendar's weeks start on Monday; POSIX's weekday 0 is Sunday.
        column = (self.weekday - 1) % 7
        days = [week[column] for week in month_days if week[column]]
        day = days[-1] if self.week == 5 else days[self.week - 1]
        # A wall-clock time, no zone: the observance's DTSTART is written floating.
        midnight = datetime.datetime.combine(datetime.date(year, self.month, day), datetime.time())
        return midnight + datetime.timedelta(seconds=self.seconds)

    def byday(self) -> str:
        return f"{-1 if self.week == 5 else self.week}{WEEKDAYS[self.weekday]}"


def transitions(
    zone: zoneinfo.ZoneInfo, start: datetime.datetime, end: datetime.datetime
) -> list[Transition]:
    """The zone's offset changes between two instants, to the second: a step a day, then a
    bisection where the offset moved (no zone changes twice in a day)."""
    found: list[Transition] = []
    step = datetime.timedelta(days=1)
    here = start
    offset = _offset(zone, here)
    while here < end:
        there = min(here + step, end)
        offset_there = _offset(zone, there)
        if offset_there != offset:
            low, high = here, there
            while high - low > datetime.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            local = high.astimezone(zone)
            found.append(
                Transition(
                    at=high.replace(microsecond=0),
                    offset_from=offset,
                    offset_to=offset_there,
                    name=local.tzname() or "",
                    daylight=bool(local.dst()),
                )
            )
            offset = offset_there
        here = there
    return found


def _offset(zone: zoneinfo.ZoneInfo, instant: datetime.datetime) -> datetime.timedelta:
    return instant.astimezone(zone).utcoffset() or datetime.timedelta(0)


def _tzif(key: str) -> bytes | None:
    """The zone's TZif file, where zoneinfo itself looks: the system's folders, then tzdata."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / key
        if path.is_file():
            return path.read_bytes()
    try:
        return (resources.files("tzdata.zoneinfo") / key).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError):
        return None


_RULE = re.compile(r"M(\d{1,2})\.([1-5])\.([0-6])(?:/([+-]?\d{1,3})(?::(\d{2}))?(?::(\d{2}))?)?")


def _posix_rules(key: str) -> tuple[YearlyRule, YearlyRule] | None:
    """The current daylight rule's (start, end) from the POSIX TZ string that ends a TZif v2+
    file ("CET-1CEST,M3.5.0,M10.5.0/3"); None for a zone without daylight time or with a rule
    an RRULE cannot say (Julian days, times outside the day)."""
    data = _tzif(key)
    if not data or data[:4] != b"TZif" or data[4:5] not in (b"2", b"3", b"4"):
        return None
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")
    parts = footer.split(",")
    if len(parts) != 3:
        return None
    rules = []
    for part in parts[1:]:
        match = _RULE.fullmatch(part)
        if match is None:
            return None
        month, week, weekday, hours, minutes, seconds = match.groups()
        sign = -1 if hours and hours.startswith("-") else 1
        clock = int(hours or 2) * 3600 + sign * (int(minutes or 0) * 60 + int(seconds or 0))
        if not 0 <= clock < 86400:
            return None
        rules.append(YearlyRule(int(month), int(week), int(weekday), clock))
    return rules[0], rules[1]


def _observance(
    daylight: bool,
    onset: datetime.datetime,
    offset_from: datetime.timedelta,
    offset_to: datetime.timedelta,
    name: str,
) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if daylight else TimezoneStandard()
    observance.add("dtstart", onset)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    if name:
        observance.add("tzname", name)
    return observance


def _rule_matches(rule: YearlyRule, changes: list[Transition]) -> bool:
    return all(
        (change.at + change.offset_from).replace(tzinfo=None) == rule.local_onset(change.at.year)
        for change in changes
    )


@lru_cache(maxsize=512)
def vtimezone(key: str, first: datetime.date, last: datetime.date) -> Timezone:
    """A VTIMEZONE for the zone, right for every instant from `first` to `last`. Cached: the
    component is shared, so callers add it to calendars and never change it."""
    zone = zoneinfo.ZoneInfo(key)
    # From the start of the year before: the rule's anchor precedes anything the feed shows.
    start = datetime.datetime(first.year - 1, 1, 1, tzinfo=UTC)
    end = datetime.datetime.combine(last, datetime.time(), tzinfo=UTC) + datetime.timedelta(days=1)
    changes = transitions(zone, start, end)
    component = Timezone()
    component.add("tzid", key)
    rules = _posix_rules(key)
    to_daylight = [change for change in changes if change.daylight]
    to_standard = [change for change in changes if not change.daylight]
    if (
        rules is not None
        and to_daylight
        and to_standard
        and len({(c.offset_from, c.offset_to, c.name) for c in to_daylight}) == 1
        and len({(c.offset_from, c.offset_to, c.name) for c in to_standard}) == 1
        and _rule_matches(rules[0], to_daylight)
        and _rule_matches(rules[1], to_standard)
    ):
        for rule, sample in ((rules[0], to_daylight[0]), (rules[1], to_standard[0])):
            observance = _observance(
                sample.daylight,
                rule.local_onset(start.year),
                sample.offset_from,
                sample.offset_to,
                sample.name,
            )
            observance.add(
                "rrule", {"freq": "yearly", "bymonth": rule.month, "byday": rule.byday()}
            )
            component.add_component(observance)
        return component
    # No yearly rule to state: the offset in force at the start, then each change.
    opening = start.astimezone(zone)
    offset = opening.utcoffset() or datetime.timedelta(0)
    component.add_component(
        _observance(
            bool(opening.dst()),
            opening.replace(tzinfo=None),
            offset,
            offset,
            opening.tzname() or "",
        )
    )
    for change in changes:
        onset = (change.at + change.offset_from).replace(tzinfo=None)
        component.add_component(
            _observance(change.daylight, onset, change.offset_from, change.offset_to, change.name)
        )
    return component
