"""Whole numbers as clients write them: ASCII digits only, and small enough to be an id.

`str.isdigit()` is true for "²" and "٣", and `int("٣")` is 3: a query or an id written in
another script would either crash a view or silently match another row. Every integer the API
reads from text goes through here (URL ids match `[0-9]+`, the ViewSets' lookup_value_regex).
"""

import re

# Python refuses to read an integer of more than 4,300 digits; no number the API reads is near.
ASCII_DIGITS = re.compile(r"[0-9]{1,4000}")
# Ids are 64-bit signed integers in every database; a larger one can match no row.
MAX_ID = 2**63 - 1


def whole_number(text) -> int | None:
    """The number `text` writes in ASCII digits (surrounding spaces allowed), else None.

    It may be larger than any id: callers that look a row up check it against MAX_ID.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    return int(text) if ASCII_DIGITS.fullmatch(text) else None


def row_id(text) -> int | None:
    """The id `text` writes (whole_number), or None when no row can have it (past MAX_ID)."""
    number = whole_number(str(text))
    return number if number is not None and number <= MAX_ID else None
