"""Writes that touch money. Every ledger row is posted here, each call one database transaction."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.money import MAX_ENTRY_AMOUNT, MAX_TOTAL_CENTS, to_cents
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
    with transaction.atomic():
        locked = _lock_customer(user=user, customer=customer)
        entry = _entry_from(draft, user=user, customer=locked, reverses=reverses)
        _add_to_totals(locked, [entry])
        entry.save()
    return entry


def post_entries(*, user, customer: Customer, drafts: Iterable[EntryDraft], batch_size=5000) -> int:
    """Post many entries to one customer in one transaction (all or none); answer how many."""
    posted = 0
    with transaction.atomic():
        locked = _lock_customer(user=user, customer=customer)
        batch: list[Entry] = []
        for draft in drafts:
            batch.append(_entry_from(draft, user=user, customer=locked))
            if len(batch) >= batch_size:
                posted += _insert_batch(locked, batch)
                batch = []
        if batch:
            posted += _insert_batch(locked, batch)
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


def _entry_from(draft: EntryDraft, *, user, customer: Customer, reverses=None) -> Entry:
    if draft.type not in EntryType.values:
        raise LedgerError(f"Unknown entry type {draft.type!r}; use credit or debit.")
    amount = Decimal(draft.amount)
    if not (Decimal("0") < amount <= MAX_ENTRY_AMOUNT) or amount != amount.quantize(
        Decimal("0.01")
    ):
        raise LedgerError(
            f"Amount {draft.amount} must be positive, with at most two decimal places."
        )
    return Entry(
        user=user,
        customer=customer,
        type=draft.type,
        amount=amount,
        entry_date=draft.entry_date,
        note=draft.note,
        reverses=reverses,
    )


def _insert_batch(customer: Customer, batch: list[Entry]) -> int:
    _add_to_totals(customer, batch)
    Entry.objects.bulk_create(batch)
    return len(batch)


def _add_to_totals(customer: Customer, entries: list[Entry]) -> None:
    """Move the locked customer's running totals by these entries and save them."""
    credit = to_cents(customer.total_credit)
    debit = to_cents(customer.total_debit)
    for entry in entries:
        if entry.type == EntryType.CREDIT:
            credit += to_cents(entry.amount)
        else:
            debit += to_cents(entry.amount)
    if credit > MAX_TOTAL_CENTS or debit > MAX_TOTAL_CENTS:
        raise TotalsOverflow()
    customer.total_credit = Decimal(credit).scaleb(-2)
    customer.total_debit = Decimal(debit).scaleb(-2)
    customer.entry_count += len(entries)
    latest = max(entry.entry_date for entry in entries)
    if customer.last_entry_date is None or latest > customer.last_entry_date:
        customer.last_entry_date = latest
    customer.save(update_fields=["total_credit", "total_debit", "entry_count", "last_entry_date"])
