"""A customer's statement: its figures, one iterator over its lines with the running balance,
and a writer per format (JSON pages, CSV, and ledger/pdf.py's PDF).

A JSON statement comes a page at a time, each page found by a cursor that carries the balance
it opens with: any page costs one short query, however long the history before it. CSV and
PDF give the whole period, streamed from the same iterator.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from django.core import signing
from django.db import connection
from django.db.models import Q

from common.db import streaming_read
from common.money import from_cents
from common.renderers import spreadsheet_safe
from customers.models import Customer
from ledger.models import DailyTotal, Entry, EntryType

ZERO = Decimal("0.00")
PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000


class StatementLine(NamedTuple):
    """One entry of a statement, with the customer's balance just after it. (A tuple: a page
    makes a hundred, a CSV a million, and a frozen dataclass took five times as long to make.)"""

    id: int
    entry_date: datetime.date
    type: str
    amount: Decimal
    note: str
    balance: Decimal


@dataclass(frozen=True)
class Position:
    """Where a page of a statement starts: after the entry (day, id), at this balance (cents)."""

    day: datetime.date
    id: int
    balance: int


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

    def lines(self, *, after: Position | None = None, limit: int | None = None):
        """Yield the period's entries in date order, each with the balance after it: from the
        first, or after a page's position; all of them (streamed), or at most `limit`."""
        entries = Entry.objects.of(self.customer.tenant_id).filter(customer=self.customer)
        if self.start_date is not None:
            entries = entries.filter(entry_date__gte=self.start_date)
        if self.end_date is not None:
            entries = entries.filter(entry_date__lte=self.end_date)
        balance = int(self.opening_balance.scaleb(2))
        if after is not None:
            entries = entries.filter(
                Q(entry_date__gt=after.day) | Q(entry_date=after.day, id__gt=after.id)
            )
            balance = after.balance
        rows = entries.order_by("entry_date", "id").values_list(
            "id", "entry_date", "type", "amount", "note"
        )
        for id_, day, type_, amount, note in _read(rows, limit):
            cents = int(amount.scaleb(2))
            balance = balance + cents if type_ == EntryType.CREDIT else balance - cents
            yield StatementLine(id_, day, type_, amount, note, from_cents(balance))


def _read(rows, limit: int | None) -> Iterator[tuple]:
    if limit is not None:
        yield from rows[:limit]
        return
    with streaming_read():
        yield from rows.iterator(chunk_size=2000)


def statement(customer: Customer, *, start_date=None, end_date=None) -> Statement:
    """The customer's statement for the period (either end open).

    Its figures are one read of the customer's running totals and of the daily totals from the
    period's first day on (after its last day, when only that is given): what came before is
    the running totals less that, so a recent period costs a few rows however long the history,
    and every figure comes from the same moment. `customer` is one the caller may see
    (common.scoping found it); its days are joined by its owner too, which their index starts with.
    """
    if start_date is None and end_date is None:
        return Statement(
            customer=customer,
            start_date=None,
            end_date=None,
            opening_balance=ZERO,
            total_credit=customer.total_credit,
            total_debit=customer.total_debit,
            entry_count=customer.entry_count,
        )
    day, quote = DailyTotal._meta.get_field("day"), connection.ops.quote_name
    customers, days = quote(Customer._meta.db_table), quote(DailyTotal._meta.db_table)
    # The daily totals read: from the period's start on, or, with only an end, after it.
    since, operator = (start_date, ">=") if start_date is not None else (end_date, ">")
    sql = (
        "SELECT c.total_credit, c.total_debit, c.entry_count, "  # noqa: S608
        "COALESCE(SUM(d.credit), 0), COALESCE(SUM(d.debit), 0), COALESCE(SUM(d.entry_count), 0), "
        "COALESCE(SUM(CASE WHEN d.day <= %s THEN d.credit END), 0), "
        "COALESCE(SUM(CASE WHEN d.day <= %s THEN d.debit END), 0), "
        "COALESCE(SUM(CASE WHEN d.day <= %s THEN d.entry_count END), 0) "
        f"FROM {customers} c LEFT OUTER JOIN {days} d "
        f"ON d.book_id = c.book_id AND d.customer_id = c.id AND d.day {operator} %s "
        "WHERE c.id = %s "
        "GROUP BY c.id, c.total_credit, c.total_debit, c.entry_count"
    )
    last_day = day.get_db_prep_value(end_date or datetime.date.max, connection)
    params = [last_day] * 3 + [day.get_db_prep_value(since, connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, customer.pk])
        row = [int(value) for value in cursor.fetchone()]
    # (credit, debit, count) of: every entry; the days read; those of them up to the end.
    everything, read, up_to_end = row[0:3], row[3:6], row[6:9]
    unread = [whole - part for whole, part in zip(everything, read, strict=True)]
    if start_date is None:  # read what follows the period: the rest is the period
        opening, (credit, debit, count) = 0, unread
    else:  # read the period and what follows: the rest came before it
        opening, (credit, debit, count) = unread[0] - unread[1], up_to_end
    return Statement(
        customer=customer,
        start_date=start_date,
        end_date=end_date,
        opening_balance=from_cents(opening),
        total_credit=from_cents(credit),
        total_debit=from_cents(debit),
        entry_count=count,
    )


