"""The caller's jobs in a book: list, follow, cancel, download what one made; and the answer
of a route that started one."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.renderers import RENDERERS, CSVRenderer, FileFormatsMixin, ZipRenderer
from common.schema import (
    ERRORS_400,
    ERRORS_401,
    ERRORS_404,
    ERRORS_409,
    ERRORS_410,
    LIST_ERRORS,
)
from common.scoping import TenantScopedMixin
from jobs import files, runner
from jobs.models import Job, JobStatus
from jobs.serializers import JobSerializer, absolute_url


@extend_schema_view(
    list=extend_schema(responses={200: JobSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: JobSerializer, **ERRORS_401, **ERRORS_404}),
    destroy=extend_schema(
        summary="Cancel a job",
        description=(
            "A queued job is cancelled at once (200). A running one is asked to stop (202): it "
            "stops at its next step and leaves nothing behind. A finished one is a 409."
        ),
        responses={
            200: JobSerializer,
            202: JobSerializer,
            **ERRORS_401,
            **ERRORS_404,
            **ERRORS_409,
        },
    ),
)
class JobViewSet(
    TenantScopedMixin,
    FileFormatsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Long work the caller started in the book (big imports and exports): its status, progress
    and result, and the file it made. Each member sees their own jobs only."""

    model = Job
    serializer_class = JobSerializer
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3
    roles = {"destroy": "viewer"}  # cancelling one's own job needs no more than starting it
    archived_actions = ("destroy",)  # nor does an archived book keep it running

    def scope(self, queryset):
        return queryset.filter(user=self.request.user).order_by("-id")

    def destroy(self, request, *args, **kwargs):
        job = runner.cancel(self.get_object())  # a finished job: runner.JobFinished, a 409
        answer = (
            status.HTTP_200_OK if job.status == JobStatus.CANCELLED else status.HTTP_202_ACCEPTED
        )
        return Response(self.get_serializer(job).data, status=answer)

    @extend_schema(
        summary="Download the file a job made",
        description=(
            "The file an export job made (its `result_url`), to the job's owner only, for "
            "EXPORT_KEEP_HOURS after it succeeded: 409 before then, 410 after."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="A CSV export."),
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A book's archive."
            ),
            **ERRORS_400,
            **ERRORS_401,
            **ERRORS_404,
            **ERRORS_409,
            **ERRORS_410,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[*RENDERERS, CSVRenderer, ZipRenderer])
    def download(self, request, pk=None, **kwargs):
        job = self.get_object()
        path = files.result_file(job)
        if path is None:
            raise files.NoFile.of(job)
        file = job.result["file"]
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=file["name"],
            content_type=file["content_type"],
        )


def accepted(request, job: Job) -> Response:
    """The answer of a route that started a job: 202, the job, and its URL in Location."""
    return Response(
        JobSerializer(job, context={"request": request}).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": absolute_url("api:book-job-detail", job, request)},
    )
