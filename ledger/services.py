"""Writes that touch money. Every ledger row is posted here, each call one database transaction."""

import datetime
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.money import CENT, MAX_ENTRY_AMOUNT, MAX_TOTAL_CENTS, from_cents, to_cents
from customers.models import Customer
from ledger import idempotency
from ledger.exceptions import (
    AlreadyReversed,
    CustomerArchived,
    LedgerError,
    ReversalOfReversal,
    TotalsOverflow,
)
from ledger.models import DailyTotal, Entry, EntryType

OPPOSITE = {EntryType.CREDIT: EntryType.DEBIT, EntryType.DEBIT: EntryType.CREDIT}


@dataclass(frozen=True)
class EntryDraft:
    """An entry about to be posted, before it has a customer row locked for it."""

    type: str
    amount: Decimal
    entry_date: datetime.date
    note: str = ""


def post_entry(
    *,
    user,
    customer: Customer,
    type: str,
    amount: Decimal,
    entry_date: datetime.date | None = None,
    note: str = "",
    reverses: Entry | None = None,
    once: idempotency.Once | None = None,
) -> Entry:
    """Post one entry to the customer's ledger and move its running totals with it.

    Inside a caller's transaction it takes no savepoint of its own (two round trips less per
    posting): if it fails, the caller's transaction fails with it. On PostgreSQL the posting is
    one statement, which is a transaction by itself: outside a caller's transaction it needs no
    BEGIN and COMMIT of its own either. There, `once` claims an Idempotency-Key and stores the
    answer in that same statement; a key in flight or used before posts nothing and raises
    idempotency.KeyTaken.
    """
    assert once is None or connection.vendor == "postgresql", "once: PostgreSQL only"
    draft = EntryDraft(
        type=type, amount=amount, entry_date=entry_date or timezone.localdate(), note=note
    )
    cents = _checked_cents(draft)
    credit, debit = (cents, 0) if draft.type == EntryType.CREDIT else (0, cents)
    row = {
        "user_id": user.pk,
        "customer_id": customer.pk,
        "type": draft.type,
        "amount": cents,
        "note": draft.note,
        "entry_date": draft.entry_date,
        "created_at": timezone.now(),
        "reverses_id": reverses.pk if reverses is not None else None,
    }
    owners = {"user": user, "customer": customer, "reverses": reverses}
    if connection.vendor == "postgresql":
        answer = None
        if once is not None:  # the 201's body, but for the id the statement gives the entry
            answer = once.answer(_entry_of({**row, "id": None}, **owners))
        row["id"] = _post_in_one_statement(
            user=user, customer=customer, row=row, once=once, answer=answer
        )
    else:
        with transaction.atomic(savepoint=False):
            _move_totals(
                user=user,
                customer=customer,
                credit=credit,
                debit=debit,
                count=1,
                latest=draft.entry_date,
            )
            _move_daily_totals(
                user=user, customer=customer, days={draft.entry_date: [credit, debit, 1]}
            )
            row["id"] = _insert_entry(row)
    return _entry_of(row, **owners)


def _entry_of(row: dict, *, user, customer: Customer, reverses: Entry | None) -> Entry:
    """The posted entry as the model, from the row written (amount in cents)."""
    values = {**row, "amount": from_cents(row["amount"])}
    fields = [field.attname for field in Entry._meta.concrete_fields]
    entry = Entry.from_db(connection.alias, fields, [values.get(name) for name in fields])
    entry.user, entry.customer, entry.reverses = user, customer, reverses
    # A new entry has no reversal yet: say so, rather than have the first reader ask the database.
    Entry.reversed_by.related.set_cached_value(entry, None)
    return entry


def post_entries(
    *,
    user,
    customer: Customer,
    drafts: Iterable[EntryDraft],
    batch_size: int = 5000,
    dry_run: bool = False,
) -> int:
    """Post many entries to one customer in one transaction (all or none); answer how many.

    Rows stream straight to the database (one COPY on PostgreSQL, batched executemany
    elsewhere), past the ORM's per-object cost; the database's constraints still hold every
    row. The running totals move once, under the customer's lock, in the same transaction. A
    dry run posts everything the same way, so the database checks it too, then rolls it back.
    """
    credit = debit = posted = 0
    latest = None
    days: dict[datetime.date, list[int]] = {}
    with transaction.atomic():
        locked = _lock_customer(user=user, customer=customer)
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        with _row_writer(batch_size) as write:
            for draft in drafts:
                cents = _checked_cents(draft)
                day = days.setdefault(draft.entry_date, [0, 0, 0])
                if draft.type == EntryType.CREDIT:
                    credit += cents
                    day[0] += cents
                else:
                    debit += cents
                    day[1] += cents
                day[2] += 1
                if max(credit, debit) > MAX_TOTAL_CENTS:
                    raise TotalsOverflow()
                if latest is None or draft.entry_date > latest:
                    latest = draft.entry_date
                write(
                    (
                        user.pk,
                        locked.pk,
                        draft.type,
                        cents,
                        draft.note,
                        draft.entry_date,
                        created_at,
                    )
                )
                posted += 1
        if posted:
            _move_totals(
                user=user, customer=locked, credit=credit, debit=debit, count=posted, latest=latest
            )
            _move_daily_totals(user=user, customer=locked, days=days)
        if dry_run:
            transaction.set_rollback(True)
    return posted


