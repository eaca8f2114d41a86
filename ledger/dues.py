"""Dues: when what a party owes falls due, and how old what is still open is.

A customer's credits open dues and its debits pay them; a supplier's debits open what the book
will give and its credits pay that. Every due row (ledger.Due) is added and removed by the
posting trigger with its entry, and nothing else writes it. Payments settle the open dues oldest
due date first (then entry date, then entry), as one pool: what is settled is always the oldest
dues up to what the party has paid, so what is still open is always the newest dues adding up to
what it owes (its balance). That is read when asked, from the newest due back (open_as_of), so
back-dating a due, reversing a due or reversing a payment leaves the dues exactly as if the
reversed entry and its reversal had never been posted, and no posting writes a settlement.
"""

import datetime
import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from common.money import from_cents
from customers.models import Customer, Kind, LimitPolicy
from ledger.exceptions import CreditLimitExceeded, LedgerError
from ledger.models import DailyTotal, Entry, EntryType

ZERO = Decimal("0.00")
# A party's dues by kind: the type of entry that opens one, and the type that pays.
OPENS = {Kind.CUSTOMER: EntryType.CREDIT, Kind.SUPPLIER: EntryType.DEBIT}
PAYS = {Kind.CUSTOMER: EntryType.DEBIT, Kind.SUPPLIER: EntryType.CREDIT}


def opens_due(customer: Customer, type: str) -> bool:
    """Whether an entry of `type` (not a reversal) opens a due for this party."""
    return OPENS[customer.kind] == type


def due_date_for(
    customer: Customer,
    *,
    type: str,
    entry_date: datetime.date,
    given: datetime.date | None = None,
    reversal: bool = False,
) -> datetime.date | None:
    """The due date an entry carries: the given one, else its date plus the party's payment
    terms, for an entry that opens a due; none for a payment or a reversal."""
    if reversal or not opens_due(customer, type):
        if given is not None:
            what = "a reversal" if reversal else f"a {type} of a {customer.kind}"
            raise LedgerError(f"A due date is for entries that open a due, not {what}.")
        return None
    if given is not None:
        if given < entry_date:
            raise LedgerError("The due date cannot be before the entry date.")
        return given
    try:
        return entry_date + datetime.timedelta(days=customer.payment_terms_days)
    except OverflowError:
        raise LedgerError("The entry date plus the payment terms is past the last date.") from None


# Limits ---------------------------------------------------------------------------------------


def exposure(customer: Customer) -> Decimal:
    """What the party owes the book (a customer) or the book owes it (a supplier); may be
    negative (paid ahead)."""
    return -customer.balance if customer.kind == Kind.SUPPLIER else customer.balance


def check_limit(customer: Customer, *, raised_by: Decimal) -> list[str]:
    """After a posting raised what the party owes by `raised_by` (its customer row re-read,
    and locked by the posting's trigger until the transaction ends, so concurrent postings are
    checked one after another): refuse it past a block limit, or answer the warning for a warn
    limit. A posting that did not raise it (a payment, a reversal) always passes."""
    limit = customer.credit_limit
    after = exposure(customer)
    if limit is None or raised_by <= 0 or after <= limit:
        return []
    if customer.credit_limit_policy == LimitPolicy.BLOCK:
        raise CreditLimitExceeded(credit_limit=limit, balance_after=customer.balance)
    return [
        f"This takes {customer.name}'s balance to {customer.balance:.2f}, past the credit "
        f"limit of {limit:.2f}."
    ]


def _day(value) -> datetime.date:
    """A date as the database answers it in raw SQL (SQLite: text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


# Ageing ---------------------------------------------------------------------------------------

ByDueDate = list[tuple[datetime.date, Decimal]]

# Days overdue: the first bucket's last day, and the name of each bucket after it.
BUCKETS = ((0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90"), (None, "90+"))


@dataclass(frozen=True)
class Ageing:
    """What is open, as of a day: due, overdue, and by how many days overdue."""

    as_of: datetime.date
    due: Decimal
    overdue: Decimal
    oldest_due_date: datetime.date | None
    buckets: dict[str, Decimal]


def edges(as_of: datetime.date) -> list[datetime.date]:
    """The first due date of each bucket but the oldest, newest first: as_of, then 30, 60 and
    90 days before it."""
    return [as_of - datetime.timedelta(days=last) for last, _ in BUCKETS if last is not None]


def open_by_edge(
    due: Decimal, falling_due_from: list[Decimal], *, as_of: datetime.date
) -> ByDueDate:
    """A party's open dues as of a day, a row per bucket, from what it owes (`due`) and the
    total of its dues falling due on or after each of edges(as_of). What is open is the newest
    dues adding up to `due`, so what is open from an edge on is the lesser of the two; each row
    is dated at its bucket's edge (the oldest, the day before the last edge): aged() reads it."""
    days = edges(as_of)
    open_from = [min(due, falling or ZERO) for falling in falling_due_from]
    rows = [(days[0], open_from[0])]
    pieces = itertools.pairwise(open_from)
    rows += [(day, b - a) for day, (a, b) in zip(days[1:], pieces, strict=True)]
    rows.append((days[-1] - datetime.timedelta(days=1), due - open_from[-1]))
    return rows


