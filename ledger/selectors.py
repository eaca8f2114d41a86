"""Reads of the ledger that are more than a one-line filter: balances, the dashboard, and
checks for drift."""

import datetime
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
)

from common.money import from_cents
from customers.models import BALANCE, Customer
from ledger.models import DailyTotal, Entry, EntryType

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


# What EntrySerializer reads of an entry.
ENTRY_COLUMNS = (
    "id",
    "customer_id",
    "type",
    "amount",
    "note",
    "entry_date",
    "created_at",
    "reverses_id",
    "reversed_by_id",
)


EntryRow = namedtuple("EntryRow", ENTRY_COLUMNS)

# Each filter of the entry lists: the entry's field it compares, and how.
ROW_CONDITIONS = {
    "customer": ("customer", "="),
    "type": ("type", "="),
    "start_date": ("entry_date", ">="),
    "end_date": ("entry_date", "<="),
    "min_amount": ("amount", ">="),
    "max_amount": ("amount", "<="),
}
ROW_ORDERING = {"id", "entry_date", "amount", "created_at"}


class EntryRows:
    """A merchant's entries, filtered and ordered, as a paginator sees them: a count, and slices
    read by one plain SQL query each into EntryRows (what EntrySerializer reads of an entry).

    The entry list is the busiest read there is, and building and compiling its page query
    through the ORM cost five times what running it did. `conditions` are (filter, value) pairs
    as the lists' filters parse them; `ordering` names ROW_ORDERING fields, "-" for descending
    (the id breaks ties, so pages stay stable); `count` is a function answering how many there
    are, which Django's paginator calls when it is not told.
    """

    def __init__(self, *, user, conditions, ordering, count):
        table = connection.ops.quote_name(Entry._meta.db_table)
        where, self.params = ["e.user_id = %s"], [user.pk]
        for name, value in conditions:
            field_name, operator = ROW_CONDITIONS[name]
            field = Entry._meta.get_field(field_name)
            where.append(f"e.{field.column} {operator} %s")
            # The field prepares the value as the ORM would (a day, cents); a customer is its id.
            self.params.append(field.get_db_prep_value(getattr(value, "pk", value), connection))
        order = []
        for field in ordering:
            name = field.removeprefix("-")
            if name not in ROW_ORDERING:
                raise ValueError(f"Entries cannot be ordered by {field!r}.")
            order.append(f"e.{name} {'DESC' if field.startswith('-') else 'ASC'}")
        if not any(field.removeprefix("-") == "id" for field in ordering):
            order.append("e.id ASC")
        # Only the model's table and column names and ROW_CONDITIONS' operators and ROW_ORDERING
        # go into the text; every value is a parameter.
        conditions, order_by = " AND ".join(where), ", ".join(order)
        self.sql = (
            f"SELECT e.id, e.customer_id, e.type, e.amount, e.note, e.entry_date, "  # noqa: S608
            f"e.created_at, e.reverses_id, r.id FROM {table} e LEFT OUTER JOIN {table} r "
            f"ON r.reverses_id = e.id WHERE {conditions} ORDER BY {order_by}"
        )
        self.count = count

    def __getitem__(self, page: slice) -> list[EntryRow]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"{self.sql} LIMIT %s OFFSET %s", [*self.params, page.stop - page.start, page.start]
            )
            rows = cursor.fetchall()
        # The database's own conversions (on SQLite, text to dates and aware datetimes), as the
        # ORM would apply them.
        day, moment = (_converter(name) for name in ("entry_date", "created_at"))
        return [
            EntryRow(id_, customer, type_, from_cents(cents), note, day(d), moment(t), rev, by)
            for id_, customer, type_, cents, note, d, t, rev, by in rows
        ]


def _converter(name: str):
    """The backend's converters for an entry column, as one function of the value."""
    column = Entry._meta.get_field(name).get_col("e")
    converters = connection.ops.get_db_converters(column)

    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


def customer_totals(customer: Customer, *, as_of: datetime.date | None = None) -> Totals:
    """The customer's totals: its running totals, or as of the end of a day from its daily
    totals (one row per day of history, never one per entry)."""
    if as_of is None:
        return Totals(
            total_credit=customer.total_credit,
            total_debit=customer.total_debit,
            entry_count=customer.entry_count,
            last_entry_date=customer.last_entry_date,
        )
    return _day_sums(customer, day__lte=as_of)


def entry_count(customer: Customer, *, start_date=None, end_date=None) -> int:
    """How many entries the customer has, dated within the period if one is given: from the
    running totals, or the daily totals (a row per day, never one per entry)."""
    if start_date is None and end_date is None:
        return customer.entry_count
    return _day_sums(customer, **_day_range(start_date, end_date)).entry_count


