"""The ledger routes: entries (flat and under a customer), reversal, summary and dashboard."""

import codecs
import io
from functools import cached_property

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from common.db import streaming_read
from common.filters import KnownParametersFilter, StrictBooleanField, StrictOrderingFilter
from common.numbers import whole_number
from common.pagination import read_page_size
from common.renderers import (
    RENDERERS,
    CSVRenderer,
    FileFormatsMixin,
    PDFRenderer,
    spreadsheet_safe,
    stream_csv,
)
from common.schema import (
    ERRORS_400,
    ERRORS_401,
    ERRORS_404,
    ERRORS_409,
    ERRORS_413,
    ERRORS_415,
    ERRORS_422,
    ERRORS_429,
    LIST_ERRORS,
    SingleObjectSchema,
)
from common.serializers import DateField
from common.throttling import FileThrottle, ScopedThrottle
from customers.models import Customer
from customers.selectors import customer_of
from customers.views import CustomerViewSet
from ledger import idempotency, posting, selectors, statements
from ledger.exceptions import ImportTooLarge, InvalidImport
from ledger.filters import EntryFilterBackend
from ledger.imports import read_entries_csv
from ledger.models import Entry
from ledger.pdf import render_statement
from ledger.serializers import (
    DashboardSerializer,
    EntryCreateSerializer,
    EntrySerializer,
    ImportResultSerializer,
    NestedEntryCreateSerializer,
    ReverseEntrySerializer,
    StatementSerializer,
    SummarySerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    {"type": "string", "pattern": idempotency.KEY_PATTERN.pattern},
    OpenApiParameter.HEADER,
    description="Up to 255 characters. The same key with the same body replays the first answer "
    "(with `Idempotent-Replayed: true`) and writes nothing.",
)
WRITE_ERRORS = {**ERRORS_400, **ERRORS_401, **ERRORS_404, **ERRORS_409, **ERRORS_422}


class EntryCreateMixin:
    """POST an entry through the posting service; answer it as EntrySerializer shows it."""

    create_serializer_class = None

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return self.create_serializer_class
        return EntrySerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = self.customer_for(data)

        def write():
            entry = posting.post_entry(
                user=request.user,
                customer=customer,
                type=data["type"],
                amount=data["amount"],
                entry_date=data["entry_date"],
                note=data["note"],
            )
            return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

        return idempotency.once(request, write)


