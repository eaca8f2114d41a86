"""File formats the API streams itself (CSV, PDF), and keeping error answers JSON regardless."""

import csv
import io
from collections.abc import Iterator
from itertools import islice

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` (or `Accept: text/csv`) through negotiation; the view streams the CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("Views stream CSV themselves; see stream_csv().")


class ZipRenderer(BaseRenderer):
    """Lets `Accept: application/zip` through negotiation; the view answers the file itself."""

    media_type = "application/zip"
    format = "zip"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("Views answer ZIP files themselves (a FileResponse).")


class PDFRenderer(BaseRenderer):
    """Lets `?format=pdf` through negotiation; the view builds the document."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("Views build PDFs themselves.")


FILE_FORMATS = ("csv", "pdf", "zip")
RENDERERS = [JSONRenderer, BrowsableAPIRenderer]


class FileFormatsMixin:
    """For views that stream files: an answer that is not a file (an error) is always JSON."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and getattr(renderer, "format", None) in FILE_FORMATS:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def wants(self, file_format: str) -> bool:
        return getattr(self.request.accepted_renderer, "format", None) == file_format


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from running text as a formula (CSV injection): prefix a quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Rows to a chunk of CSV: a chunk per line would be a write (a system call) per line.
CSV_BATCH = 1000


def csv_chunks(header, rows) -> Iterator[bytes]:
    """The CSV's bytes (UTF-8), CSV_BATCH rows to a chunk, to a socket or a file. Memory stays
    flat however many rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    rows = iter(rows)
    while chunk := list(islice(rows, CSV_BATCH)):
        writer.writerows(chunk)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # the header of a CSV with no rows
        yield buffer.getvalue().encode()


def stream_csv(header, rows, *, filename: str) -> StreamingHttpResponse:
    """Stream rows as a CSV download (see csv_chunks)."""
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
