"""Room quotes and cancellation fees, worked examples with the expected cents."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.models import Gear, Room, Studio, default_cancellation_tiers
from studio.rates import booked_hours, cancellation_fee, cancellation_percent, room_quote

BERLIN = ZoneInfo("Europe/Berlin")


def card(**rates: str) -> Room:
    """An unsaved room with the demo's rate card unless told otherwise."""
    values = {
        "hourly_rate": "95",
        "half_day_rate": "420",
        "day_rate": "780",
        "half_day_hours": "5",
        "day_hours": "10",
        "overtime_multiplier": "1.5",
        **rates,
    }
    return Room(
        studio=Studio(name="S", time_zone="Europe/Berlin"),
        name="A",
        overtime_unit_minutes=30,
        **{key: Decimal(value) for key, value in values.items()},
    )


def at(hour: float, day: int = 1) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, tzinfo=BERLIN) + datetime.timedelta(hours=hour)


@pytest.mark.parametrize(
    ("hours", "expected", "labels"),
    [
        (1, "95.00", ["A: 1 h at the hourly rate"]),
        (1.25, "142.50", ["A: 1.5 h at the hourly rate"]),  # billed in started half hours
        (4, "380.00", ["A: 4 h at the hourly rate"]),
        (4.5, "420.00", ["A: half day (5 h)"]),  # 427.50 hourly, the block is cheaper
        (5, "420.00", ["A: half day (5 h)"]),
        (8, "760.00", ["A: 8 h at the hourly rate"]),
        (9, "780.00", ["A: day / lockout (10 h)"]),
        (10, "780.00", ["A: day / lockout (10 h)"]),
        # 10 h lockout + 1 h = 2 half-hour units at 95 * 0.5 * 1.5 = 71.25 each
        (
            11,
            "922.50",
            ["A: day / lockout (10 h)", "A: overtime, 2 × 30 min at 1.5× the hourly rate"],
        ),
        (
            10.1,
            "851.25",
            ["A: day / lockout (10 h)", "A: overtime, 1 × 30 min at 1.5× the hourly rate"],
        ),
    ],
)
def test_room_quote_worked_examples(hours: float, expected: str, labels: list[str]) -> None:
    quote = room_quote(room=card(), start=at(10), end=at(10 + hours), currency="EUR")
    assert str(quote.total) == expected
    assert [line.label for line in quote.lines] == labels


def test_room_without_blocks_is_hourly() -> None:
    quote = room_quote(
        room=card(half_day_rate="0", day_rate="0"), start=at(9), end=at(21), currency="EUR"
    )
    assert quote.total == Decimal("1140.00")


def test_free_room() -> None:
    room = card(hourly_rate="0", half_day_rate="0", day_rate="0")
    quote = room_quote(room=room, start=at(9), end=at(12), currency="EUR")
    assert quote.total == Decimal("0.00")
    assert quote.lines[0].label == "A: no charge"


def test_gear_by_started_day() -> None:
    gear = [
        Gear(name="Tape machine", day_rate=Decimal("150")),
        Gear(name="Monitors", day_rate=Decimal("0")),
    ]
    quote = room_quote(room=card(), start=at(10), end=at(20), gear=gear, currency="EUR")
    assert [line.label for line in quote.lines][-1] == "Tape machine: 1 day rental"
    assert quote.total == Decimal("930.00")
    long = room_quote(room=card(), start=at(0), end=at(25), gear=gear, currency="EUR")
    assert long.lines[-1].amount == Decimal("300.00")


def test_dst_night_has_its_true_length() -> None:
    # Europe/Berlin springs forward at 02:00 on 2027-03-28: 22:00 to 08:00 local is 9 hours.
    start = datetime.datetime(2027, 3, 27, 22, tzinfo=BERLIN)
    end = datetime.datetime(2027, 3, 28, 8, tzinfo=BERLIN)
    assert booked_hours(start, end) == Decimal(9)
    assert room_quote(room=card(), start=start, end=end, currency="EUR").total == Decimal("780.00")
    # ...and falls back on 2026-10-25: the same wall-clock night is 11 hours.
    start = datetime.datetime(2026, 10, 24, 22, tzinfo=BERLIN)
    end = datetime.datetime(2026, 10, 25, 8, tzinfo=BERLIN)
    assert booked_hours(start, end) == Decimal(11)


@pytest.mark.parametrize(
    ("notice_days", "percent", "fee"),
    [
        (30, 0, "0.00"),
        (14, 0, "0.00"),
        (13.9, 50, "390.00"),
        (3, 50, "390.00"),
        (2.9, 100, "780.00"),
        (-1, 100, "780.00"),
    ],
)
def test_cancellation_tiers(notice_days: float, percent: int, fee: str) -> None:
    notice = datetime.timedelta(days=notice_days)
    tiers = default_cancellation_tiers()
    assert cancellation_percent(tiers=tiers, notice=notice) == percent
    assert (
        str(cancellation_fee(amount=Decimal("780.00"), tiers=tiers, notice=notice, currency="EUR"))
        == fee
    )


@given(
    start_minutes=st.integers(min_value=0, max_value=24 * 60),
    minutes=st.integers(min_value=1, max_value=24 * 60),
    extra=st.integers(min_value=0, max_value=600),
    hourly=st.decimals(min_value=0, max_value=500, places=2),
)
def test_quote_properties(start_minutes: int, minutes: int, extra: int, hourly: Decimal) -> None:
    """Never negative, whole cents, and never cheaper for more time."""
    room = card(hourly_rate=str(hourly))
    start = at(start_minutes / 60)
    shorter = room_quote(
        room=room, start=start, end=start + datetime.timedelta(minutes=minutes), currency="EUR"
    )
    longer = room_quote(
        room=room,
        start=start,
        end=start + datetime.timedelta(minutes=minutes + extra),
        currency="EUR",
    )
    assert shorter.total >= 0
    assert shorter.total == shorter.total.quantize(Decimal("0.01"))
    assert longer.total >= shorter.total
