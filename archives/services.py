"""Restoring a book from its archive into a new book, owned by who restores it."""

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from archives.archive import DUES_COLUMNS, Archive
from archives.exceptions import InvalidArchive
from books import services as book_services
from books.activity import ACTIONS, record
from books.models import Activity, Book
from books.serializers import BookSerializer
from customers.models import Customer
from customers.serializers import CustomerSerializer
from customers.services import CONTACT
from ledger import posting
from ledger.exceptions import LedgerError


@transaction.atomic
def restore(*, archive: Archive, owner) -> Book:
    """A new book holding the archive's customers, entries (with their reversal links and
    authors' names) and activity, owned by `owner` alone (members are not re-created): all of
    it or, if anything is wrong with it, nothing. Its figures are checked against the archive's
    totals before it commits."""
    profile = BookSerializer(data=archive.book)
    if not profile.is_valid():
        raise InvalidArchive(f"The archive's book profile is not valid: {profile.errors}.")
    book = book_services.create_book(owner=owner, **profile.validated_data)
    customers = []
    for row in archive.customers:
        given = {k: row[k] for k in (*CONTACT, *DUES_COLUMNS) if k in row}
        if given.get("credit_limit") == "":
            given["credit_limit"] = None
        if "reminders_enabled" in given:  # the CSV's text of a yes/no
            given["reminders_enabled"] = given["reminders_enabled"] == "True"
        fields = CustomerSerializer(data=given)
        if not fields.is_valid():
            raise InvalidArchive(f"customers.csv customer {row['id']}: {fields.errors}.")
        customers.append(Customer(book=book, **fields.validated_data))
    # One INSERT a thousand customers, not one a customer; their new ids come back in order.
    created = Customer.objects.bulk_create(customers, batch_size=1000)
    customer_ids = {row["id"]: c.pk for row, c in zip(archive.customers, created, strict=True)}
    archived = [
        c.pk for row, c in zip(archive.customers, created, strict=True) if row["archived"] == "True"
    ]
    try:
        entries = posting.post_restored(
            book=book,
            user=owner,
            customers={c.pk: c for c in created},
            entries=archive.entries(customer_ids),
        )
    except LedgerError as exc:
        raise InvalidArchive(f"entries.csv: {exc.message}") from None
    Customer.objects.filter(pk__in=archived).update(archived_at=timezone.now())
    _check_figures(archive, customer_ids)
    _restore_activity(archive, book, customer_ids)
    record(
        book_id=book.pk,
        actor=owner,
        action="book.imported",
        target=book,
        changes={"customers": [None, len(customer_ids)], "entries": [None, len(entries)]},
    )
    return book


def _check_figures(archive: Archive, customer_ids: dict[int, int]) -> None:
    """Refuse the restore unless every customer's totals are the archive's, to the cent."""
    restored = {
        c.pk: (c.total_credit, c.total_debit, c.entry_count)
        for c in Customer.objects.filter(pk__in=customer_ids.values())
    }
    for old, new in customer_ids.items():
        if restored[new] != archive.totals[old]:
            raise InvalidArchive(
                f"Customer {old}'s entries add up to {restored[new]}, not the archive's "
                f"{archive.totals[old]}."
            )


def _restore_activity(archive: Archive, book: Book, customer_ids: dict[int, int]) -> None:
    """The archive's activity trail, as it was recorded (customers' ids are the new ones; the
    old book's members and tokens are not here, so theirs are blank)."""
    rows = []
    for n, line in enumerate(archive.activity, 1):
        try:
            at = parse_datetime(line["at"])
            ok = at is not None and line["action"] in ACTIONS and isinstance(line["changes"], dict)
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise InvalidArchive(f"activity.jsonl line {n} is not a change this server records.")
        object_type = str(line.get("object_type", ""))[:20]
        object_id = line.get("object_id")
        object_id = {
            "customer": customer_ids.get(object_id),
            "book": book.pk,
        }.get(object_type)
        rows.append(
            Activity(
                book=book,
                at=at,
                actor=None,
                actor_name=str(line.get("actor", ""))[:150],
                action=line["action"],
                object_type=object_type,
                object_id=object_id,
                changes=line["changes"],
            )
        )
    Activity.objects.bulk_create(rows, batch_size=1000)
