"""The caller's jobs: list, follow, cancel."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from common.schema import ERRORS_401, ERRORS_404, ERRORS_409, LIST_ERRORS
from common.scoping import TenantScopedMixin
from jobs import runner
from jobs.models import Job, JobStatus
from jobs.serializers import JobSerializer


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
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Long work the caller started (big imports): its status, progress and result."""

    model = Job
    serializer_class = JobSerializer
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3

    def scope(self, queryset):
        return queryset.order_by("-id")

    def destroy(self, request, *args, **kwargs):
        job = runner.cancel(self.get_object())  # a finished job: runner.JobFinished, a 409
        answer = (
            status.HTTP_200_OK if job.status == JobStatus.CANCELLED else status.HTTP_202_ACCEPTED
        )
        return Response(JobSerializer(job).data, status=answer)
