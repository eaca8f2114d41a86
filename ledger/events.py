"""What the ledger tells a book's webhooks (webhooks.outbox), in the posting's transaction: an
entry posted or reversed, an import's entries, and a party taken past a warn credit limit."""

from common.money import from_cents
from customers.models import Customer
from ledger.models import Entry
from webhooks.outbox import emit


def party(customer: Customer) -> dict:
    """A party as events show it, with its totals after the change."""
    return {
        "id": customer.pk,
        "name": customer.name,
        "kind": customer.kind,
        "balance": f"{customer.balance:.2f}",
        "due": f"{customer.due:.2f}",
        "credit_limit": None if customer.credit_limit is None else f"{customer.credit_limit:.2f}",
    }


def posted(entry: Entry, customer: Customer) -> None:
    """An entry was posted (`entry.reversed` when it reverses another); and if it took the
    party past a warn limit, `customer.over_limit` too."""
    data = {
        "entry": {
            "id": entry.pk,
            "customer": entry.customer_id,
            "type": entry.type,
            "amount": f"{entry.amount:.2f}",
            "entry_date": entry.entry_date,
            "due_date": entry.due_date,
            "note": entry.note,
            "reverses": entry.reverses_id,
            "created_by": entry.created_by.username if entry.created_by else None,
            "created_at": entry.created_at,
        },
        "customer": party(customer),
    }
    kind = "entry.reversed" if entry.reverses_id else "entry.posted"
    emit(book_id=entry.book_id, type=kind, data=data)
    if getattr(entry, "warnings", None):
        over_limit(customer, entry_id=entry.pk)


def imported(customer: Customer, *, count: int, totals: dict, warnings: list[str]) -> None:
    """An import posted `count` entries to the party (one event for the batch)."""
    data = {
        "customer": party(customer),
        "count": count,
        "credit": f"{from_cents(totals['credit'] or 0):.2f}",
        "debit": f"{from_cents(totals['debit'] or 0):.2f}",
    }
    emit(book_id=customer.book_id, type="entries.imported", data=data)
    if warnings:
        over_limit(customer)


def over_limit(customer: Customer, *, entry_id: int | None = None) -> None:
    emit(
        book_id=customer.book_id,
        type="customer.over_limit",
        data={"customer": party(customer), "entry": entry_id},
    )
