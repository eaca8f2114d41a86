"""Whole numbers as clients write them: ASCII digits only, and small enough to be an id.

`str.isdigit()` is true for "²" and "٣", and `int("٣")` is 3: a query or an id written in
another script would either crash a view or silently match another row. Every integer the API
reads from text goes through here (paths too: Django's `int` converter is ASCII already).
"""

import re

ASCII_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits: always within a signed 64-bit column


def whole_number(text) -> int | None:
    """The number `text` writes in ASCII digits (surrounding spaces allowed), else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    return int(text) if ASCII_DIGITS.fullmatch(text) else None
