"""The archive routes: a book's export (a job making its archive) and the restore of an
archive into a new book (a job too)."""

import io

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import UnsupportedMediaType

from archives import archive, tasks
from archives.exceptions import InvalidArchive
from books.models import Role
from common.numbers import whole_number
from common.schema import ERRORS_400, ERRORS_401, ERRORS_409, ERRORS_413, ERRORS_415, ERRORS_422
from common.scoping import TenantScopedMixin
from jobs.serializers import JobSerializer
from jobs.views import accepted
from ledger import idempotency
from ledger.exceptions import ImportTooLarge
from ledger.imports import CSVBody, CSVStreamParser
from ledger.tasks import upload


class ArchiveParser(CSVStreamParser):
    """Hand application/zip bodies to the view as a stream, unread."""

    media_type = archive.CONTENT_TYPE


@extend_schema(tags=["books"])
class BookExportViewSet(TenantScopedMixin, viewsets.ViewSet):
    """The book taken away whole: a job makes its archive (managers)."""

    roles = {"list": Role.MANAGER}

    @extend_schema(
        summary="Export the whole book (a job)",
        description=(
            "Starts a job making the book's archive: a ZIP of manifest.json (the profile, "
            "counts and every customer's totals), customers.csv, entries.csv (with reversal "
            "links and authors) and activity.jsonl. Download it from the job's result_url. "
            "Your unfinished export of the book, if any, is answered instead of a second."
        ),
        responses={202: JobSerializer, **ERRORS_401},
    )
    def list(self, request, **kwargs):
        return accepted(request, tasks.queue_export(tenant=self.tenant, user=request.user))


@extend_schema(tags=["books"])
class BookImportViewSet(TenantScopedMixin, viewsets.ViewSet):
    """An archive restored into a new book owned by the caller (a job)."""

    roles = {"create": Role.VIEWER}  # it makes a book of the caller's own
    parser_classes = [ArchiveParser]

    @extend_schema(
        summary="Restore a book from its archive (a job)",
        description=(
            "The body is a book's archive (application/zip, as an export made it). It is "
            "checked at once (a file that is not one is a 400), then a job restores it into a "
            "new book you own: customers, entries (keeping their dates, notes, reversal links "
            "and authors' names), the activity trail; members are not re-created. All of it or "
            "nothing, and only if every customer's totals come out as the archive's. The job's "
            "result names the new book. Honours Idempotency-Key."
        ),
        request={archive.CONTENT_TYPE: {"type": "string", "format": "binary", "minLength": 1}},
        responses={
            202: JobSerializer,
            **ERRORS_400,
            **ERRORS_401,
            **ERRORS_409,
            **ERRORS_413,
            **ERRORS_415,
            **ERRORS_422,
        },
    )
    def create(self, request, **kwargs):
        limit = settings.IMPORT_MAX_BYTES
        length = whole_number(request.META.get("CONTENT_LENGTH") or "0") or 0
        if length > limit:
            raise ImportTooLarge(f"The file is larger than the import limit of {limit} bytes.")
        if request.content_type.split(";")[0].strip() != archive.CONTENT_TYPE:
            raise UnsupportedMediaType(request.content_type)
        body = CSVBody(
            request.stream or io.BytesIO(),
            limit=limit,
            hasher=idempotency.request_hasher(
                method=request.method, path=request.path, query=request.query_params
            ),
        )
        with upload(body.chunks()) as path:
            with path.open("rb") as file:
                archive.read(file)  # a file that is not an archive is a 400 now, not a job
            if not length:
                raise InvalidArchive()

            def write():
                job = tasks.queue_import(path, tenant=self.tenant, user=request.user)
                return accepted(request, job)

            return idempotency.once(request, write, fingerprint=body.fingerprint)
