"""Pay rules: pure functions from a rule's parameters and what a player did to a fee, in Decimal.

Each rule kind has a parameter schema (checked by ``validate_params``) and a pricing function
that returns the fee with a pay-stub breakdown. Nothing here touches the database: the same
function prices a saved engagement, a quote, and a worked example in a test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.money import round_money, validate_amount

FLAT, HOURLY, DAY, UNION = "flat", "hourly", "day", "union_scale"
KINDS = (FLAT, HOURLY, DAY, UNION)
DOUBLING_ROLES_AT_SCALE = ("musician", "vocalist", "leader", "contractor")


@dataclass(frozen=True)
class Work:
    """What one player did on one session, as the rules need it."""

    role: str
    hours: Decimal
    doubles: Sequence[str] = ()
    cartage: Sequence[str] = ()
    # 0 for the first session this person played that day, 1 for the second, ...
    earlier_sessions_today: int = 0


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal
    employer: bool = False  # paid on the player's behalf (pension, health), not to them

    def as_json(self) -> dict[str, object]:
        return {"label": self.label, "amount": str(self.amount), "employer": self.employer}


@dataclass(frozen=True)
class Fee:
    lines: tuple[Line, ...]
    currency: str
    wages: Decimal = field(init=False)
    employer: Decimal = field(init=False)
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        wages = sum((line.amount for line in self.lines if not line.employer), Decimal(0))
        employer = sum((line.amount for line in self.lines if line.employer), Decimal(0))
        object.__setattr__(self, "wages", round_money(wages, self.currency))
        object.__setattr__(self, "employer", round_money(employer, self.currency))
        object.__setattr__(self, "total", round_money(wages + employer, self.currency))

    def stub(self) -> str:
        """The breakdown as one pay-stub line: "3 h basic session 418.62; ..."."""
        return "; ".join(f"{line.label} {line.amount}" for line in self.lines)


class RuleError(ValueError):
    """A rule's parameters are missing or wrong; ``errors`` maps parameter to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _number(
    params: Mapping[str, object],
    name: str,
    errors: dict[str, str],
    *,
    currency: str | None,
    minimum: Decimal = Decimal(0),
) -> Decimal:
    raw = params.get(name)
    if raw is None or isinstance(raw, bool):
        errors[name] = "Required."
        return Decimal(0)
    try:
        if name in MONEY:
            # Stored unchecked, "1e309" or "10.005" made every engagement on the rule a 500:
            # a money parameter is an amount like any other, in the rule's currency.
            validate_amount(raw, currency=currency)
        else:
            validate_amount(raw, max_digits=FACTOR_DIGITS, decimal_places=FACTOR_PLACES)
        # As written (60, not 60.00): the pay stub quotes it.
        value = Decimal(str(raw).strip())
    except ValidationError as error:
        errors[name] = " ".join(error.messages)
        return Decimal(0)
    if value < minimum:
        errors[name] = f"Must be at least {minimum}."
    return value


SCHEMAS: dict[str, tuple[str, ...]] = {
    FLAT: ("fee",),
    HOURLY: ("rate", "minimum_hours"),
    DAY: ("rate", "day_hours"),
    UNION: (
        "scale",
        "session_hours",
        "overtime_unit_minutes",
        "overtime_multiplier",
        "first_double_percent",
        "further_double_percent",
        "leader_multiplier",
        "contractor_multiplier",
        "cartage_per_item",
        "pension_percent",
        "health_first_session",
        "health_additional_session",
    ),
}
POSITIVE = {"session_hours", "overtime_unit_minutes", "day_hours", "overtime_multiplier"}
# Parameters that are amounts of the rule's currency; the others are hours, minutes,
# percentages and multipliers.
MONEY = {
    "fee",
    "rate",
    "scale",
    "cartage_per_item",
    "health_first_session",
    "health_additional_session",
}
# Hours, minutes, percentages and multipliers: up to 9999 with three decimals is every real
# rule (a 14.09 % pension, a 1.5 multiplier, 30-minute units) and keeps the fee in its column.
FACTOR_DIGITS, FACTOR_PLACES = 7, 3


def validate_params(
    kind: str, params: object, *, currency: str | None = None
) -> dict[str, Decimal]:
    """The rule's parameters as Decimals, or RuleError naming each missing or bad one. With
    ``currency``, money parameters are held to its minor unit."""
    if kind not in SCHEMAS:
        raise RuleError({"kind": f"Unknown rule kind {kind!r}; one of {', '.join(KINDS)}."})
    if not isinstance(params, Mapping):
        raise RuleError({"params": "An object of parameters."})
    errors: dict[str, str] = {}
    values = {
        name: _number(
            params,
            name,
            errors,
            currency=currency,
            minimum=Decimal("0.01") if name in POSITIVE else Decimal(0),
        )
        for name in SCHEMAS[kind]
    }
    unknown = set(params) - set(SCHEMAS[kind])
    for name in sorted(unknown):
        errors[name] = "Not a parameter of this kind of rule."
    if errors:
        raise RuleError(errors)
    return values


def _flat(p: dict[str, Decimal], work: Work, currency: str) -> list[Line]:
    return [Line("Flat fee", round_money(p["fee"], currency))]