def aged(by_due_date: Iterable[tuple[datetime.date, Decimal]], *, as_of: datetime.date) -> Ageing:
    """Age open amounts, given by due date, as of the end of `as_of`."""
    buckets = {name: ZERO for _, name in BUCKETS}
    oldest = None
    for due_date, amount in by_due_date:
        late = (as_of - due_date).days
        name = next(name for last, name in BUCKETS if last is None or late <= last)
        buckets[name] += amount
        oldest = due_date if oldest is None else min(oldest, due_date)
    overdue = sum(list(buckets.values())[1:], ZERO)
    return Ageing(
        as_of=as_of,
        due=buckets["current"] + overdue,
        overdue=overdue,
        oldest_due_date=oldest,
        buckets=buckets,
    )


# What was open at the end of a day before the party's latest entry, by due date, from its
# entries: those dated on or before it, less each one reversed by then, settled oldest first.
# An entry and its reversal are found by grouping on the original's id, in one pass over the
# party's entries: no join, so no plan can turn it into a scan per entry (with statistics not
# yet gathered, PostgreSQL planned the anti-join of a correlated NOT EXISTS as one).
REPLAYED = """
WITH originals AS (
    SELECT COALESCE(reverses_id, id) AS id,
           max(CASE WHEN reverses_id IS NULL THEN type END) AS type,
           sum(CASE WHEN reverses_id IS NULL THEN amount ELSE 0 END) AS amount,
           max(CASE WHEN reverses_id IS NULL THEN COALESCE(due_date, entry_date) END) AS due_date,
           max(CASE WHEN reverses_id IS NULL THEN entry_date END) AS entry_date,
           max(CASE WHEN reverses_id IS NULL THEN 0 ELSE 1 END) AS reversed
    FROM ledger_entry
    WHERE book_id = %(book)s AND customer_id = %(customer)s AND entry_date <= %(as_of)s
    GROUP BY COALESCE(reverses_id, id)
), standing AS (
    SELECT id, type, amount, due_date, entry_date FROM originals
    WHERE type IS NOT NULL AND reversed = 0
), dues AS (
    SELECT due_date, amount,
           sum(amount) OVER (ORDER BY due_date, entry_date, id ROWS UNBOUNDED PRECEDING) AS upto,
           -- what is paid: a scalar subquery, computed once (joined, PostgreSQL ran its
           -- aggregate again for every due)
           (SELECT COALESCE(sum(amount), 0) FROM standing WHERE type = %(pays)s) AS paid
    FROM standing WHERE type = %(opens)s
)
SELECT due_date, sum(CASE WHEN upto - amount >= paid THEN amount ELSE upto - paid END)
FROM dues
WHERE upto > paid
GROUP BY due_date
"""


def ageing(customer: Customer, *, as_of: datetime.date) -> Ageing:
    """What the party had open at the end of `as_of` (in the book's days), by how long overdue
    (open_as_of)."""
    return aged(open_as_of(customer, as_of=as_of), as_of=as_of)


def open_as_of(customer: Customer, *, as_of: datetime.date) -> ByDueDate:
    """What the party had open at the end of `as_of` (today, or a day past), by due date, oldest
    first (see _open_parts)."""
    open_by_day: dict[datetime.date, Decimal] = {}
    for due_date, _, part in _open_parts(customer, as_of=as_of):
        open_by_day[due_date] = open_by_day.get(due_date, ZERO) + part
    return sorted(open_by_day.items())


