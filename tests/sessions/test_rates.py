"""Pay rules: worked examples with the expected cents, and properties that hold for any input."""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions import rates
from sessions.rates import Work, price

UNION = dict(next(p for p in rates.PRESETS if p["kind"] == rates.UNION)["params"])  # type: ignore[call-overload]


def fee(kind: str, params: dict[str, Any], **work: Any) -> rates.Fee:
    defaults: dict[str, Any] = {"role": "musician", "hours": Decimal(3)}
    return price(kind=kind, params=params, work=Work(**{**defaults, **work}), currency="USD")


@pytest.mark.parametrize(
    ("kind", "params", "work", "total", "stub"),
    [
        (rates.FLAT, {"fee": "250"}, {}, "250.00", "Flat fee 250.00"),
        (
            rates.HOURLY,
            {"rate": "60", "minimum_hours": "3"},
            {"hours": Decimal(2)},
            "180.00",
            "3 h at 60 (minimum call 3 h) 180.00",
        ),
        (
            rates.HOURLY,
            {"rate": "60", "minimum_hours": "3"},
            {"hours": Decimal("4.5")},
            "270.00",
            "4.5 h at 60 270.00",
        ),
        (
            rates.DAY,
            {"rate": "400", "day_hours": "10"},
            {"hours": Decimal(8)},
            "400.00",
            "1 day at 400 400.00",
        ),
        (
            rates.DAY,
            {"rate": "400", "day_hours": "10"},
            {"hours": Decimal(12)},
            "800.00",
            "2 days at 400 800.00",
        ),
    ],
)
def test_simple_rules(
    kind: str, params: dict[str, Any], work: dict[str, Any], total: str, stub: str
) -> None:
    result = fee(kind, params, **work)
    assert str(result.total) == total
    assert result.stub() == stub


def test_union_basic_session_reads_like_a_pay_stub() -> None:
    result = fee(rates.UNION, UNION, hours=Decimal(3))
    # 418.62 scale; pension 14.09 % of 418.62 = 58.98; health 30.00 (first session of the day)
    assert result.stub() == (
        "3 h basic session 418.62; "
        "pension (employer, 14.09 % of scale wages) 58.98; "
        "health (employer, first session of the day) 30.00"
    )
    assert (result.wages, result.employer, result.total) == (
        Decimal("418.62"),
        Decimal("88.98"),
        Decimal("507.60"),
    )


def test_union_overtime_doubles_cartage_and_second_session() -> None:
    result = fee(
        rates.UNION,
        UNION,
        hours=Decimal("3.75"),  # 45 min over: 2 half-hour units
        doubles=("flute", "clarinet"),
        cartage=("baritone sax",),
        earlier_sessions_today=1,
    )
    # unit = 418.62 / 3 h * 0.5 h * 1.5 = 104.655 -> 104.66; 2 units = 209.32
    # doubles: 20 % = 83.72, 15 % = 62.79; cartage 30.00 (no pension on cartage)
    # pension 14.09 % of (418.62 + 209.32 + 83.72 + 62.79 = 774.45) = 109.12; health 25.00
    assert [(line.label, str(line.amount)) for line in result.lines] == [
        ("3 h basic session", "418.62"),
        ("2 overtime units at 104.66", "209.32"),
        ("double 1 (flute, 20 %)", "83.72"),
        ("double 2 (clarinet, 15 %)", "62.79"),
        ("cartage (baritone sax)", "30.00"),
        ("pension (employer, 14.09 % of scale wages)", "109.12"),
        ("health (employer, additional session that day)", "25.00"),
    ]
    assert result.wages == Decimal("804.45")
    assert result.total == Decimal("938.57")


def test_union_leader_at_double_scale() -> None:
    result = fee(rates.UNION, UNION, role="leader")
    assert result.lines[0].label == "3 h basic session (leader, 2× scale)"
    assert result.lines[0].amount == Decimal("837.24")
    assert result.lines[1].amount == Decimal("117.97")  # pension on double scale


@pytest.mark.parametrize(
    ("kind", "params", "missing"),
    [
        (rates.FLAT, {}, "fee"),
        (rates.HOURLY, {"rate": "60"}, "minimum_hours"),
        (rates.HOURLY, {"rate": "-1", "minimum_hours": "1"}, "rate"),
        (rates.DAY, {"rate": "400", "day_hours": "0"}, "day_hours"),
        (rates.UNION, {**UNION, "pension_percent": "abc"}, "pension_percent"),
        (rates.UNION, {k: v for k, v in UNION.items() if k != "scale"}, "scale"),
        (rates.FLAT, {"fee": "1", "bonus": "2"}, "bonus"),
    ],
)
def test_rule_missing_a_parameter(kind: str, params: dict[str, Any], missing: str) -> None:
    with pytest.raises(rates.RuleError) as error:
        fee(kind, params)
    assert missing in error.value.errors


def test_unknown_kind_and_negative_hours() -> None:
    with pytest.raises(rates.RuleError) as unknown:
        fee("piecework", {})
    assert list(unknown.value.errors) == ["kind"]
    with pytest.raises(rates.RuleError) as negative:
        fee(rates.FLAT, {"fee": "1"}, hours=Decimal(-1))
    assert negative.value.errors == {"hours": "Hours cannot be negative."}


RULES = [
    (rates.FLAT, {"fee": "250"}),
    (rates.HOURLY, {"rate": "61.37", "minimum_hours": "2"}),
    (rates.DAY, {"rate": "433.33", "day_hours": "8"}),
    (rates.UNION, UNION),
]


@given(
    rule=st.sampled_from(RULES),
    hours=st.decimals(min_value=0, max_value=12, places=2),
    more=st.decimals(min_value=0, max_value=12, places=2),
    doubles=st.integers(min_value=0, max_value=3),
    role=st.sampled_from(["musician", "leader", "contractor", "vocalist"]),
)
def test_fee_properties(
    rule: tuple[str, dict[str, Any]], hours: Decimal, more: Decimal, doubles: int, role: str
) -> None:
    """Fees are never negative, always whole cents, and never fall when hours rise."""
    kind, params = rule
    extra = tuple(f"instrument {i}" for i in range(doubles))
    shorter = fee(kind, params, hours=hours, role=role, doubles=extra)
    longer = fee(kind, params, hours=hours + more, role=role, doubles=extra)
    for result in (shorter, longer):
        assert result.total >= 0
        assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in result.lines)
        assert result.total == result.total.quantize(Decimal("0.01"))
    assert longer.total >= shorter.total
    assert longer.wages >= shorter.wages