EXPORT_HEADER = [
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


class EntryListMixin(FileFormatsMixin):
    """Filtered, ordered, paginated entry lists; `format=csv` streams every matching entry."""

    filter_backends = [KnownParametersFilter, StrictOrderingFilter, EntryFilterBackend]
    throttle_classes = [FileThrottle]  # the CSV export, per user; JSON pages are not throttled
    throttle_scope = "export"
    ordering_fields = ["entry_date", "amount", "created_at"]
    ordering = ["-entry_date", "-id"]

    def known_count(self) -> int | None:
        """The list's length without COUNT(*), when the running or daily totals hold it."""
        return self.count_from_totals(self.entry_filters)

    def count_from_totals(self, filters: dict) -> int | None:
        return None

    def get_renderers(self):
        # Lists can also be a CSV export; a single entry or a write answers JSON only.
        renderers = [renderer() for renderer in RENDERERS]
        return [*renderers, CSVRenderer()] if self.action == "list" else renderers

    def paginate_queryset(self, queryset):
        # The page is read as rows; a count the totals do not hold is taken over the filtered
        # entries (the rows join each entry to its reversal; a count need not).
        rows = selectors.EntryRows(
            user=self.request.user,
            conditions=self.row_conditions(),
            ordering=queryset.query.order_by or Entry._meta.ordering,
            count=queryset.count,
        )
        return super().paginate_queryset(rows)

    def row_conditions(self) -> list:
        """What get_queryset and the filters restrict the list to, as EntryRows conditions."""
        return list(self.entry_filters.items())

    def list(self, request, *args, **kwargs):
        if not self.wants("csv"):
            return super().list(request, *args, **kwargs)
        # The export is not paginated, but a malformed page parameter is still an error.
        self.paginator.get_page_size(request)
        self.paginator.get_page_number(request, None)
        rows = self.filter_queryset(self.get_queryset()).values_list(
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
        )
        return stream_csv(EXPORT_HEADER, _export_rows(rows), filename="entries.csv")


DATE_FILTERS = {"start_date", "end_date"}


def _dates(filters: dict) -> dict:
    return {name: filters[name] for name in DATE_FILTERS & filters.keys()}


def _export_rows(rows):
    with streaming_read():
        yield from map(_export_row, rows.iterator(chunk_size=2000))


def _export_row(row):
    id_, customer, name, type_, amount, day, note, created, reverses, reversed_by = row
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


@extend_schema_view(
    list=extend_schema(responses={200: EntrySerializer(many=True), **LIST_ERRORS, **ERRORS_429}),
    create=extend_schema(
        request=EntryCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EntrySerializer, **WRITE_ERRORS},
    ),
    retrieve=extend_schema(responses={200: EntrySerializer, **ERRORS_401, **ERRORS_404}),
)
@extend_schema(tags=["entries"])
class EntryViewSet(
    EntryCreateMixin,
    EntryListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The merchant's ledger entries across all customers. Append-only: no PUT, PATCH or DELETE."""

    create_serializer_class = EntryCreateSerializer

    def customer_for(self, data):
        return data["customer"]

    def count_from_totals(self, filters):
        if not filters:
            book = Customer.objects.for_user(self.request.user).aggregate(n=Sum("entry_count"))
            return book["n"] or 0
        customer = filters.get("customer")
        if customer is not None and filters.keys() <= {"customer", *DATE_FILTERS}:
            # The filter has already found the caller's customer: its totals hold the count.
            return selectors.entry_count(customer, **_dates(filters))
        return None

    def get_serializer_class(self):
        if self.action == "reverse":
            return ReverseEntrySerializer
        return super().get_serializer_class()

    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Entry.objects.none()
        return selectors.entries_of(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        request=ReverseEntrySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EntrySerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Cancel the entry with a new one of the opposite type and the same amount."""
        entry = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def write():
            reversal = posting.reverse_entry(
                user=request.user, entry=entry, **serializer.validated_data
            )
            return Response(EntrySerializer(reversal).data, status=status.HTTP_201_CREATED)

        return idempotency.once(request, write)


def _date_param(request, name):
    """Parse an optional YYYY-MM-DD query parameter, or answer 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return DateField().to_internal_value(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


class CSVBody:
    """A text/csv request body, read line by line: counted against a limit and hashed as it goes."""

    def __init__(self, stream, *, limit: int, hasher):
        self.stream, self.limit, self.hasher, self.size = stream, limit, hasher, 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def lines(self):
        while chunk := self.stream.readline(64 * 1024):
            yield self.decoder.decode(self._count(chunk))
        if tail := self.decoder.decode(b"", final=True):
            yield tail

    def fingerprint(self) -> str:
        """The hash of the whole body: what was streamed, and whatever is left unread."""
        while chunk := self.stream.read(64 * 1024):
            self._count(chunk)
        return self.hasher.hexdigest()

    def _count(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ImportTooLarge(f"The file is larger than the import limit of {self.limit} bytes.")
        self.hasher.update(chunk)
        return chunk


class CSVStreamParser(BaseParser):
    """Hand text/csv bodies to the view as a stream, unread: imports are too big to buffer."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


def _bool_param(request, name) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    value = StrictBooleanField().to_python(raw)
    if value is None:
        raise ValidationError({name: ["Enter true or false."]})
    return value


@extend_schema_view(
    list=extend_schema(responses={200: EntrySerializer(many=True), **LIST_ERRORS, **ERRORS_429}),
    create=extend_schema(
        request=NestedEntryCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EntrySerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["entries"])
class CustomerEntryViewSet(
    EntryCreateMixin,
    EntryListMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """One customer's entries (the customer is in the URL), and their CSV import."""

    create_serializer_class = NestedEntryCreateSerializer

    @cached_property
    def customer(self):
        return customer_of(self.request.user, self.kwargs["customer_pk"])

    def customer_for(self, data):
        return self.customer

    def row_conditions(self):
        return [("customer", self.customer), *super().row_conditions()]

    def count_from_totals(self, filters):
        if filters.keys() <= DATE_FILTERS:
            return selectors.entry_count(self.customer, **_dates(filters))
        return None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Entry.objects.none()
        return selectors.entries_of(self.request.user).filter(customer=self.customer)

    @extend_schema(
        request={"text/csv": {"type": "string", "minLength": 1}},
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Validate, write nothing."),
        ],
        responses={
            201: ImportResultSerializer,
            200: OpenApiResponse(ImportResultSerializer, description="Dry run: nothing written."),
            **WRITE_ERRORS,
            **ERRORS_413,
            **ERRORS_415,
            **ERRORS_429,
        },
        description="A text/csv body with the header `type,amount,entry_date,note` (`type` and "
        "`amount` required; `entry_date` empty means today). A bad row is a 400 naming its "
        "line, and nothing is written.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[CSVStreamParser],
        throttle_classes=[ScopedThrottle],
        throttle_scope="import",
    )
    def import_entries(self, request, customer_pk=None):
        """Import the customer's entries from CSV: every row or none."""
        customer = self.customer
        dry_run = _bool_param(request, "dry_run")
        limit = settings.IMPORT_MAX_BYTES
        length = whole_number(request.META.get("CONTENT_LENGTH") or "0") or 0
        if length > limit:
            raise ImportTooLarge(f"The file is larger than the import limit of {limit} bytes.")
        body = CSVBody(
            request.stream or io.BytesIO(),
            limit=limit,
            hasher=idempotency.request_hasher(
                method=request.method, path=request.path, query=request.query_params
            ),
        )
        if not length:
            raise InvalidImport(1, None, "The file is empty; expected a header row.")
        if request.content_type.split(";")[0].strip() != CSVStreamParser.media_type:
            raise UnsupportedMediaType(request.content_type)

        def write():
            drafts = read_entries_csv(body.lines(), today=timezone.localdate())
            count = posting.post_entries(
                user=request.user, customer=customer, drafts=drafts, dry_run=dry_run
            )
            if dry_run:
                return Response({"imported": 0, "valid_rows": count, "dry_run": True})
            return Response({"imported": count}, status=status.HTTP_201_CREATED)

        return idempotency.once(request, write, fingerprint=body.fingerprint)


SUMMARY = extend_schema(
    parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE)],
    responses={200: SummarySerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404},
)


class CustomerLedgerViewSet(FileFormatsMixin, CustomerViewSet):
    """The customer routes with the ledger's actions on a customer: its summary and statement.

    The customers app knows nothing of the ledger; the router mounts this ViewSet at
    /api/customers/.
    """

    throttle_scope = None  # the statement's files set theirs

    def get_view_name(self):
        # The browsable API names it as the resource it is: "Customer List", not "Customer
        # Ledger List".
        return super().get_view_name().replace("Customer Ledger", "Customer", 1)

    @SUMMARY
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """A customer's totals and balance; `as_of` counts only entries dated on or before it."""
        customer = customer_of(request.user, pk)
        totals = selectors.customer_totals(customer, as_of=_date_param(request, "as_of"))
        body = {
            "customer": customer.pk,
            "total_credit": totals.total_credit,
            "total_debit": totals.total_debit,
            "balance": totals.balance,
            "entry_count": totals.entry_count,
            "last_entry_date": totals.last_entry_date,
        }
        return Response(SummarySerializer(body).data)

    @extend_schema(exclude=True)  # the v1 clients' spelling of summary, documented once
    @action(detail=True, methods=["get"])
    def summery(self, request, pk=None):
        return self.summary(request, pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("start_date", OpenApiTypes.DATE),
            OpenApiParameter("end_date", OpenApiTypes.DATE),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "pdf"]),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1},
                description="JSON: lines per page (default 100, at most 1000).",
            ),
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description="JSON: the page after another; take it from `next`.",
            ),
        ],
        responses={
            (200, "application/json"): StatementSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **ERRORS_400,
            **ERRORS_401,
            **ERRORS_404,
            **ERRORS_429,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[*RENDERERS, CSVRenderer, PDFRenderer],
        throttle_classes=[FileThrottle],  # CSV and PDF, per user; the JSON statement is not
        throttle_scope="export",
    )
    def statement(self, request, pk=None):
        """The customer's statement: opening balance, each entry with the running balance,
        closing balance. JSON comes a page at a time; CSV and PDF give the whole period."""
        customer = customer_of(request.user, pk)
        start_date, end_date = _date_param(request, "start_date"), _date_param(request, "end_date")
        if start_date and end_date and start_date > end_date:
            raise ValidationError({"end_date": ["end_date must be on or after start_date."]})
        statement = statements.statement(customer, start_date=start_date, end_date=end_date)
        name = f"statement-{customer.pk}-{start_date or 'start'}-{end_date or 'today'}"
        if self.wants("csv"):
            rows = statements.csv_rows(statement)
            return stream_csv(statements.CSV_HEADER, rows, filename=f"{name}.csv")
        if self.wants("pdf"):
            return self._pdf(statement, f"{name}.pdf")
        size = read_page_size(
            request, default=statements.PAGE_SIZE, maximum=statements.MAX_PAGE_SIZE
        )
        try:
            body, following = statements.page(
                statement, cursor=request.query_params.get("cursor"), size=size
            )
        except statements.InvalidCursor:
            raise ValidationError(
                {"cursor": ["This cursor is not one of this statement's; follow `next`."]}
            ) from None
        url = request.build_absolute_uri()
        body["next"] = following and replace_query_param(url, "cursor", following)
        return Response(body)

    def _pdf(self, statement, filename):
        limit = settings.STATEMENT_PDF_MAX_ENTRIES
        if statement.entry_count > limit:
            raise ValidationError(
                {
                    "format": [
                        f"A PDF holds at most {limit} entries; this period has "
                        f"{statement.entry_count}. Choose a shorter period or format=csv."
                    ]
                }
            )
        merchant = self.request.user.get_full_name() or self.request.user.username
        response = HttpResponse(
            render_statement(statement, merchant=merchant), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@extend_schema(tags=["dashboard"])
class DashboardViewSet(viewsets.ViewSet):
    """What the merchant will get and will give across every customer."""

    schema = SingleObjectSchema()

    @extend_schema(responses={200: DashboardSerializer, **ERRORS_401})
    def list(self, request):
        return Response(DashboardSerializer(selectors.dashboard(request.user)).data)
