"""A job as its owner sees it."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from jobs import files
from jobs.models import Job


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Rows (or items) done so far.")
    total = serializers.IntegerField(allow_null=True, help_text="All there are, once known.")


@extend_schema_serializer(many=False)  # one job, also where a list route answers it (a 202)
class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
            "cancel_requested",
            "result",
            "error",
            "result_url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "result": {"help_text": "What the job made, once it has succeeded."},
            "error": {"help_text": "Why it failed: the body a 400 would have had."},
        }

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, job) -> dict:
        return {"done": job.done, "total": job.total}

    @extend_schema_field(
        serializers.URLField(
            allow_null=True,
            help_text="Where the file the job made (an export) is downloaded, while it is kept.",
        )
    )
    def get_result_url(self, job) -> str | None:
        if files.result_file(job) is None:
            return None
        return absolute_url("api:book-job-download", job, self.context.get("request"))


def absolute_url(name: str, job: Job, request) -> str:
    """A URL of the job under its book's routes, absolute when there is a request (without its
    `format`, which DRF's reverse would carry over from the request)."""
    path = reverse(name, kwargs={"book_pk": job.book_id, "pk": job.pk})
    return request.build_absolute_uri(path) if request is not None else path
