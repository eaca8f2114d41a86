"""Reads of the ledger that are more than a one-line filter: balances, the dashboard, and
checks for drift."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from common.fields import MoneyField
from common.money import from_cents
from customers.models import BALANCE, DUE, Customer, Kind
from ledger import dues
from ledger.models import DailyTotal, Due, Entry, EntryType

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

    def as_dict(self) -> dict:
        """The totals as SummarySerializer shows them."""
        return {
            "total_credit": self.total_credit,
            "total_debit": self.total_debit,
            "balance": self.balance,
            "entry_count": self.entry_count,
            "last_entry_date": self.last_entry_date,
        }


# An entry as a list shows it (EntrySerializer's fields), the reversal's id joined in.
ENTRY_ROW = [
    "id",
    "customer_id",
    "type",
    "amount",
    "note",
    "entry_date",
    "due_date",
    "created_at",
    "reverses_id",
    "reversed_by_id",
    "created_by_name",
]


def entry_rows(entries):
    """`entries` as rows with an entry's attributes (what EntrySerializer reads), not model
    instances: a page of 50 built as Entry objects cost more than its query did. (The reversal
    is joined: count the entries before this, as the entry views do.)

    The author's name is a subquery per row returned, not a join: joined, PostgreSQL planned a
    hash join over every entry of the customer and a sort whenever its statistics lagged (right
    after a big import: 1.1 s for a page of a million-entry customer, measured); as a subquery
    the page is still read in its index's order and stops at the page's end."""
    author = get_user_model().objects.filter(pk=OuterRef("created_by_id")).values("username")
    return entries.annotate(
        reversed_by_id=F("reversed_by__id"),
        created_by_name=Coalesce("recorded_by", Subquery(author[:1])),
    ).values_list(*ENTRY_ROW, named=True)


def falling_due_from(book, day: datetime.date):
    """Per party of the book (a subquery on OuterRef `pk`): the total of its dues that fall due
    on or after `day`, a range of the settlement-order index. The book is a constant, not the
    outer row's: on Citus that is what keeps the whole query on the book's shard."""
    return Coalesce(
        Subquery(
            Due.objects.filter(book_id=book.pk, customer_id=OuterRef("pk"), due_date__gte=day)
            .order_by()
            .values("customer_id")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
        Value(0),
        output_field=MoneyField(),
    )


def with_overdue(customers, book, today: datetime.date):
    """Annotate `overdue_amount` on the book's `customers`: what of each one's dues is open and
    fell due before `today`. What is open is the newest dues adding up to what it owes
    (ledger.dues), so what fell due before a day is what it owes less its dues falling due from
    that day on, if that leaves anything: a subquery per customer over its dues from `today` on,
    not its history."""
    return customers.annotate(
        overdue_amount=Greatest(
            DUE - falling_due_from(book, today), Value(0), output_field=MoneyField()
        )
    )


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
    row = (
        DailyTotal.objects.of(customer.tenant_id)
        .filter(customer=customer, **day_range)
        .aggregate(
            credit=Sum("credit"), debit=Sum("debit"), count=Sum("entry_count"), last=Max("day")
        )
    )
    return Totals(
        total_credit=row["credit"] or ZERO,
        total_debit=row["debit"] or ZERO,
        entry_count=row["count"] or 0,
        last_entry_date=row["last"],
    )


def dashboard(tenant) -> dict:
    """What the book will get, will give, and from how many customers; what of it is
    overdue and how long (as of today in the book's time zone); the same split by kind.

    Archived customers still owe or are owed, so their balances count; `customer_count` is the
    customers in the active list.
    """
    owing, owed = Q(balance_amount__gt=0), Q(balance_amount__lt=0)
    by_kind = {}
    for kind in Kind.values:
        of_kind = Q(kind=kind)
        by_kind |= exact_sum(f"{kind}_receivable", F("balance_amount"), filter=owing & of_kind)
        by_kind |= exact_sum(f"{kind}_payable", F("balance_amount"), filter=owed & of_kind)
    row = (
        Customer.objects.of(tenant)
        .annotate(balance_amount=BALANCE)
        .aggregate(
            **exact_sum("receivable", F("balance_amount"), filter=owing),
            **exact_sum("payable", F("balance_amount"), filter=owed),
            **by_kind,
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
        "by_kind": {
            kind: {
                "receivable": from_cents(exact_total(row, f"{kind}_receivable")),
                "payable": -from_cents(exact_total(row, f"{kind}_payable")),
            }
            for kind in Kind.values
        },
        **_dues_of_book(tenant),
    }


def _dues_of_book(tenant) -> dict:
    """The book's open dues, aged as of today in its time zone, by which way they run
    (receivable: customers'; payable: suppliers'). What is open from a day on is the lesser of
    what a party owes and its dues falling due from that day (ledger.dues.open_by_edge): two
    queries, the parties that owe and their dues of the last 90 days and after (never older)."""
    today = tenant.today()
    edges = dues.edges(today)
    owing = (
        Customer.objects.of(tenant)
        .annotate(owed_amount=DUE)
        .filter(owed_amount__gt=0)
        .values_list("pk", "kind", "owed_amount")
    )
    # Per party, the total of its dues falling due on or after each edge.
    from_each = {f"from_{n}": Sum("amount", filter=Q(due_date__gte=e)) for n, e in enumerate(edges)}
    falling = {
        row[0]: list(row[1:])
        for row in Due.objects.of(tenant)
        .filter(due_date__gte=edges[-1])
        .order_by()
        .values("customer_id")
        .annotate(**from_each)
        .values_list("customer_id", *from_each)
    }
    by_side = {Kind.CUSTOMER: [], Kind.SUPPLIER: []}
    for pk, kind, due in owing:
        sums = falling.get(pk, [None] * len(edges))
        by_side[kind] += dues.open_by_edge(due, sums, as_of=today)
    ageing = {
        side: dues.aged(by_side[kind], as_of=today)
        for side, kind in (("receivable", Kind.CUSTOMER), ("payable", Kind.SUPPLIER))
    }
    return {
        "overdue": {side: aged.overdue for side, aged in ageing.items()},
        "ageing": {side: aged.buckets for side, aged in ageing.items()},
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