def _day_range(start_date, end_date) -> dict:
    day_range = {}
    if start_date is not None:
        day_range["day__gte"] = start_date
    if end_date is not None:
        day_range["day__lte"] = end_date
    return day_range


def _day_sums(customer: Customer, **day_range) -> Totals:
    row = DailyTotal.objects.filter(
        user=customer.user_id, customer=customer, **day_range
    ).aggregate(credit=Sum("credit"), debit=Sum("debit"), count=Sum("entry_count"), last=Max("day"))
    return Totals(
        total_credit=row["credit"] or ZERO,
        total_debit=row["debit"] or ZERO,
        entry_count=row["count"] or 0,
        last_entry_date=row["last"],
    )


def dashboard(user) -> dict:
    """What the merchant will get, will give, and from how many customers.

    Archived customers still owe or are owed, so their balances count; `customer_count` is the
    customers in the active list.
    """
    owing, owed = Q(balance_amount__gt=0), Q(balance_amount__lt=0)
    row = (
        Customer.objects.for_user(user)
        .annotate(balance_amount=BALANCE)
        .aggregate(
            **exact_sum("receivable", F("balance_amount"), filter=owing),
            **exact_sum("payable", F("balance_amount"), filter=owed),
            customer_count=Count("id", filter=Q(archived_at__isnull=True)),
            customers_with_dues=Count("id", filter=owing),
        )
    )
    receivable = from_cents(exact_total(row, "receivable"))
    payable = -from_cents(exact_total(row, "payable"))
    return {
        "total_receivable": receivable,
        "total_payable": payable,
        "net": receivable - payable,
        "customer_count": row["customer_count"],
        "customers_with_dues": row["customers_with_dues"],
    }


# A sum of 64-bit cents overflows past 2**63 (SQLite stops with "integer overflow"), and many
# customers' balances can add up past that. Each balance is summed as two halves instead, its
# high 32 bits (signed) and its low 32 bits: neither sum can overflow for any number of rows a
# table holds, and Python joins them exactly. The same SQL on every database.
HALF = 32


def exact_sum(name: str, cents, *, filter: Q) -> dict:
    """Aggregates for the exact sum of the whole cents `cents`; read it with exact_total()."""
    whole = BigIntegerField()
    return {
        f"{name}_high": Sum(ExpressionWrapper(cents.bitrightshift(HALF), whole), filter=filter),
        f"{name}_low": Sum(ExpressionWrapper(cents.bitand(2**HALF - 1), whole), filter=filter),
    }


def exact_total(row: dict, name: str) -> int:
    """The sum exact_sum() asked for, in cents."""
    return (int(row[f"{name}_high"] or 0) << HALF) + int(row[f"{name}_low"] or 0)


@dataclass(frozen=True)
class Drift:
    """A customer whose kept totals (running, or of one day) disagree with its entries."""

    customer_id: int
    day: datetime.date | None  # None: the running totals
    kept: Totals
    recomputed: Totals


def ledger_drift():
    """Recompute every customer's running totals and daily totals from its entries; yield each
    that disagrees. Reads every entry once: a check to run, not a query to serve."""
    per_day = {}
    for row in (
        Entry.objects.values("customer", "entry_date")
        .order_by()
        .annotate(
            credit=Sum("amount", filter=Q(type=EntryType.CREDIT)),
            debit=Sum("amount", filter=Q(type=EntryType.DEBIT)),
            count=Count("id"),
        )
    ):
        per_day[row["customer"], row["entry_date"]] = Totals(
            row["credit"] or ZERO, row["debit"] or ZERO, row["count"], row["entry_date"]
        )
    kept_days = {
        (row.customer_id, row.day): Totals(row.credit, row.debit, row.entry_count, row.day)
        for row in DailyTotal.objects.all().iterator()
    }
    empty = Totals(ZERO, ZERO, 0, None)
    for customer_id, day in sorted(per_day.keys() | kept_days.keys()):
        kept = kept_days.get((customer_id, day), empty)
        recomputed = per_day.get((customer_id, day), empty)
        if kept != recomputed:
            yield Drift(customer_id=customer_id, day=day, kept=kept, recomputed=recomputed)

    by_customer: dict[int, list[Totals]] = {}
    for (customer_id, _), totals in per_day.items():
        by_customer.setdefault(customer_id, []).append(totals)
    for customer in Customer.objects.order_by("pk").iterator():
        days = by_customer.get(customer.pk, [])
        recomputed = Totals(
            total_credit=sum((t.total_credit for t in days), ZERO),
            total_debit=sum((t.total_debit for t in days), ZERO),
            entry_count=sum(t.entry_count for t in days),
            last_entry_date=max((t.last_entry_date for t in days), default=None),
        )
        kept = customer_totals(customer)
        if kept != recomputed:
            yield Drift(customer_id=customer.pk, day=None, kept=kept, recomputed=recomputed)
