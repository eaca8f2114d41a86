"""How the ledger routes appear in the OpenAPI schema: their parameters, bodies and answers,
kept here so the views read as what they do."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
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
from jobs.serializers import JobSerializer
from ledger import idempotency
from ledger.serializers import (
    AgeingSerializer,
    DashboardSerializer,
    EntryCreateSerializer,
    EntrySerializer,
    ImportResultSerializer,
    NestedEntryCreateSerializer,
    PostedEntrySerializer,
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
PREFER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="CSV: `respond-async` has a job make the file (202) whatever its size.",
)
EXPORT_JOB = OpenApiResponse(
    JobSerializer,
    description="CSV of more than EXPORT_SYNC_MAX_ROWS rows (or asked `Prefer: respond-async`): "
    "the job making it (follow Location); once it has succeeded, download the file from its "
    "`result_url`. The same export while its job is unfinished answers that job.",
)
LIST = extend_schema(
    parameters=[PREFER],
    responses={
        (200, "application/json"): EntrySerializer(many=True),
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description="`format=csv`: every match, not paginated."
        ),
        (202, "application/json"): EXPORT_JOB,
        **LIST_ERRORS,
        **ERRORS_429,
    },
)


def _create(request):
    return extend_schema(
        request=request,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: PostedEntrySerializer, **WRITE_ERRORS},
    )


def _entries(*, create_request, **more):
    def decorate(view):
        view = extend_schema_view(list=LIST, create=_create(create_request), **more)(view)
        return extend_schema(tags=["entries"])(view)

    return decorate


ENTRIES = _entries(
    create_request=EntryCreateSerializer,
    retrieve=extend_schema(responses={200: EntrySerializer, **ERRORS_401, **ERRORS_404}),
)
CUSTOMER_ENTRIES = _entries(create_request=NestedEntryCreateSerializer)

REVERSE = extend_schema(
    request=ReverseEntrySerializer,
    parameters=[IDEMPOTENCY_KEY],
    responses={201: PostedEntrySerializer, **WRITE_ERRORS},
)

IMPORT = extend_schema(
    request={"text/csv": {"type": "string", "minLength": 1}},
    parameters=[
        IDEMPOTENCY_KEY,
        OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Validate, write nothing."),
    ],
    responses={
        201: ImportResultSerializer,
        200: OpenApiResponse(ImportResultSerializer, description="Dry run: nothing written."),
        202: OpenApiResponse(
            JobSerializer,
            description="A file over IMPORT_SYNC_MAX_BYTES: its import job (follow Location). "
            "The job's result is what 201 or 200 would have answered, its error what 400 would.",
        ),
        **WRITE_ERRORS,
        **ERRORS_413,
        **ERRORS_415,
        **ERRORS_429,
    },
    description="A text/csv body with the header `type,amount,entry_date,note` (`type` and "
    "`amount` required; `entry_date` empty means today). A bad row is a 400 naming its "
    "line, and nothing is written. A big file is imported by a job: 202, the job, and its URL "
    "in Location; all of it or none of it is written, as at once.",
)

SUMMARY = extend_schema(
    parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE)],
    responses={200: SummarySerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404},
)
AGEING = extend_schema(
    parameters=[
        OpenApiParameter(
            "as_of", OpenApiTypes.DATE, description="Default: today in the book's time zone."
        )
    ],
    responses={200: AgeingSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404},
)
EXCLUDED = extend_schema(exclude=True)

STATEMENT = extend_schema(
    parameters=[
        PREFER,
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
        (202, "application/json"): EXPORT_JOB,
        **ERRORS_400,
        **ERRORS_401,
        **ERRORS_404,
        **ERRORS_429,
    },
)


def DASHBOARD(view):
    view.schema = SingleObjectSchema()
    view.list = extend_schema(responses={200: DashboardSerializer, **ERRORS_401})(view.list)
    return extend_schema(tags=["dashboard"])(view)
