"""The ledger routes: entries (flat and under a customer) and their import, reversal, a
customer's summary and statement, and the dashboard. Thin: the work is in posting,
idempotency, statements, imports and selectors."""

import io

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from books.models import Role
from common.filters import FilterSetBackend, KnownParametersFilter, StrictOrderingFilter
from common.numbers import whole_number
from common.pagination import read_page_size
from common.renderers import RENDERERS, CSVRenderer, FileFormatsMixin, PDFRenderer, stream_csv
from common.scoping import TenantScopedMixin
from common.throttling import FileThrottle, ScopedThrottle
from customers.models import Customer
from customers.selectors import customer_of
from customers.views import CustomerViewSet, OfOneCustomer
from jobs.views import accepted
from ledger import dues, exports, idempotency, posting, schema, selectors, statements, tasks
from ledger.exceptions import CustomerArchived, ImportTooLarge, InvalidImport
from ledger.filters import CustomerDuesFilter, EntryFilter
from ledger.imports import CSVBody, CSVStreamParser, read_entries_csv
from ledger.models import Entry
from ledger.pdf import render_statement
from ledger.serializers import (
    AgeingSerializer,
    DashboardSerializer,
    EntryCreateSerializer,
    EntrySerializer,
    NestedEntryCreateSerializer,
    PostedEntrySerializer,
    ReverseEntrySerializer,
    StrictQuerySerializer,
    SummarySerializer,
)


