"""Money: one rounding rule and one list of currencies for the whole house."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision, list_currencies
from django.core.exceptions import ValidationError

# ISO 4217 codes Babel knows, minus the funds and metals no studio bills in.
_NOT_MONEY = {"XAG", "XAU", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD", "XTS"}
CURRENCY_CODES = frozenset(code for code in list_currencies() if code not in _NOT_MONEY)


def validate_currency(value: str) -> None:
    # Not a `choices` list: Babel's list grows with ISO 4217, and choices would make every
    # Babel upgrade a migration.
    if value not in CURRENCY_CODES:
        raise ValidationError(
            "%(value)s is not an ISO 4217 currency code (for example EUR, USD, GBP).",
            code="invalid_currency",
            params={"value": value},
        )


def minor_unit(currency: str) -> int:
    """Digits after the decimal point for a currency (JPY 0, EUR 2), capped at our columns' 2."""
    return min(get_currency_precision(currency), 2)


def round_money(amount: Decimal | int | str, currency: str = "EUR") -> Decimal:
    """Quantize to the currency's minor unit, rounding half up (commercial rounding).

    Every amount that is stored or shown goes through here, so that a total never differs
    from the sum of its rounded parts by a rounding mode.
    """
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)
