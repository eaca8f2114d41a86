"""The entries CSV export: its columns, each row as a spreadsheet may safely open it, and the
query of an export too big to stream at once, sealed for the job that makes it."""

import pickle

from django.core import signing

from common.db import streaming_read
from common.renderers import spreadsheet_safe
from ledger.models import Entry

HEADER = [
    "id",
    "customer",
    "customer_name",
    "type",
    "amount",
    "entry_date",
    "note",
    "created_at",
    "reverses",
    "reversed_by",
]
# What each row reads of an entry, in HEADER's order.
COLUMNS = [
    "id",
    "customer_id",
    "customer__name",
    "type",
    "amount",
    "entry_date",
    "note",
    "created_at",
    "reverses_id",
    "reversed_by__id",
]


def rows(entries):
    """The CSV rows of `entries` (a list's queryset: scoped, filtered, ordered), streamed."""
    values = entries.values_list(*COLUMNS)
    with streaming_read():
        yield from map(row, values.iterator(chunk_size=2000))


def row(values):
    id_, customer, name, type_, amount, day, note, created, reverses, reversed_by = values
    return (
        id_,
        customer,
        spreadsheet_safe(name),
        type_,
        amount,
        day,
        spreadsheet_safe(note),
        created.isoformat(),
        reverses or "",
        reversed_by or "",
    )


# An export made by a job runs the query its request built: scoped to the caller, filtered and
# ordered by the list's own backends, and checked there (a bad filter was the request's 400).
# Django pickles a query to run it later; the pickle is signed, so the worker unpickles only
# what this server made.
SALT = "ledger.exports.query"


class _Pickle:
    def dumps(self, obj) -> bytes:
        return pickle.dumps(obj)

    def loads(self, data: bytes):
        return pickle.loads(data)  # noqa: S301 - only after its signature is checked


def seal(entries) -> str:
    """The query of `entries`, for a job to run."""
    return signing.dumps(entries.query, salt=SALT, serializer=_Pickle, compress=True)


def unseal(sealed: str):
    """The queryset whose query seal() sealed."""
    entries = Entry.objects.all()
    entries.query = signing.loads(sealed, salt=SALT, serializer=_Pickle)
    return entries
