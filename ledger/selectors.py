"""Reads of the ledger that are more than a one-line filter: balances, the dashboard, drift."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from customers.models import BALANCE, Customer
from ledger.models import Entry, EntryType

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Totals:
    """A customer's ledger totals, at the end of history or as of a day."""

    total_credit: Decimal
    total_debit: Decimal
    entry_count: int
    last_entry_date: datetime.date | None

    @property
    def balance(self) -> Decimal:
        return self.total_credit - self.total_debit


def entries_of(user):
    """The merchant's entries, with the reversing entry joined so lists cost one query."""
    return Entry.objects.for_user(user).select_related("reversed_by")


def customer_totals(customer: Customer, *, as_of: datetime.date | None = None) -> Totals:
    """The customer's totals: from its running totals, or summed over entries up to `as_of`."""
    if as_of is None:
        return Totals(
            total_credit=customer.total_credit,
            total_debit=customer.total_debit,
            entry_count=customer.entry_count,
            last_entry_date=customer.last_entry_date,
        )
    row = Entry.objects.filter(
        user=customer.user_id, customer=customer, entry_date__lte=as_of
    ).aggregate(
        total_credit=Sum("amount", filter=Q(type=EntryType.CREDIT)),
        total_debit=Sum("amount", filter=Q(type=EntryType.DEBIT)),
        entry_count=Count("id"),
        last_entry_date=Max("entry_date"),
    )
    return Totals(
        total_credit=row["total_credit"] or ZERO,
        total_debit=row["total_debit"] or ZERO,
        entry_count=row["entry_count"],
        last_entry_date=row["last_entry_date"],
    )


def dashboard(user) -> dict:
    """What the merchant will get, will give, and from how many customers.

    Archived customers still owe or are owed, so their balances count; `customer_count` is the
    customers in the active list.
    """
    row = (
        Customer.objects.for_user(user)
        .annotate(balance_amount=BALANCE)
        .aggregate(
            receivable=Sum("balance_amount", filter=Q(balance_amount__gt=0)),
            payable=Sum("balance_amount", filter=Q(balance_amount__lt=0)),
            customer_count=Count("id", filter=Q(archived_at__isnull=True)),
            customers_with_dues=Count("id", filter=Q(balance_amount__gt=0)),
        )
    )
    receivable = row["receivable"] or ZERO
    payable = -(row["payable"] or ZERO)
    return {
        "total_receivable": receivable,
        "total_payable": payable,
        "net": receivable - payable,
        "customer_count": row["customer_count"],
        "customers_with_dues": row["customers_with_dues"],
    }


@dataclass(frozen=True)
class Drift:
    """A customer whose running totals disagree with the sum of its entries."""

    customer_id: int
    kept: Totals
    recomputed: Totals


def ledger_drift():
    """Recompute every customer's totals from its entries and yield those that disagree."""
    sums = {
        row["customer"]: row
        for row in Entry.objects.values("customer")
        .order_by()
        .annotate(
            credit=Sum("amount", filter=Q(type=EntryType.CREDIT)),
            debit=Sum("amount", filter=Q(type=EntryType.DEBIT)),
            count=Count("id"),
            last=Max("entry_date"),
        )
    }
    for customer in Customer.objects.order_by("pk").iterator():
        row = sums.get(customer.pk, {})
        recomputed = Totals(
            total_credit=row.get("credit") or ZERO,
            total_debit=row.get("debit") or ZERO,
            entry_count=row.get("count", 0),
            last_entry_date=row.get("last"),
        )
        kept = customer_totals(customer)
        if kept != recomputed:
            yield Drift(customer_id=customer.pk, kept=kept, recomputed=recomputed)
