"""Writes that touch money. Every ledger row is posted here, each call one database transaction."""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.money import CENT, MAX_ENTRY_AMOUNT, MAX_TOTAL_CENTS, from_cents, to_cents
from customers.models import Customer
from ledger.exceptions import (
    AlreadyReversed,
    CustomerArchived,
    LedgerError,
    ReversalOfReversal,
    TotalsOverflow,
)
from ledger.models import Entry, EntryType

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
) -> Entry:
    """Post one entry to the customer's ledger and move its running totals with it."""
    draft = EntryDraft(
        type=type, amount=amount, entry_date=entry_date or timezone.localdate(), note=note
    )
    cents = _checked_cents(draft)
    with transaction.atomic():
        locked = _lock_customer(user=user, customer=customer)
        credit, debit = (cents, 0) if draft.type == EntryType.CREDIT else (0, cents)
        _move_totals(locked, credit=credit, debit=debit, count=1, latest=draft.entry_date)
        entry = Entry.objects.create(
            user=user,
            customer=locked,
            type=draft.type,
            amount=draft.amount,
            entry_date=draft.entry_date,
            note=draft.note,
            reverses=reverses,
        )
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

    Rows go in batches straight to the database (COPY on PostgreSQL, executemany elsewhere),
    past the ORM's per-object cost; the database's constraints and trigger still hold them, and
    the running totals move once per batch under the customer's lock. A dry run posts everything
    the same way, so the database checks it too, and then rolls it back.
    """
    posted = 0
    with transaction.atomic():
        locked = _lock_customer(user=user, customer=customer)
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        for batch in _batches(drafts, batch_size):
            rows, credit, debit = [], 0, 0
            for draft in batch:
                cents = _checked_cents(draft)
                if draft.type == EntryType.CREDIT:
                    credit += cents
                else:
                    debit += cents
                rows.append(
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
            latest = max(draft.entry_date for draft in batch)
            _move_totals(locked, credit=credit, debit=debit, count=len(rows), latest=latest)
            _insert_rows(rows)
            posted += len(rows)
        if dry_run:
            transaction.set_rollback(True)
    return posted


def reverse_entry(
    *, user, entry: Entry, note: str = "", entry_date: datetime.date | None = None
) -> Entry:
    """Cancel an entry with a new one of the opposite type and the same amount, linked to it."""
    with transaction.atomic():
        original = Entry.objects.select_for_update().get(pk=entry.pk, user=user)
        if original.reverses_id is not None:
            raise ReversalOfReversal()
        if Entry.objects.filter(reverses=original).exists():
            raise AlreadyReversed()
        try:
            with transaction.atomic():
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


def _batches(items: Iterable, size: int):
    """Yield lists of up to `size` items (itertools.batched arrives in Python 3.12)."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


ENTRY_COLUMNS = ("user_id", "customer_id", "type", "amount", "note", "entry_date", "created_at")


def _insert_rows(rows: list[tuple]) -> None:
    """Insert entry rows (values in ENTRY_COLUMNS order) without model overhead.

    The SQL is built only from the model's table name and a fixed column list; every value is
    a bound parameter (or a COPY field).
    """
    table = connection.ops.quote_name(Entry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy = f"COPY {table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(copy) as target:
                for row in rows:
                    target.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(ENTRY_COLUMNS))
            insert = f"INSERT INTO {table} ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(insert, rows)


def _move_totals(customer: Customer, *, credit: int, debit: int, count: int, latest) -> None:
    """Move the locked customer's running totals by these cents and save them."""
    total_credit = to_cents(customer.total_credit) + credit
    total_debit = to_cents(customer.total_debit) + debit
    if total_credit > MAX_TOTAL_CENTS or total_debit > MAX_TOTAL_CENTS:
        raise TotalsOverflow()
    customer.total_credit = from_cents(total_credit)
    customer.total_debit = from_cents(total_debit)
    customer.entry_count += count
    if customer.last_entry_date is None or latest > customer.last_entry_date:
        customer.last_entry_date = latest
    customer.save(update_fields=["total_credit", "total_debit", "entry_count", "last_entry_date"])
