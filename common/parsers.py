"""A JSON parser that reads numbers with a fraction as Decimal, so 0.1 arrives as exactly 0.1."""

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from common.numbers import whole_number

# No request of this API nests deeper than a list of objects in an object; a body nested past
# this is refused before anything walks it (Python's own parser would recurse until it fails).
MAX_JSON_DEPTH = 32


class DecimalJSONParser(JSONParser):
    """Parse JSON bodies with `parse_float=Decimal`; refuse NaN, Infinity and deep nesting."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH}") from None
        except (ValueError, UnicodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH}")
        try:
            # "\\ud800" escapes decode to lone surrogates, which no database can store as UTF-8.
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return data


def _depth(data) -> int:
    """How deeply lists and objects nest in `data`, walked without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                pending.extend((child, depth + 1) for child in children)
    return deepest


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class LimitedMultiPartParser(MultiPartParser):
    """Multipart bodies held to DATA_UPLOAD_MAX_MEMORY_SIZE as a whole, as JSON ones are.

    Django counts only a multipart body's plain fields against that limit and streams its files
    to disk however large; no route of this API takes a file in a form.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = whole_number(request.META.get("CONTENT_LENGTH", "")) if request else None
        if length is None:
            raise ParseError("Multipart parse error - a form body needs a Content-Length.")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            raise RequestDataTooBig(f"A form body is limited to {limit} bytes.")
        return super().parse(stream, media_type, parser_context)