def reverse_entry(
    *, user, entry: Entry, note: str = "", entry_date: datetime.date | None = None
) -> Entry:
    """Cancel an entry with a new one of the opposite type and the same amount, linked to it."""
    with transaction.atomic():
        original = (
            Entry.objects.select_for_update().select_related("customer").get(pk=entry.pk, user=user)
        )
        if original.reverses_id is not None:
            raise ReversalOfReversal()
        if Entry.objects.filter(reverses=original).exists():
            raise AlreadyReversed()
        try:
            with transaction.atomic(savepoint=False):
                return post_entry(
                    user=user,
                    customer=original.customer,
                    type=OPPOSITE[original.type],
                    amount=original.amount,
                    entry_date=entry_date or original.entry_date,
                    note=note or f"Reversal of entry #{original.pk}",
                    reverses=original,
                )
        except IntegrityError:
            # The one-to-one link is the guarantee when two reversals race past the check above.
            raise AlreadyReversed() from None


def _lock_customer(*, user, customer: Customer) -> Customer:
    """Read the customer's row for update, so concurrent postings move its totals one at a time."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk, user=user)
    if locked.archived_at is not None:
        raise CustomerArchived()
    return locked


TYPES = frozenset(EntryType.values)


def _checked_cents(draft: EntryDraft) -> int:
    """Check the draft's type and amount (the database checks again); answer the amount in cents."""
    if draft.type not in TYPES:
        raise LedgerError(f"Unknown entry type {draft.type!r}; use credit or debit.")
    amount = Decimal(draft.amount)
    if not (0 < amount <= MAX_ENTRY_AMOUNT) or amount != amount.quantize(CENT):
        raise LedgerError(
            f"Amount {draft.amount} must be positive, with at most two decimal places."
        )
    return to_cents(amount)


IMPORT_COLUMNS = ("user_id", "customer_id", "type", "amount", "note", "entry_date", "created_at")


@contextmanager
def _row_writer(batch_size: int):
    """Give a function that inserts one entry row (values in IMPORT_COLUMNS order).

    The SQL is built only from the model's table name and a fixed column list; every value is
    a bound parameter or a COPY field. On PostgreSQL the COPY data goes out from a worker
    thread, so reading and checking rows overlaps the server's work.
    """
    table = connection.ops.quote_name(Entry._meta.db_table)
    columns = ", ".join(IMPORT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            raw = cursor.cursor
            with raw.copy(
                f"COPY {table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)
            ) as copy:
                yield copy.write_row
            return
        marks = ", ".join(["%s"] * len(IMPORT_COLUMNS))
        insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        rows = []

        def write(row):
            rows.append(row)
            if len(rows) >= batch_size:
                cursor.executemany(insert, rows)
                rows.clear()

        yield write
        if rows:
            cursor.executemany(insert, rows)


def _totals_update(
    *, user, customer: Customer, credit: int, debit: int, count: int, latest: datetime.date
) -> tuple[str, list]:
    """The UPDATE that moves the customer's running totals by these cents, and so takes the
    row's lock: concurrent postings to a customer move its totals one at a time, each to the end
    of its transaction. An archived customer, or totals past what the columns hold, match no
    row."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    day = connection.ops.adapt_datefield_value(latest)
    sql = (
        f"UPDATE {table} SET total_credit = total_credit + %s, "  # noqa: S608
        "total_debit = total_debit + %s, entry_count = entry_count + %s, "
        "last_entry_date = CASE WHEN last_entry_date IS NULL OR last_entry_date < %s "
        "THEN %s ELSE last_entry_date END "
        "WHERE id = %s AND user_id = %s AND archived_at IS NULL "
        "AND total_credit <= %s AND total_debit <= %s"
    )
    params = [
        credit,
        debit,
        count,
        day,
        day,
        customer.pk,
        user.pk,
        MAX_TOTAL_CENTS - credit,
        MAX_TOTAL_CENTS - debit,
    ]
    return sql, params


def _move_totals(
    *, user, customer: Customer, credit: int, debit: int, count: int, latest: datetime.date
) -> None:
    """Move the customer's running totals (see _totals_update), or raise why they cannot."""
    sql, params = _totals_update(
        user=user, customer=customer, credit=credit, debit=debit, count=count, latest=latest
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 1:
            return
    _refuse(user=user, customer=customer)


def _refuse(*, user, customer: Customer):
    """Raise why the customer's totals did not move: archived, or they would overflow."""
    if Customer.objects.get(pk=customer.pk, user=user).archived_at is not None:
        raise CustomerArchived()
    raise TotalsOverflow()


# A posted entry: an imported row, and the entry it reverses, if any.
POST_COLUMNS = (*IMPORT_COLUMNS, "reverses_id")


def _insert_entry(row: dict) -> int:
    """Insert one entry row (POST_COLUMNS); answer its id. Plain SQL rather than the
    ORM's save(): on SQLite this runs holding the database's write lock."""
    table = connection.ops.quote_name(Entry._meta.db_table)
    marks = ", ".join(["%s"] * len(POST_COLUMNS))
    ops = connection.ops
    params = [
        *(row["user_id"], row["customer_id"], row["type"], row["amount"], row["note"]),
        ops.adapt_datefield_value(row["entry_date"]),
        ops.adapt_datetimefield_value(row["created_at"]),
        row["reverses_id"],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(POST_COLUMNS)}) "  # noqa: S608
            f"VALUES ({marks}) RETURNING id",
            params,
        )
        return cursor.fetchone()[0]


