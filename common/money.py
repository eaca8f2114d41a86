"""Money as exact Decimals at the edges and whole cents in the database, so no sum can drift."""

from decimal import Decimal

CENT = Decimal("0.01")
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