def _hourly(p: dict[str, Decimal], work: Work, currency: str) -> list[Line]:
    billed = max(work.hours, p["minimum_hours"])
    note = f" (minimum call {p['minimum_hours'].normalize():f} h)" if billed > work.hours else ""
    return [
        Line(
            f"{billed.normalize():f} h at {p['rate']}{note}",
            round_money(billed * p["rate"], currency),
        )
    ]


def _day(p: dict[str, Decimal], work: Work, currency: str) -> list[Line]:
    days = max(1, math.ceil(work.hours / p["day_hours"]))
    label = f"{days} day{'s' if days > 1 else ''} at {p['rate']}"
    return [Line(label, round_money(days * p["rate"], currency))]


def _union(p: dict[str, Decimal], work: Work, currency: str) -> list[Line]:
    """AFM-style session pay: basic session at scale (leaders and contractors at a multiple),
    overtime in units at a multiplier, doubles as a premium on scale, cartage per item, and the
    employer's pension (on scale wages) and health contributions."""
    multiple = {"leader": p["leader_multiplier"], "contractor": p["contractor_multiplier"]}.get(
        work.role, Decimal(1)
    )
    scale = p["scale"] * multiple
    who = f" ({work.role}, {multiple.normalize():f}× scale)" if multiple != 1 else ""
    lines = [
        Line(
            f"{p['session_hours'].normalize():f} h basic session{who}", round_money(scale, currency)
        )
    ]
    wages = lines[0].amount
    extra_hours = max(Decimal(0), work.hours - p["session_hours"])
    if extra_hours:
        unit_hours = p["overtime_unit_minutes"] / 60
        units = math.ceil(extra_hours / unit_hours)
        per_unit = round_money(
            scale / p["session_hours"] * unit_hours * p["overtime_multiplier"], currency
        )
        amount = round_money(units * per_unit, currency)
        lines.append(Line(f"{units} overtime unit{'s' if units > 1 else ''} at {per_unit}", amount))
        wages += amount
    for index, instrument in enumerate(work.doubles):
        percent = p["first_double_percent"] if index == 0 else p["further_double_percent"]
        amount = round_money(scale * percent / 100, currency)
        lines.append(Line(f"double {index + 1} ({instrument}, {percent.normalize():f} %)", amount))
        wages += amount
    if work.cartage:
        amount = round_money(len(work.cartage) * p["cartage_per_item"], currency)
        lines.append(Line(f"cartage ({', '.join(work.cartage)})", amount))
    pension = round_money(wages * p["pension_percent"] / 100, currency)
    lines.append(
        Line(
            f"pension (employer, {p['pension_percent'].normalize():f} % of scale wages)",
            pension,
            True,
        )
    )
    first = work.earlier_sessions_today == 0
    health = p["health_first_session"] if first else p["health_additional_session"]
    which = "first session of the day" if first else "additional session that day"
    lines.append(Line(f"health (employer, {which})", round_money(health, currency), True))
    return lines


PRICERS: dict[str, Callable[[dict[str, Decimal], Work, str], list[Line]]] = {
    FLAT: _flat,
    HOURLY: _hourly,
    DAY: _day,
    UNION: _union,
}


def price(*, kind: str, params: object, work: Work, currency: str) -> Fee:
    """The fee for ``work`` under a rule; RuleError when the rule's parameters are wrong."""
    if work.hours < 0:
        raise RuleError({"hours": "Hours cannot be negative."})
    values = validate_params(kind, params, currency=currency)
    return Fee(lines=tuple(PRICERS[kind](values, work, currency)), currency=currency)


# Presets. Agreements change: these are starting points a producer copies and adjusts.
PRESETS: list[dict[str, object]] = [
    {
        "name": "AFM Sound Recording Labor Agreement (from 3 Feb 2025)",
        "kind": UNION,
        "currency": "USD",
        "params": {
            # Basic 3-hour session scale: UNVERIFIED placeholder, set it from the current wage
            # sheet before use.
            "scale": "418.62",
            "session_hours": "3",
            # Overtime in half-hour units at time and a half: modelled on the SRLA, UNVERIFIED.
            "overtime_unit_minutes": "30",
            "overtime_multiplier": "1.5",
            # Doubling 20 % of scale for the first double, 15 % for each further: UNVERIFIED.
            "first_double_percent": "20",
            "further_double_percent": "15",
            # Leader and contractor at double scale (AFM practice).
            "leader_multiplier": "2",
            "contractor_multiplier": "2",
            # Cartage per instrument carried: UNVERIFIED placeholder.
            "cartage_per_item": "30.00",
            # AFM SRLA from 3 Feb 2025: pension 14.09 % of scale wages; health $30 for the first
            # session of the day, $25 for each additional one.
            "pension_percent": "14.09",
            "health_first_session": "30.00",
            "health_additional_session": "25.00",
        },
        "source": (
            "AFM SRLA effective 3 Feb 2025: pension 14.09 %, health $30 first / $25 "
            "additional session (verified); scale, overtime, doubling and cartage are "
            "unverified placeholders."
        ),
        "verified": False,
    },
    {
        "name": "Session player, hourly with 3-hour minimum call",
        "kind": HOURLY,
        "currency": "EUR",
        "params": {"rate": "60.00", "minimum_hours": "3"},
        "source": "House preset.",
        "verified": True,
    },
]