def _open_parts(customer: Customer, *, as_of: datetime.date) -> Iterator[tuple]:
    """What the party had open at the end of `as_of`, due by due, newest first, as (due date,
    id of the entry that opened it, what of it is open), without replaying its history.
    Payments settle the oldest dues first, so what is open is always the newest dues (in
    settlement order) adding up to what was due: its exposure that day (its balance, less its
    daily totals since). Walk back from its newest due, skipping dues dated after the day and
    taking back those reversed only after it. The work grows with what was open then and with
    the entries dated since, never with the whole history; with none dated since (today,
    mostly), it is the open dues' page of the index and nothing more."""
    balance, revived = customer.balance, []
    if customer.last_entry_date is not None and customer.last_entry_date > as_of:
        entries = Entry.objects.filter(book_id=customer.book_id, customer_id=customer.pk)
        later = entries.filter(entry_date__gt=as_of)
        # The balance that day: today's, less the days since (a row per day after it).
        since = DailyTotal.objects.filter(
            book_id=customer.book_id, customer_id=customer.pk, day__gt=as_of
        ).aggregate(credit=Sum("credit"), debit=Sum("debit"))
        balance -= (since["credit"] or ZERO) - (since["debit"] or ZERO)
        # A reversal dated on or before the day of an entry dated after it: the day's balance
        # counts it, but an entry and its reversal count only together.
        lone = later.filter(reverses__isnull=True, reversed_by__entry_date__lte=as_of)
        for type, amount in lone.values_list("reversed_by__type", "reversed_by__amount"):
            balance -= amount if type == EntryType.CREDIT else -amount
        # Dues whose entries were reversed only after the day stood on it.
        revived = sorted(
            (due_date or entry_date, entry_date, pk, amount)
            for due_date, entry_date, pk, amount in later.filter(
                reverses__entry_date__lte=as_of, reverses__type=OPENS[customer.kind]
            ).values_list(
                "reverses__due_date", "reverses__entry_date", "reverses_id", "reverses__amount"
            )
        )[::-1]
    due = max(-balance if customer.kind == Kind.SUPPLIER else balance, ZERO)
    if not due:
        return
    newest_first = _newest_dues(customer, entered_by=as_of)
    for due_date, _, entry_id, amount in heapq.merge(newest_first, revived, reverse=True):
        part = min(amount, due)
        yield due_date, entry_id, part
        due -= part
        if not due:
            return


def open_entries(customer: Customer, *, as_of: datetime.date) -> dict[int, Decimal]:
    """What is open of each due at the end of `as_of`, by the id of the entry that opened it
    (open_as_of; a due settled whole is not there)."""
    return {entry_id: part for _, entry_id, part in _open_parts(customer, as_of=as_of)}


# A page of the party's dues entered by a day, newest first in settlement order, after a key:
# each page a short range of the settlement-order index read backwards (a query without a
# LIMIT was planned by PostgreSQL as a sort of every due: 1.4 s for a million-entry customer).
NEWEST_DUES = """
SELECT due_date, entry_date, entry_id, amount FROM ledger_due
WHERE book_id = %(book)s AND customer_id = %(customer)s AND entry_date <= %(day)s {after}
ORDER BY due_date DESC, entry_date DESC, entry_id DESC
LIMIT %(limit)s
"""
AFTER = "AND (due_date, entry_date, entry_id) < (%(due_date)s, %(entry_date)s, %(entry_id)s)"


def _newest_dues(customer: Customer, *, entered_by: datetime.date, page: int = 500):
    """The party's dues entered on or before a day, newest first in settlement order, as
    (due_date, entry_date, entry_id, amount), a page at a time."""
    day = connection.ops.adapt_datefield_value
    params = {
        "book": customer.book_id,
        "customer": customer.pk,
        "day": day(entered_by),
        "limit": page,
    }
    after = ""
    while True:
        with connection.cursor() as cursor:
            cursor.execute(NEWEST_DUES.format(after=after), params)
            rows = cursor.fetchall()
        for due_date, entry_date, entry_id, cents in rows:
            yield _day(due_date), _day(entry_date), entry_id, from_cents(int(cents))
        if len(rows) < page:
            return
        due_date, entry_date, entry_id, _ = rows[-1]
        params |= {"due_date": due_date, "entry_date": entry_date, "entry_id": entry_id}
        after = AFTER


def replayed_open(customer: Customer, *, as_of: datetime.date) -> ByDueDate:
    """What the party had open at the end of `as_of`, by due date, replayed from its entries
    (every one of them: for verify_ledger's check)."""
    params = {
        "book": customer.book_id,
        "customer": customer.pk,
        "opens": OPENS[customer.kind],
        "pays": PAYS[customer.kind],
        "as_of": connection.ops.adapt_datefield_value(as_of),
    }
    with connection.cursor() as cursor:
        cursor.execute(REPLAYED, params)
        rows = [(_day(day), from_cents(int(cents))) for day, cents in cursor.fetchall()]
    return sorted(rows)


def dues_drift() -> Iterator[tuple[Customer, list, list]]:
    """Replay every party's dues from its entries; yield each whose open dues, as read from its
    due rows (or what they add up to against its balance), disagree: (customer, read,
    replayed). Reads every entry: a check to run, not a query to serve."""
    for customer in Customer.objects.order_by("pk").iterator():
        read = open_as_of(customer, as_of=datetime.date.max)
        replayed = replayed_open(customer, as_of=datetime.date.max)
        if read != replayed or sum((amount for _, amount in read), ZERO) != customer.due:
            yield customer, read, replayed