# Writers


def figures(statement: Statement) -> dict:
    """The statement's head, as StatementSerializer declares it."""
    return {
        "customer": statement.customer.pk,
        "customer_name": statement.customer.name,
        "start_date": _day(statement.start_date),
        "end_date": _day(statement.end_date),
        "opening_balance": _money(statement.opening_balance),
        "total_credit": _money(statement.total_credit),
        "total_debit": _money(statement.total_debit),
        "closing_balance": _money(statement.closing_balance),
        "entry_count": statement.entry_count,
    }


def page(statement: Statement, *, cursor: str | None, size: int) -> tuple[dict, str | None]:
    """One page of the statement as JSON: its head, the balance the page opens with and its
    lines; and the cursor of the next page, if there is one."""
    after = read_cursor(statement, cursor) if cursor else None
    opening = from_cents(after.balance) if after else statement.opening_balance
    lines = list(statement.lines(after=after, limit=size + 1))
    following = None
    if len(lines) > size:
        lines = lines[:size]
        last = lines[-1]
        following = Position(last.entry_date, last.id, int(last.balance.scaleb(2)))
    body = {
        **figures(statement),
        "page_opening_balance": _money(opening),
        "entries": [
            {
                "id": line.id,
                "entry_date": line.entry_date.isoformat(),
                "type": line.type,
                "amount": _money(line.amount),
                "note": line.note,
                "balance": _money(line.balance),
            }
            for line in lines
        ],
    }
    return body, following and cursor_of(statement, following)


CSV_HEADER = ["date", "entry_id", "type", "note", "credit", "debit", "balance"]


def csv_rows(statement: Statement):
    """The whole statement as CSV rows: an opening row, one per entry, a closing row.

    The closing row's totals are summed from the rows above it as they stream: the figures and
    the lines are two reads, and an entry posted between them must not leave a file whose
    totals disagree with its lines."""
    yield [
        statement.start_date or "",
        "",
        "opening_balance",
        "Opening balance",
        "",
        "",
        statement.opening_balance,
    ]
    credit = debit = ZERO
    balance = statement.opening_balance
    for line in statement.lines():
        if line.type == EntryType.CREDIT:
            credit += line.amount
            amounts = (line.amount, "")
        else:
            debit += line.amount
            amounts = ("", line.amount)
        balance = line.balance
        yield [line.entry_date, line.id, line.type, spreadsheet_safe(line.note), *amounts, balance]
    yield [
        statement.end_date or "",
        "",
        "closing_balance",
        "Closing balance",
        credit,
        debit,
        balance,
    ]


def read_whole(statement: Statement) -> tuple[Statement, list[StatementLine]]:
    """Every line of the statement, and the statement with its totals summed from those lines
    (for a document that holds them all, the PDF): an entry posted between the figures' read and
    the lines' must not make totals that disagree with the lines."""
    lines = list(statement.lines())
    credit = sum((line.amount for line in lines if line.type == EntryType.CREDIT), ZERO)
    debit = sum((line.amount for line in lines if line.type != EntryType.CREDIT), ZERO)
    whole = replace(statement, total_credit=credit, total_debit=debit, entry_count=len(lines))
    return whole, lines


# Cursors: signed, so a client cannot forge the balance a page opens with, and bound to the
# customer and period they were made for.
SALT = "ledger.statement.cursor"


class InvalidCursor(ValueError):
    """The cursor was not made by this server for this statement."""


def cursor_of(statement: Statement, position: Position) -> str:
    return signing.dumps(
        [*_period(statement), position.day.isoformat(), position.id, position.balance], salt=SALT
    )


def read_cursor(statement: Statement, cursor: str) -> Position:
    try:
        *period, day, id_, balance = signing.loads(cursor, salt=SALT)
        if period != _period(statement):
            raise InvalidCursor()
        return Position(datetime.date.fromisoformat(day), int(id_), int(balance))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidCursor() from None


def _period(statement: Statement) -> list:
    return [statement.customer.pk, _day(statement.start_date), _day(statement.end_date)]


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