class EntryViewSetBase(
    TenantScopedMixin, FileFormatsMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """An entry list (filtered, ordered, paginated; `format=csv` exports every match) and the
    POST that adds to it, through the posting service and the idempotency wrapper."""

    model = Entry
    create_serializer_class = EntrySerializer
    filter_backends = [KnownParametersFilter, StrictOrderingFilter, FilterSetBackend]
    filterset_class = EntryFilter
    throttle_classes = [FileThrottle]  # the CSV export, per user; JSON pages are not throttled
    throttle_scope = "export"
    ordering_fields = ["entry_date", "amount", "created_at"]
    ordering = ["-entry_date", "-id"]
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3
    roles = {"create": Role.CLERK, "reverse": Role.MANAGER, "import_entries": Role.MANAGER}

    def role_needed(self):
        # Reading entries a page at a time is anyone's; exporting them is the managers'.
        return Role.MANAGER if self.action == "list" and self.wants("csv") else None

    def get_serializer_class(self):
        return self.create_serializer_class if self.action == "create" else EntrySerializer

    def get_renderers(self):
        # Lists can also be a CSV export; a single entry or a write answers JSON only.
        renderers = [renderer() for renderer in RENDERERS]
        return [*renderers, CSVRenderer()] if self.action == "list" else renderers

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        queryset = super().filter_queryset(queryset)
        # The id breaks ties, so pages stay stable.
        ordering = queryset.query.order_by
        if not any(f.lstrip("-") == "id" for f in ordering):
            queryset = queryset.order_by(*ordering, "id")
        return selectors.entry_rows(queryset)

    def list(self, request, *args, **kwargs):
        if not self.wants("csv"):
            return super().list(request, *args, **kwargs)
        # The export is not paginated, but a malformed page parameter is still an error.
        self.paginator.get_page_size(request)
        self.paginator.get_page_number(request, None)
        entries = self.filter_queryset(self.get_queryset())
        return csv_export(
            request,
            self.tenant,
            header=exports.HEADER,
            rows=exports.rows(entries),
            filename="entries.csv",
            count=self.known_count(),
            source=lambda: tasks.entries_export(entries),
        )

    def known_count(self) -> int:
        """The list's length: from the running or daily totals when they hold it (see the
        subclasses), else counted on the filtered entries, before the page joins reversals."""
        return self.filterset.qs.count()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def write():
            names = ("type", "amount", "entry_date", "due_date", "note")
            entry = posting.post_entry(
                book=self.tenant,
                user=request.user,
                customer=self.customer_for(data),
                **{name: data[name] for name in names},
            )
            return Response(PostedEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

        return idempotency.once(request, write)


def csv_export(request, tenant, *, header, rows, filename, count, source):
    """A CSV export: streamed at once, or, when it has more than EXPORT_SYNC_MAX_ROWS rows or
    the client asked `Prefer: respond-async`, made by a job (202) whose file the caller
    downloads from its result_url; `source()` says what the job reads."""
    asked = "respond-async" in _preferences(request)
    if count <= settings.EXPORT_SYNC_MAX_ROWS and not asked:
        return stream_csv(header, rows, filename=filename)
    job = tasks.queue_export(
        tenant=tenant,
        user=request.user,
        source=source(),
        filename=filename,
        total=count,
        request=request.get_full_path(),
    )
    response = accepted(request, job)
    if asked:
        response["Preference-Applied"] = "respond-async"
    return response


def _preferences(request) -> set[str]:
    """The preferences of the request's Prefer header (RFC 7240), by name."""
    header = request.headers.get("Prefer", "")
    return {part.split(";")[0].split("=")[0].strip().lower() for part in header.split(",")}


DATE_FILTERS = {"start_date", "end_date"}


@schema.ENTRIES
class EntryViewSet(EntryViewSetBase, mixins.RetrieveModelMixin):
    """The book's ledger entries across all customers. Append-only: no PUT, PATCH or DELETE."""

    create_serializer_class = EntryCreateSerializer

    def scope(self, queryset):
        return queryset.select_related("reversed_by", "created_by")

    def customer_for(self, data):
        return data["customer"]

    def known_count(self):
        given = self.filterset.given()
        if not given:
            return Customer.objects.of(self.tenant).aggregate(n=Sum("entry_count"))["n"] or 0
        customer = given.get("customer")
        if customer is not None and given.keys() <= {"customer", *DATE_FILTERS}:
            # The filter has already found the caller's customer: its totals hold the count.
            return selectors.entry_count(customer, **_dates(given))
        return super().known_count()

    @schema.REVERSE
    @action(detail=True, methods=["post"], serializer_class=ReverseEntrySerializer)
    def reverse(self, request, pk=None, **kwargs):
        """Cancel the entry with a new one of the opposite type and the same amount."""
        entry = self.get_object()
        serializer = ReverseEntrySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def write():
            reversal = posting.reverse_entry(
                book=self.tenant, user=request.user, entry=entry, **serializer.validated_data
            )
            return Response(PostedEntrySerializer(reversal).data, status=status.HTTP_201_CREATED)

        return idempotency.once(request, write)


def _dates(given: dict) -> dict:
    return {name: given[name] for name in DATE_FILTERS & given.keys()}


@schema.CUSTOMER_ENTRIES
class CustomerEntryViewSet(OfOneCustomer, EntryViewSetBase):
    """One customer's entries (the customer is in the URL), and their CSV import."""

    create_serializer_class = NestedEntryCreateSerializer
    related = ("reversed_by", "created_by")

    def customer_for(self, data):
        return self.customer

    def known_count(self):
        given = self.filterset.given()
        if given.keys() <= DATE_FILTERS:
            return selectors.entry_count(self.customer, **_dates(given))
        return super().known_count()

    @schema.IMPORT
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[CSVStreamParser],
        throttle_classes=[ScopedThrottle],
        throttle_scope="import",
    )
    def import_entries(self, request, customer_pk=None, **kwargs):
        """Import the customer's entries from CSV: every row or none."""
        customer = self.customer
        dry_run = bool(StrictQuerySerializer.read(request, "dry_run"))
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

        if length > settings.IMPORT_SYNC_MAX_BYTES:
            return self._import_job(request, body, customer, dry_run)

        def write():
            drafts = read_entries_csv(body.lines(), today=self.tenant.today(), customer=customer)
            count = posting.post_entries(
                book=self.tenant,
                user=request.user,
                customer=customer,
                drafts=drafts,
                dry_run=dry_run,
            )
            answer = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
            return Response(tasks.import_result(count, dry_run=dry_run), status=answer)

        return idempotency.once(request, write, fingerprint=body.fingerprint)

    def _import_job(self, request, body, customer, dry_run):
        """A file too big to import at once: kept on disk and imported by a job (202)."""
        if customer.archived_at is not None:
            raise CustomerArchived()
        with tasks.upload(body.chunks()) as upload:

            def write():
                job = tasks.queue_import(
                    upload,
                    tenant=self.tenant,
                    user=request.user,
                    customer=customer,
                    dry_run=dry_run,
                )
                return accepted(request, job)

            return idempotency.once(request, write, fingerprint=body.fingerprint)


class CustomerLedgerViewSet(FileFormatsMixin, CustomerViewSet):
    """The customer routes with the ledger's actions on a customer: its summary and statement.

    The customers app knows nothing of the ledger; the router mounts this ViewSet at
    /api/customers/.
    """

    throttle_scope = None  # the statement's files set theirs
    filterset_class = CustomerDuesFilter
    ordering_fields = [*CustomerViewSet.ordering_fields, "overdue"]
    ordering_aliases = {**CustomerViewSet.ordering_aliases, "overdue": "overdue_amount"}

    def scope(self, queryset):
        return selectors.with_overdue(super().scope(queryset), self.tenant, self.tenant.today())

    def get_view_name(self):
        # The browsable API names it as the resource it is: "Customer List", not "Customer
        # Ledger List".
        return super().get_view_name().replace("Customer Ledger", "Customer", 1)

    @schema.SUMMARY
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None, **kwargs):
        """A customer's totals and balance; `as_of` counts only entries dated on or before it."""
        customer = customer_of(self.tenant, pk)
        totals = selectors.customer_totals(
            customer, as_of=StrictQuerySerializer.read(request, "as_of")
        )
        return Response(SummarySerializer({"customer": customer.pk, **totals.as_dict()}).data)

    @schema.AGEING
    @action(detail=True, methods=["get"])
    def ageing(self, request, pk=None, **kwargs):
        """What the customer has open (a supplier: what the book owes it) as of the end of a
        day (`as_of`, default today in the book's time zone), by days overdue."""
        customer = customer_of(self.tenant, pk)
        as_of = StrictQuerySerializer.read(request, "as_of") or self.tenant.today()
        aged = dues.ageing(customer, as_of=as_of)
        body = {"customer": customer.pk, "kind": customer.kind, **vars(aged)}
        return Response(AgeingSerializer(body).data)

    @schema.EXCLUDED  # the v1 clients' spelling of summary, documented once
    @action(detail=True, methods=["get"])
    def summery(self, request, pk=None, **kwargs):
        return self.summary(request, pk)

    @schema.STATEMENT
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[*RENDERERS, CSVRenderer, PDFRenderer],
        throttle_classes=[FileThrottle],  # CSV and PDF, per user; the JSON statement is not
        throttle_scope="export",
    )
    def statement(self, request, pk=None, **kwargs):
        """The customer's statement: opening balance, each entry with the running balance,
        closing balance. JSON comes a page at a time; CSV and PDF give the whole period."""
        customer = customer_of(self.tenant, pk)
        period = StrictQuerySerializer.period(request, also=("cursor", "page_size"))
        # Read for JSON pages only, but a malformed page size is an error in every format.
        size = read_page_size(
            request, default=statements.PAGE_SIZE, maximum=statements.MAX_PAGE_SIZE
        )
        statement = statements.statement(customer, **period)
        name = "statement-{}-{}-{}".format(
            customer.pk, period["start_date"] or "start", period["end_date"] or "today"
        )
        if self.wants("csv"):
            return csv_export(
                request,
                self.tenant,
                header=statements.CSV_HEADER,
                rows=statements.csv_rows(statement),
                filename=f"{name}.csv",
                count=statement.entry_count + 2,  # its opening and closing rows too
                source=lambda: tasks.statement_export(statement),
            )
        if self.wants("pdf"):
            return self._pdf(statement, f"{name}.pdf")
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
        response = HttpResponse(
            render_statement(*statements.read_whole(statement), today=self.tenant.today()),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@schema.DASHBOARD
class DashboardViewSet(TenantScopedMixin, viewsets.ViewSet):
    """What the book will get and will give across every customer."""

    def list(self, request, **kwargs):
        return Response(DashboardSerializer(selectors.dashboard(self.tenant)).data)
