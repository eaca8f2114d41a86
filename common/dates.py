"""One rule for a date a client writes: YYYY-MM-DD in ASCII digits, everywhere the API reads one.

Python's own readers are lenient in ways a ledger cannot be: `date.fromisoformat` takes ISO
week dates ("2026-W01-1") and the basic format ("20260115"), `strptime` takes unpadded fields
("2026-1-5"), and both take digits of other scripts. Each of those is a 400 here, as in the CSV
import.
"""

import datetime
import re

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MESSAGE = "Enter a date as YYYY-MM-DD."


def parse_date(text) -> datetime.date:
    """The day `text` names as YYYY-MM-DD, else ValueError."""
    if not isinstance(text, str) or not ISO_DATE.fullmatch(text.strip()):
        raise ValueError(MESSAGE)
    year, month, day = map(int, text.strip().split("-"))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text.strip()} is not a day of the calendar.") from None
