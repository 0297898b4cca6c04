"""``{{ amount|money:currency }}``: an amount with its currency's places, rounded half-up.

Sums straight from the database need it: SQLite adds decimals as floats, so a total of costs
arrives as 1574.27000000000 unless it goes back to the currency's minor unit.
"""

from decimal import Decimal, InvalidOperation

from django import template

from core.money import round_money

register = template.Library()


@register.filter
def money(amount: object, currency: str = "EUR") -> str:
    if amount is None or amount == "":
        return ""
    try:
        return str(round_money(Decimal(str(amount)), currency or "EUR"))
    except (InvalidOperation, ValueError, TypeError):
        return str(amount)
