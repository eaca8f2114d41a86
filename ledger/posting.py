"""Posting entries: every ledger row is written here, each call one database transaction.

The database keeps the books (ledger/sql/posting.*.sql): every entry row moves its customer's
running totals, daily totals and dues, and an entry for another book's or an archived customer,
or one past what the totals hold, is refused. So a posting is one INSERT; this module checks
first for a friendly answer, and turns the database's refusals into the same domain errors. In
the same transaction it then checks the party's credit limit (ledger.dues: the trigger's update
holds the party's row, so concurrent postings are checked one after another) and writes what
the book's webhooks are told (ledger.events). Every
entry names the member who posted it.
"""

import datetime
import itertools
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from common.db import copy_rows
from common.money import CENT, MAX_ENTRY_AMOUNT, from_cents, to_cents
from customers.models import Customer
from ledger import dues, events
from ledger.exceptions import (
    AlreadyReversed,
    CustomerArchived,
    LedgerError,
    ReversalOfReversal,
    refusal_of,
)
from ledger.models import Entry, EntryType, StagedEntry

OPPOSITE = {EntryType.CREDIT: EntryType.DEBIT, EntryType.DEBIT: EntryType.CREDIT}
TYPES = frozenset(EntryType.values)


@dataclass(frozen=True)
class EntryDraft:
    """An entry about to be posted: what an import row or a request asks for."""

    type: str
    amount: Decimal
    entry_date: datetime.date
    note: str = ""
    due_date: datetime.date | None = None  # see ledger.dues.due_date_for


def post_entry(
    *,
    book,
    user,
    customer: Customer,
    type: str,
    amount: Decimal,
    entry_date: datetime.date | None = None,
    note: str = "",
    due_date: datetime.date | None = None,
    reverses: Entry | None = None,
) -> Entry:
    """Post one entry, by `user`, to the ledger of the book's customer (dated today in the
    book's time zone unless `entry_date` says; due when `due_date` says, else by the party's
    terms, if it opens a due); the database moves its totals and dues with it. The entry's
    `warnings` say if it passed a warn credit limit."""
    draft = EntryDraft(type, amount, entry_date or book.today(), note)
    _check(draft)
    if customer.archived_at is not None:
        raise CustomerArchived()
    due_date = dues.due_date_for(
        customer,
        type=draft.type,
        entry_date=draft.entry_date,
        given=due_date,
        reversal=reverses is not None,
    )
    entry = Entry(
        book=book,
        created_by=user,
        customer=customer,
        type=draft.type,
        amount=draft.amount,
        entry_date=draft.entry_date,
        note=draft.note,
        due_date=due_date,
        reverses=reverses,
    )
    with _refusals(), transaction.atomic():
        entry.save(force_insert=True)
        after = Customer.objects.get(book_id=customer.book_id, pk=customer.pk)
        entry.warnings = dues.check_limit(after, raised_by=draft.amount if due_date else 0)
        events.posted(entry, after)
    # A new entry has no reversal yet: say so, rather than have the first reader ask.
    Entry.reversed_by.related.set_cached_value(entry, None)
    return entry


# What an import writes of each entry, in this order.
IMPORT_COLUMNS = (
    "book_id",
    "created_by_id",
    "customer_id",
    "type",
    "amount",
    "note",
    "entry_date",
    "due_date",
    "created_at",
)


def post_entries(
    *,
    book,
    user,
    customer: Customer,
    drafts: Iterable[EntryDraft],
    dry_run: bool = False,
) -> int:
    """Post many entries to one customer in one transaction (all or none); answer how many: the
    drafts are staged, then published. A dry run does everything, so the database checks every
    row too, then rolls it back."""
    batch = f"request-{uuid.uuid4().hex}"
    with transaction.atomic():
        stage(batch, drafts)
        return publish(batch, book=book, user=user, customer=customer, dry_run=dry_run)


STAGED_COLUMNS = ("batch", "type", "amount", "note", "entry_date", "due_date")


