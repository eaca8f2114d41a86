"""Writes to customers, each recorded in the book's activity trail. The ledger totals are not
written here: posting entries owns them."""

from django.db import transaction
from django.utils import timezone

from books.activity import diff, record, snapshot
from customers.exceptions import KindFixed
from customers.models import Customer

CONTACT = ("name", "phone", "address", "email")
# What a clerk may set (contact, kind, language), and what needs a manager (the dues terms).
DETAILS = (*CONTACT, "kind", "locale")
TERMS = ("credit_limit", "credit_limit_policy", "payment_terms_days", "reminders_enabled")
FIELDS = (*DETAILS, *TERMS)


@transaction.atomic
def create_customer(*, book, name: str, by=None, **fields) -> Customer:
    """Add a customer (or supplier) to the book, with any of FIELDS (`by`: who, for the
    activity trail)."""
    customer = Customer.objects.create(
        book=book, name=name, **{k: v for k, v in fields.items() if k in FIELDS}
    )
    changes = diff({}, snapshot(customer, FIELDS))
    record(book_id=book.pk, actor=by, action="customer.created", target=customer, changes=changes)
    return customer


@transaction.atomic
def update_customer(*, customer: Customer, by=None, **fields) -> Customer:
    """Change a customer's details (FIELDS: contact, kind, language, dues terms)."""
    # The posting trigger reads the kind with each entry: hold the row while checking.
    changes_kind = fields.get("kind", customer.kind) != customer.kind
    if (
        changes_kind
        and Customer.objects.select_for_update()
        .get(book_id=customer.book_id, pk=customer.pk)
        .entry_count
    ):
        raise KindFixed()
    before = snapshot(customer, FIELDS)
    changed = [name for name in fields if name in FIELDS]
    for name in changed:
        setattr(customer, name, fields[name])
    customer.save(update_fields=[*changed, "updated_at"])
    changes = diff(before, snapshot(customer, FIELDS))
    if changes:
        record(
            book_id=customer.book_id,
            actor=by,
            action="customer.updated",
            target=customer,
            changes=changes,
        )
    return customer


@transaction.atomic
def archive_customer(*, customer: Customer, by=None) -> Customer:
    """Take a customer out of the default list; its entries and totals stay as they are."""
    if customer.archived_at is None:
        customer.archived_at = timezone.now()
        customer.save(update_fields=["archived_at", "updated_at"])
        _record_archived(customer, by, archived=True)
    return customer


@transaction.atomic
def restore_customer(*, customer: Customer, by=None) -> Customer:
    """Bring an archived customer back into the list."""
    if customer.archived_at is not None:
        customer.archived_at = None
        customer.save(update_fields=["archived_at", "updated_at"])
        _record_archived(customer, by, archived=False)
    return customer


def _record_archived(customer: Customer, by, *, archived: bool) -> None:
    record(
        book_id=customer.book_id,
        actor=by,
        action="customer.archived" if archived else "customer.restored",
        target=customer,
        changes={"archived": [not archived, archived]},
    )
