"""Money as exact Decimals at the edges and whole cents in the database, so no sum can drift."""

import re
from decimal import Decimal

CENT = Decimal("0.01")
# How an amount is written as text: an optional sign, digits, an optional fraction; no exponent.
PLAIN_DECIMAL = re.compile(r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$")
# The same, limited to what an entry amount may be (0.01 to 999999999999.99): for the schema.
PLAIN_AMOUNT = re.compile(
    r"^\s*\+?(0*[1-9][0-9]{0,11}(\.[0-9]{0,2})?|0*\.(0[1-9]|[1-9][0-9]?))\s*$"
)
MAX_ENTRY_AMOUNT = Decimal("999999999999.99")
# Running totals are 64-bit signed integers of cents in every supported database.
MAX_TOTAL_CENTS = 2**63 - 1


def to_cents(amount: Decimal | int) -> int:
    """Turn an amount with at most two decimal places into whole cents, refusing anything finer."""
    amount = Decimal(amount)
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(cents)


def from_cents(cents: int | Decimal) -> Decimal:
    """Turn whole cents back into an exact two-place Decimal."""
    return Decimal(int(cents)).scaleb(-2)


def parse_amount(text: str) -> Decimal:
    """Read an entry amount from text as the API accepts it, or raise ValueError saying why.

    The same rules as the API's AmountField, without DRF, for paths that read many rows.
    """
    if not PLAIN_DECIMAL.match(text):
        raise ValueError("Write the amount as a plain decimal number, such as 1250.50.")
    try:
        amount = Decimal(text.strip())
    except (ArithmeticError, ValueError, AttributeError):
        raise ValueError("A valid number is required.") from None
    if not amount.is_finite():
        raise ValueError("A valid number is required.")
    _, digits, exponent = amount.as_tuple()
    places = max(0, -exponent)
    if places > 2:
        raise ValueError("Ensure that there are no more than 2 decimal places.")
    if len(digits) + max(0, exponent) > 14:
        raise ValueError("Ensure that there are no more than 14 digits in total.")
    if amount < CENT:
        raise ValueError("Ensure this value is greater than or equal to 0.01.")
    if amount > MAX_ENTRY_AMOUNT:
        raise ValueError("Ensure this value is less than or equal to 999999999999.99.")
    return amount
