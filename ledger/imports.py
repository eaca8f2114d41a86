"""Reading entries from CSV (`type,amount,entry_date,note[,due_date]`): the request body, read as
a stream and hashed as it goes, and its rows, with an error that names the line."""

import codecs
import csv
import datetime
from collections.abc import Iterable, Iterator

from rest_framework.parsers import BaseParser

from common.dates import parse_date
from common.money import parse_amount
from customers.models import Customer
from ledger.dues import due_date_for
from ledger.exceptions import ImportTooLarge, InvalidImport, LedgerError
from ledger.models import EntryType
from ledger.posting import EntryDraft

COLUMNS = ("type", "amount", "entry_date", "note", "due_date")
REQUIRED = ("type", "amount")
NOTE_MAX_LENGTH = 500
TYPES = frozenset(EntryType.values)


def read_entries_csv(
    lines: Iterable[str], *, today: datetime.date, customer: Customer
) -> Iterator[EntryDraft]:
    """Yield one draft per data row, for the customer; raise InvalidImport naming the first bad
    line.

    The header names the columns (any order): `type` and `amount` are required, `entry_date`
    (YYYY-MM-DD; empty means today), `note` and `due_date` (YYYY-MM-DD, for an entry that opens
    a due; empty means by the customer's terms) are optional; any other column is refused.
    """
    reader = csv.reader(_numbered(lines), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidImport(1, None, "The file is empty; expected a header row.")
        index = _columns(header)
        width = len(header)
        seen = 0
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) != width:
                raise InvalidImport(
                    reader.line_num, None, f"Expected {width} fields, found {len(row)}."
                )
            seen += 1
            yield draft_of(row, index, reader.line_num, today, customer)
    except csv.Error as exc:
        raise InvalidImport(reader.line_num, None, f"Malformed CSV: {exc}.") from None
    except UnicodeDecodeError:
        raise InvalidImport(reader.line_num + 1, None, "The file is not UTF-8 text.") from None
    if seen == 0:
        raise InvalidImport(reader.line_num, None, "The file has a header but no entries.")


def _numbered(lines: Iterable[str]) -> Iterator[str]:
    first = True
    for line in lines:
        if first:
            line = line.removeprefix("\ufeff")  # the byte-order mark spreadsheets write
            first = False
        yield line


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise InvalidImport(
            1, None, f"Unknown column(s): {', '.join(unknown)}. Use {','.join(COLUMNS)}."
        )
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InvalidImport(1, None, f"Column(s) named twice: {', '.join(duplicated)}.")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InvalidImport(1, None, f"Missing column(s): {', '.join(missing)}.")
    return {name: position for position, name in enumerate(names)}


def draft_of(
    row: list[str], index: dict[str, int], line: int, today, customer: Customer | None
) -> EntryDraft:
    """The draft a CSV row holds, checked, its due date resolved for the customer
    (InvalidImport naming `line` and the bad field); without a customer, as the row gives it,
    for who posts it to resolve (an archive's restore)."""
    type_ = row[index["type"]].strip().lower()
    if type_ not in TYPES:
        raise InvalidImport(line, "type", f'"{type_}" is not a valid choice; use credit or debit.')
    try:
        amount = parse_amount(row[index["amount"]])
    except ValueError as exc:
        raise InvalidImport(line, "amount", str(exc)) from None
    entry_date = _date(row, index, "entry_date", line) or today
    due_date = _date(row, index, "due_date", line)
    if customer is not None:
        try:
            due_date = due_date_for(customer, type=type_, entry_date=entry_date, given=due_date)
        except LedgerError as exc:
            raise InvalidImport(line, "due_date", exc.message) from None
    note = row[index["note"]].strip() if "note" in index else ""
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidImport(
            line, "note", f"Ensure this field has no more than {NOTE_MAX_LENGTH} characters."
        )
    if "\x00" in note:
        raise InvalidImport(line, "note", "Null characters are not allowed.")
    return EntryDraft(
        type=type_, amount=amount, entry_date=entry_date, note=note, due_date=due_date
    )


def _date(row: list[str], index: dict[str, int], name: str, line: int) -> datetime.date | None:
    """The row's date in column `name`, if it has the column and the field is not empty."""
    text = row[index[name]].strip() if name in index else ""
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise InvalidImport(line, name, f'"{text}" is not a date; use YYYY-MM-DD.') from None


CHUNK = 64 * 1024


class CSVBody:
    """A text/csv body (a request's, or a job's file), read line by line: counted against a
    limit and hashed as it goes (when given a hasher)."""

    def __init__(self, stream, *, limit: int, hasher=None):
        self.stream, self.limit, self.hasher, self.size = stream, limit, hasher, 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def chunks(self):
        """The body as it comes, a chunk at a time, counted and hashed."""
        while chunk := self.stream.read(CHUNK):
            yield self._count(chunk)

    def lines(self):
        """The body's lines, each with its newline, as a file's readline gives them (a line
        longer than a chunk comes in pieces). Read a chunk at a time: a readline per row, through
        the server's and Django's stream wrappers, cost more than parsing the row."""
        rest = ""
        for chunk in self.chunks():
            *whole, rest = (rest + self.decoder.decode(chunk)).split("\n")
            for line in whole:
                yield line + "\n"
            if len(rest) >= CHUNK:
                yield rest
                rest = ""
        if rest := rest + self.decoder.decode(b"", final=True):
            yield rest

    def fingerprint(self) -> str:
        """The hash of the whole body: what was streamed, and whatever is left unread."""
        for _ in self.chunks():
            pass
        return self.hasher.hexdigest()

    def _count(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ImportTooLarge(f"The file is larger than the import limit of {self.limit} bytes.")
        if self.hasher is not None:
            self.hasher.update(chunk)
        return chunk


class CSVStreamParser(BaseParser):
    """Hand text/csv bodies to the view as a stream, unread: imports are too big to buffer."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream
