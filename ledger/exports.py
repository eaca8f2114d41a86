"""The entries CSV export: its columns, and each row as a spreadsheet may safely open it."""

from common.renderers import spreadsheet_safe

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
