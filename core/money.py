"""Money: one rounding rule and one list of currencies for the whole house."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

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


def validate_amount(
    value: object,
    *,
    currency: str | None = None,
    max_digits: int = 12,
    decimal_places: int = 2,
) -> Decimal:
    """``value`` as a Decimal that fits its column, or a ValidationError saying why not.

    The one check for every amount that enters (API, admin, a rule's JSON parameters): finite
    (``"1e309"`` is a finite Decimal but no amount), no more integer digits than the column has
    (``max_digits - decimal_places``), and no more decimals than the column and, when
    ``currency`` is given, its minor unit (``"10.005"`` EUR, ``"10.5"`` JPY). Amounts are
    refused rather than rounded: a rounding the user never sees is a wrong invoice.
    """
    if isinstance(value, bool) or value is None:
        raise ValidationError("A number is required.", code="invalid")
    try:
        # str() first: a float from JSON keeps the digits it was written with.
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            "%(value)s is not a number.", code="invalid", params={"value": value}
        ) from error
    if not amount.is_finite():
        raise ValidationError("A finite number is required.", code="invalid")
    places = decimal_places if currency is None else min(decimal_places, minor_unit(currency))
    _, digits, exponent = amount.as_tuple()
    # Counted on the digits themselves: quantizing 1e309 would overflow the context. (The
    # exponent is an int: only NaN and infinities have a letter there.)
    whole_digits = max(len(digits) + int(exponent), 0)
    if whole_digits > max_digits - decimal_places:
        raise ValidationError(
            "%(value)s is too large: at most %(digits)s digits before the decimal point.",
            code="max_whole_digits",
            params={"value": value, "digits": max_digits - decimal_places},
        )
    exact = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if amount != exact:
        unit = f"{currency} amounts have" if currency else "this field has"
        raise ValidationError(
            "%(value)s has more decimals than %(unit)s (%(places)s).",
            code="max_decimal_places",
            params={"value": value, "unit": unit, "places": places},
        )
    # The same value in the column's form: 1E+2 is stored and shown as 100.00.
    return exact


ZERO = Decimal("0")


def money_field(**kwargs: object) -> models.DecimalField:
    """A non-negative amount in the currency of its parent."""
    return models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        **kwargs,  # type: ignore[arg-type]
    )