def stage(
    batch: str,
    drafts: Iterable[EntryDraft],
    *,
    chunk: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Check each draft and stage it under `batch`; answer how many. All in the caller's
    transaction, or, with `chunk`, in a transaction per `chunk` rows, each parsed before its
    transaction begins, so other writers get in between (`progress` is told the count after
    each). Rows stream to the database in bulk (common.db.copy_rows), past the ORM's per-object
    cost."""
    drafts, staged = iter(drafts), 0
    while True:
        rows = [
            (batch, draft.type, _check(draft), draft.note, draft.entry_date, draft.due_date)
            for draft in (itertools.islice(drafts, chunk) if chunk else drafts)
        ]
        with transaction.atomic(), copy_rows(StagedEntry, STAGED_COLUMNS) as write:
            for row in rows:
                write(row)
        staged += len(rows)
        if progress is not None:
            progress(staged)
        if not chunk or len(rows) < chunk:
            return staged


def staged_totals(batch: str) -> dict:
    """The batch's staged credits and debits (cents): what publish() checks the credit limit
    against. A job reads them before its publishing transaction, so that SQLite's write lock is
    not held while they are added up."""
    return StagedEntry.objects.filter(batch=batch).aggregate(
        credit=Sum("amount", filter=Q(type=EntryType.CREDIT)),
        debit=Sum("amount", filter=Q(type=EntryType.DEBIT)),
    )


def publish(
    batch: str,
    *,
    book,
    user,
    customer: Customer,
    dry_run: bool = False,
    discards: bool = True,
    totals: dict | None = None,
) -> int:
    """Post the batch's staged rows (their due dates resolved: ledger.imports) to the customer's
    ledger as entries, in their order, in one statement (the database checks and counts every
    row, as for a single posting), check the credit limit against what the whole batch raised,
    and clear the rows (unless the caller clears them after: `discards=False`); answer
    how many. In one transaction; a dry run rolls it back. `totals`: staged_totals(batch), if
    the caller read them already."""
    if customer.archived_at is not None:
        raise CustomerArchived()
    entries, staged = (connection.ops.quote_name(m._meta.db_table) for m in (Entry, StagedEntry))
    moment = connection.ops.adapt_datetimefield_value(timezone.now())
    totals = totals or staged_totals(batch)
    moved = (totals["credit"] or 0) - (totals["debit"] or 0)
    raised = from_cents(moved if dues.OPENS[customer.kind] == EntryType.CREDIT else -moved)
    with _refusals(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entries} ({', '.join(IMPORT_COLUMNS)}) "  # noqa: S608
            "SELECT %s, %s, %s, type, amount, note, entry_date, due_date, %s "
            f"FROM {staged} WHERE batch = %s ORDER BY id",
            [book.pk, user.pk, customer.pk, moment, batch],
        )
        posted = cursor.rowcount
        after = Customer.objects.get(book_id=customer.book_id, pk=customer.pk)
        warnings = dues.check_limit(after, raised_by=raised)
        events.imported(after, count=posted, totals=totals, warnings=warnings)
        if discards:
            discard(batch)
        if dry_run:
            transaction.set_rollback(True)
    return posted


@dataclass(frozen=True)
class RestoredEntry:
    """An entry of a book's archive, to post again into a new book (archives)."""

    key: int  # its id in the archive
    customer_id: int  # the new book's customer it belongs to
    draft: EntryDraft
    recorded_by: str  # who posted it, as the archive names them
    reverses: int | None  # the archive id of the entry it reverses


def post_restored(
    *,
    book,
    user,
    customers: dict[int, Customer],
    entries: Iterable[RestoredEntry],
    batch: int = 1000,
) -> dict:
    """Post an archive's entries into the book's new `customers` (by id), by `user`, in the
    archive's order, each keeping its date, due date, note, author's name and reversal link
    (the database checks and counts every row, as for any posting); answer the new id of each
    archive id. In the caller's transaction. Credit limits are
    not checked: the history was when it was posted (a limit may have been lowered since)."""
    ids, pending = {}, []

    def flush():
        created = Entry.objects.bulk_create(entry for _, entry in pending)
        ids.update((key, entry.pk) for (key, _), entry in zip(pending, created, strict=True))
        pending.clear()

    with _refusals(), transaction.atomic():
        for restored in entries:
            _check(restored.draft)
            if restored.reverses is not None and restored.reverses not in ids:
                if any(key == restored.reverses for key, _ in pending):
                    flush()  # its original is in this batch: give it its id first
                else:
                    raise LedgerError(
                        f"Entry {restored.key} reverses entry {restored.reverses}, which does "
                        "not come before it."
                    )
            draft = restored.draft
            entry = Entry(
                book=book,
                created_by=user,
                recorded_by=restored.recorded_by or None,
                customer_id=restored.customer_id,
                type=draft.type,
                amount=draft.amount,
                entry_date=draft.entry_date,
                due_date=dues.due_date_for(
                    customers[restored.customer_id],
                    type=draft.type,
                    entry_date=draft.entry_date,
                    given=draft.due_date,
                    reversal=restored.reverses is not None,
                ),
                note=draft.note,
                reverses_id=ids.get(restored.reverses),
            )
            pending.append((restored.key, entry))
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    return ids


def discard(batch: str) -> None:
    """Forget a batch's staged rows (an import that failed, or was given up on)."""
    StagedEntry.objects.filter(batch=batch).delete()


def reverse_entry(
    *, book, user, entry: Entry, note: str = "", entry_date: datetime.date | None = None
) -> Entry:
    """Cancel an entry with a new one of the opposite type and the same amount, linked to it."""
    if entry.reverses_id is not None:
        raise ReversalOfReversal()
    # The one-to-one link is the guarantee: a second reversal, even one racing this one past
    # the check, is refused by the database. (The entry views join the reversal already.)
    if entry.reversed_by_id is not None:
        raise AlreadyReversed()
    return post_entry(
        book=book,
        user=user,
        customer=entry.customer,
        type=OPPOSITE[entry.type],
        amount=entry.amount,
        entry_date=entry_date or entry.entry_date,
        note=note or f"Reversal of entry #{entry.pk}",
        reverses=entry,
    )


@contextmanager
def _refusals():
    """Answer the database's refusal of an entry as the domain error it means."""
    try:
        yield
    except IntegrityError as exc:
        error = refusal_of(exc)
        if error is None:
            raise
        raise error from exc


def _check(draft: EntryDraft) -> int:
    """Check the draft's type and amount (the database checks again); answer the amount in cents."""
    if draft.type not in TYPES:
        raise LedgerError(f"Unknown entry type {draft.type!r}; use credit or debit.")
    amount = Decimal(draft.amount)
    if not (0 < amount <= MAX_ENTRY_AMOUNT) or amount != amount.quantize(CENT):
        raise LedgerError(
            f"Amount {draft.amount} must be positive, with at most two decimal places."
        )
    return to_cents(amount)