def _post_in_one_statement(
    *,
    user,
    customer: Customer,
    row: dict,
    once: idempotency.Once | None = None,
    answer: dict | None = None,
) -> int:
    """PostgreSQL: move the totals, add to the day and insert the entry row in one statement,
    one round trip while the customer's row is locked instead of three; answer the entry's id.
    The day and the entry are written only if the totals moved (they select from the UPDATE's
    row). With `once`, the statement first claims the key, moves the totals only if it is free,
    and stores the answer with the entry."""
    credit, debit = (row["amount"], 0) if row["type"] == EntryType.CREDIT else (0, row["amount"])
    update, update_params = _totals_update(
        user=user, customer=customer, credit=credit, debit=debit, count=1, latest=row["entry_date"]
    )
    table = connection.ops.quote_name(Entry._meta.db_table)
    claim, claim_params, kept, kept_params = "", [], "", []
    result = "SELECT (SELECT id FROM posted), TRUE"
    if once is not None:
        claim_sql, claim_params = once.claim_sql()
        claim = f"claim AS ({claim_sql}), "
        update += " AND (SELECT locked AND record IS NULL FROM claim)"
        kept_sql, kept_params = once.remember_sql(answer, posted="posted")
        kept = f", kept AS ({kept_sql})"
        result = "SELECT (SELECT id FROM posted), locked AND record IS NULL FROM claim"
    # Built from the model's table names and fixed column lists only; every value is a
    # parameter.
    sql = (
        f"WITH {claim}moved AS ({update} RETURNING id), "  # noqa: S608
        f"day AS ({_day_upsert('SELECT %s, id, %s, %s, %s, 1 FROM moved')}), "
        f"posted AS (INSERT INTO {table} ({', '.join(POST_COLUMNS)}) "
        f"SELECT %s, id, %s, %s, %s, %s, %s, %s FROM moved RETURNING id){kept} {result}"
    )
    params = [
        *claim_params,
        *update_params,
        *(user.pk, row["entry_date"], credit, debit),
        *(user.pk, row["type"], row["amount"], row["note"], row["entry_date"]),
        *(row["created_at"], row["reverses_id"]),
        *kept_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted, key_free = cursor.fetchone()
    if not key_free:
        raise idempotency.KeyTaken()
    if inserted is None:
        _refuse(user=user, customer=customer)
    return inserted


def _day_upsert(rows: str) -> str:
    """INSERT `rows` (user_id, customer_id, day, credit, debit, entry_count) into the daily
    totals, adding to a day that is already there."""
    table = connection.ops.quote_name(DailyTotal._meta.db_table)
    return (
        f"INSERT INTO {table} (user_id, customer_id, day, credit, debit, entry_count) "
        f"{rows} ON CONFLICT (user_id, customer_id, day) DO UPDATE SET "
        f"credit = {table}.credit + excluded.credit, debit = {table}.debit + excluded.debit, "
        f"entry_count = {table}.entry_count + excluded.entry_count"
    )


def _move_daily_totals(*, user, customer: Customer, days: dict[datetime.date, list[int]]) -> None:
    """Add each day's [credit cents, debit cents, count] to the customer's daily totals."""
    upsert = _day_upsert("VALUES (%s, %s, %s, %s, %s, %s)")
    adapt = connection.ops.adapt_datefield_value
    rows = [
        (user.pk, customer.pk, adapt(day), credit, debit, count)
        for day, (credit, debit, count) in days.items()
    ]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(upsert, rows[0])  # one posting: one statement, not a pipelined batch
        else:
            cursor.executemany(upsert, rows)
