"""A JSON parser that reads numbers with a fraction as Decimal, so 0.1 arrives as exactly 0.1."""

import json
from decimal import Decimal

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DecimalJSONParser(JSONParser):
    """Parse JSON bodies with `parse_float=Decimal` and refuse NaN and Infinity."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
            # "\\ud800" escapes decode to lone surrogates, which no database can store as UTF-8.
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        except (ValueError, UnicodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")
