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
    row = (
        _entries_of_customer(customer)
        .filter(entry_date__lte=as_of)
        .aggregate(
            total_credit=Sum("amount", filter=Q(type=EntryType.CREDIT)),
            total_debit=Sum("amount", filter=Q(type=EntryType.DEBIT)),
            entry_count=Count("id"),
            last_entry_date=Max("entry_date"),
        )
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


@dataclass(frozen=True)
class StatementLine:
    """One entry of a statement, with the customer's balance just after it."""

    id: int
    entry_date: datetime.date
    type: str
    amount: Decimal
    note: str
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    """A customer's account over a period: opening balance, the entries, closing balance."""

    customer: Customer
    start_date: datetime.date | None
    end_date: datetime.date | None
    opening_balance: Decimal
    total_credit: Decimal
    total_debit: Decimal
    entry_count: int

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.total_credit - self.total_debit

    def lines(self, chunk_size: int = 2000):
        """Yield the period's entries in date order with running balances, streamed from the
        database in chunks so a long history never sits in memory."""
        balance = self.opening_balance
        rows = (
            _period(self.customer, self.start_date, self.end_date)
            .order_by("entry_date", "id")
            .values_list("id", "entry_date", "type", "amount", "note")
            .iterator(chunk_size=chunk_size)
        )
        for id_, entry_date, type_, amount, note in rows:
            balance = balance + amount if type_ == EntryType.CREDIT else balance - amount
            yield StatementLine(id_, entry_date, type_, amount, note, balance)


def statement(customer: Customer, *, start_date=None, end_date=None) -> Statement:
    """The customer's statement for the period (either end open); two aggregate queries."""
    opening = ZERO
    if start_date is not None:
        before = _sums(_entries_of_customer(customer).filter(entry_date__lt=start_date))
        opening = before["credit"] - before["debit"]
    period = _sums(_period(customer, start_date, end_date))
    return Statement(
        customer=customer,
        start_date=start_date,
        end_date=end_date,
        opening_balance=opening,
        total_credit=period["credit"],
        total_debit=period["debit"],
        entry_count=period["count"],
    )


def _entries_of_customer(customer: Customer):
    return Entry.objects.filter(user=customer.user_id, customer=customer)


def _period(customer: Customer, start_date, end_date):
    entries = _entries_of_customer(customer)
    if start_date is not None:
        entries = entries.filter(entry_date__gte=start_date)
    if end_date is not None:
        entries = entries.filter(entry_date__lte=end_date)
    return entries


def _sums(entries) -> dict:
    row = entries.aggregate(
        credit=Sum("amount", filter=Q(type=EntryType.CREDIT)),
        debit=Sum("amount", filter=Q(type=EntryType.DEBIT)),
        count=Count("id"),
    )
    return {"credit": row["credit"] or ZERO, "debit": row["debit"] or ZERO, "count": row["count"]}
