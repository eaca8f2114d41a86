"""The book archive: a ZIP of JSON and CSV that holds a whole book, written and read here.

    manifest.json   {format, version, exported_at, book: {profile}, counts, totals}
    customers.csv   id,name,phone,address,email,archived,created_at,kind,locale,credit_limit,
                    credit_limit_policy,payment_terms_days,reminders_enabled
    entries.csv     id,customer,type,amount,entry_date,note,created_at,created_by,reverses,
                    due_date
    activity.jsonl  one change a line: {at, actor, action, object_type, object_id, changes}

Values are written as they are (it is for restoring, not for a spreadsheet); amounts have two
places; `totals` holds each customer's credit, debit and entry count as its entries add up, so
a restore can prove it reproduced every figure. Version 1 (before dues) had neither the
customers' dues columns nor the entries' due dates; it is still read.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from archives.exceptions import InvalidArchive
from books.models import Activity, Book
from books.services import PROFILE
from common.db import streaming_read
from common.money import from_cents, to_cents
from common.numbers import MAX_ID, whole_number
from customers.models import Customer
from ledger.exceptions import InvalidImport
from ledger.imports import draft_of
from ledger.models import Entry
from ledger.posting import RestoredEntry

FORMAT, VERSION = "mini-ledger-book", 2
DUES_COLUMNS = [
    "kind",
    "locale",
    "credit_limit",
    "credit_limit_policy",
    "payment_terms_days",
    "reminders_enabled",
]
CUSTOMER_COLUMNS = ["id", "name", "phone", "address", "email", "archived", "created_at"]
ENTRY_COLUMNS = [
    "id",
    "customer",
    "type",
    "amount",
    "entry_date",
    "note",
    "created_at",
    "created_by",
    "reverses",
]
# Each version's columns, by file.
COLUMNS = {
    1: {"customers.csv": CUSTOMER_COLUMNS, "entries.csv": ENTRY_COLUMNS},
    2: {
        "customers.csv": [*CUSTOMER_COLUMNS, *DUES_COLUMNS],
        "entries.csv": [*ENTRY_COLUMNS, "due_date"],
    },
}
CONTENT_TYPE = "application/zip"


def write(book: Book, file, tally) -> None:
    """Write the book's archive to `file`, counting its entries in `tally` (jobs.files).

    One path on every database without a snapshot across statements: the entries written are
    those up to the last id when it began, whose customers were all there before it read them
    (customers are never deleted, and come before their entries).
    """
    last = Entry.objects.of(book).aggregate(last=Max("id"))["last"] or 0
    totals: dict[int, list[int]] = {}
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        customers = Customer.objects.of(book).order_by("id")
        with _csv(archive, "customers.csv", COLUMNS[VERSION]["customers.csv"]) as out:
            for c in customers.iterator():
                limit = "" if c.credit_limit is None else f"{c.credit_limit:.2f}"
                contact = [c.pk, c.name, c.phone, c.address, c.email, c.is_archived]
                terms = [limit, c.credit_limit_policy, c.payment_terms_days, c.reminders_enabled]
                out.writerow([*contact, c.created_at, c.kind, c.locale, *terms])
                totals[c.pk] = [0, 0, 0]
        entries = (
            Entry.objects.of(book)
            .filter(id__lte=last)
            .order_by("id")
            .annotate(author=Coalesce("recorded_by", "created_by__username"))
            .values_list(*_ENTRY_VALUES)
        )
        with _csv(archive, "entries.csv", COLUMNS[VERSION]["entries.csv"]) as out, streaming_read():
            for row in tally.count(entries.iterator(chunk_size=2000)):
                pk, customer, type_, amount, day, note, created, author, reverses, due = row
                out.writerow(
                    [
                        pk,
                        customer,
                        type_,
                        f"{amount:.2f}",
                        day,
                        note,
                        created,
                        author,
                        reverses or "",
                        due or "",
                    ]
                )
                sums = totals[customer]
                sums[0 if type_ == "credit" else 1] += to_cents(amount)
                sums[2] += 1
        changes = 0
        with archive.open("activity.jsonl", "w") as raw:
            for a in Activity.objects.of(book).order_by("id").iterator():
                line = {
                    "at": a.at.isoformat(),
                    "actor": a.actor_name,
                    "action": a.action,
                    "object_type": a.object_type,
                    "object_id": a.object_id,
                    "changes": a.changes,
                }
                raw.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
                changes += 1
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "book": {name: getattr(book, name) for name in PROFILE},
            "counts": {
                "customers": len(totals),
                "entries": sum(t[2] for t in totals.values()),
                "activity": changes,
            },
            "totals": {
                str(pk): {
                    "total_credit": f"{from_cents(t[0]):.2f}",
                    "total_debit": f"{from_cents(t[1]):.2f}",
                    "entry_count": t[2],
                }
                for pk, t in totals.items()
            },
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))


_ENTRY_VALUES = [
    "id",
    "customer_id",
    "type",
    "amount",
    "entry_date",
    "note",
    "created_at",
    "author",
    "reverses_id",
    "due_date",
]


class _csv:
    """A CSV member of the archive, written as UTF-8 text with its header."""

    def __init__(self, archive: zipfile.ZipFile, name: str, header: list[str]):
        self.raw = archive.open(name, "w")
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow(header)

    def __enter__(self):
        return self.writer

    def __exit__(self, *exc):
        self.text.close()  # closes the member too


@dataclass
class Archive:
    """An archive, read and checked: the book's profile, its customers, the totals its entries
    must reproduce, its activity; entries() streams its entries, each checked as it is read."""

    zip: zipfile.ZipFile
    book: dict
    customers: list[dict]
    totals: dict[int, tuple[Decimal, Decimal, int]]
    activity: list[dict] = field(default_factory=list)
    version: int = VERSION

    def entries(self, customer_ids: dict[int, int]) -> Iterator[RestoredEntry]:
        """The archive's entries in order, for the new customers `customer_ids` names (by
        archive id); InvalidArchive naming the line of the first bad one."""
        with self.zip.open("entries.csv") as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), strict=True)
            try:
                header = next(reader, None)
                columns = COLUMNS[self.version]["entries.csv"]
                if header != columns:
                    raise InvalidArchive(f"entries.csv must start with {','.join(columns)}.")
                index = {name: n for n, name in enumerate(columns)}
                previous = 0
                for row in reader:
                    line = reader.line_num
                    if len(row) != len(columns):
                        raise _bad(line, f"expected {len(columns)} fields")
                    key = _id(row[0], line, "id")
                    if key <= previous:
                        raise _bad(line, "ids must increase from line to line")
                    previous = key
                    customer = customer_ids.get(_id(row[1], line, "customer"))
                    if customer is None:
                        raise _bad(line, "its customer is not in customers.csv")
                    if not row[index["entry_date"]].strip():
                        raise _bad(line, "entry_date is required")
                    reverses = row[index["reverses"]]
                    draft = draft_of(row, index, line, today=None, customer=None)
                    yield RestoredEntry(
                        key=key,
                        customer_id=customer,
                        draft=draft,
                        recorded_by=row[index["created_by"]][:150],
                        reverses=_id(reverses, line, "reverses") if reverses else None,
                    )
            except InvalidImport as exc:
                raise InvalidArchive(f"entries.csv: {exc.message}") from None
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InvalidArchive(f"entries.csv line {reader.line_num}: {exc}.") from None


def read(file) -> Archive:
    """Open and check an archive (a path or a file); InvalidArchive saying what is wrong."""
    try:
        archive = zipfile.ZipFile(file)
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidArchive() from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidArchive()
    version = manifest.get("version")
    if version not in COLUMNS:
        raise InvalidArchive(f"Archive version {version!r} is not one of {sorted(COLUMNS)}.")
    try:
        book = {name: manifest["book"][name] for name in PROFILE}
        totals = {
            int(pk): (Decimal(t["total_credit"]), Decimal(t["total_debit"]), int(t["entry_count"]))
            for pk, t in manifest["totals"].items()
        }
        customers = list(_customers(archive, COLUMNS[version]["customers.csv"]))
        activity = [json.loads(line) for line in archive.read("activity.jsonl").splitlines()]
    except (KeyError, TypeError, ValueError, AttributeError, csv.Error) as exc:
        raise InvalidArchive(f"The archive's contents are not readable: {exc}.") from None
    if {c["id"] for c in customers} != totals.keys():
        raise InvalidArchive("The manifest's totals do not name the archive's customers.")
    return Archive(
        zip=archive,
        book=book,
        customers=customers,
        totals=totals,
        activity=activity,
        version=version,
    )


def _customers(archive: zipfile.ZipFile, columns: list[str]) -> Iterator[dict]:
    with archive.open("customers.csv") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), strict=True)
        if reader.fieldnames != columns:
            raise ValueError(f"customers.csv must start with {','.join(columns)}")
        for row in reader:
            yield {**row, "id": _id(row["id"], reader.line_num, "id", where="customers.csv")}


def _id(text: str, line: int, name: str, *, where: str = "entries.csv") -> int:
    number = whole_number(text)
    if number is None or not 0 < number <= MAX_ID:
        raise _bad(line, f"{name} must be a whole number", where=where)
    return number


def _bad(line: int, reason: str, *, where: str = "entries.csv") -> InvalidArchive:
    return InvalidArchive(f"{where} line {line}: {reason}.")
