"""Room quotes and cancellation fees: pure functions over a rate card, in Decimal.

A rate card offers hourly time, a half-day block, a day (lockout) block, and overtime past the
lockout in units (half hours by default) at the hourly rate times a multiplier. The quote is the
cheapest way the card allows to buy the booked time, as a studio manager would price it. Gear is
charged at its day rate for each started 24 hours.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal

from core.money import round_money
from studio.models import Gear, Room

HOUR = Decimal(3600)


@dataclass(frozen=True)
class QuoteLine:
    label: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    total: Decimal

    def lines_json(self) -> list[dict[str, str]]:
        return [line.as_json() for line in self.lines]


def booked_hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """True duration in hours, so a night across a DST change is an hour shorter or longer.

    Both ends go to UTC first: Python subtracts two datetimes that share a tzinfo by their wall
    clocks, which would miss the hour the clocks skip.
    """
    elapsed = end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)
    return Decimal(int(elapsed.total_seconds())) / HOUR


def _units(hours: Decimal, unit_hours: Decimal) -> int:
    """Started units: 61 minutes in half-hour units is 3 units."""
    return math.ceil(hours / unit_hours)


def _room_options(room: Room, hours: Decimal, currency: str) -> list[tuple[QuoteLine, ...]]:
    unit_hours = Decimal(room.overtime_unit_minutes) / 60
    options: list[tuple[QuoteLine, ...]] = []
    if room.hourly_rate > 0:
        billed = _units(hours, unit_hours) * unit_hours
        options.append(
            (
                QuoteLine(
                    f"{room.name}: {billed.normalize():f} h at the hourly rate",
                    billed,
                    room.hourly_rate,
                    round_money(billed * room.hourly_rate, currency),
                ),
            )
        )
    if room.half_day_rate > 0 and hours <= room.half_day_hours:
        options.append(
            (
                QuoteLine(
                    f"{room.name}: half day ({room.half_day_hours.normalize():f} h)",
                    Decimal(1),
                    room.half_day_rate,
                    room.half_day_rate,
                ),
            )
        )
    if room.day_rate > 0:
        day = QuoteLine(
            f"{room.name}: day / lockout ({room.day_hours.normalize():f} h)",
            Decimal(1),
            room.day_rate,
            room.day_rate,
        )
        if hours <= room.day_hours:
            options.append((day,))
        else:
            units = _units(hours - room.day_hours, unit_hours)
            unit_price = round_money(
                room.hourly_rate * unit_hours * room.overtime_multiplier, currency
            )
            overtime = QuoteLine(
                f"{room.name}: overtime, {units} × {room.overtime_unit_minutes} min "
                f"at {room.overtime_multiplier.normalize():f}× the hourly rate",
                Decimal(units),
                unit_price,
                round_money(units * unit_price, currency),
            )
            # A card without an hourly rate gives overtime away; say nothing of it then.
            options.append((day, overtime) if overtime.amount > 0 else (day,))
    return options


def room_quote(
    *,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    gear: Sequence[Gear] = (),
    currency: str,
) -> Quote:
    """Price a booking of ``room`` from ``start`` to ``end`` with ``gear`` rented along."""
    hours = booked_hours(start, end)
    options = _room_options(room, hours, currency)
    room_lines: tuple[QuoteLine, ...] = (
        min(options, key=lambda lines: (sum(line.amount for line in lines), len(lines)))
        if options
        else (QuoteLine(f"{room.name}: no charge", Decimal(1), Decimal(0), Decimal(0)),)
    )
    rental_days = max(1, math.ceil(hours / 24))
    gear_lines = tuple(
        QuoteLine(
            f"{item.name}: {rental_days} day{'s' if rental_days > 1 else ''} rental",
            Decimal(rental_days),
            item.day_rate,
            round_money(rental_days * item.day_rate, currency),
        )
        for item in sorted(gear, key=lambda g: (g.name, g.pk))
        if item.day_rate > 0
    )
    lines = room_lines + gear_lines
    return Quote(lines=lines, total=round_money(sum(line.amount for line in lines), currency))


def cancellation_percent(*, tiers: list[dict[str, int]], notice: datetime.timedelta) -> int:
    """The fee percentage for cancelling with ``notice`` before the start.

    Tiers run from most notice to least; the first whose ``min_days`` the notice reaches
    applies. Cancelling after the start is the last tier.
    """
    days = Decimal(int(notice.total_seconds())) / Decimal(86400)
    for tier in tiers:
        if days >= tier["min_days"]:
            return tier["percent"]
    return tiers[-1]["percent"]


def cancellation_fee(
    *, amount: Decimal, tiers: list[dict[str, int]], notice: datetime.timedelta, currency: str
) -> Decimal:
    percent = cancellation_percent(tiers=tiers, notice=notice)
    return round_money(amount * percent / 100, currency)
