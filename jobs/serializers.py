"""A job as its owner sees it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.models import Job


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Rows (or items) done so far.")
    total = serializers.IntegerField(allow_null=True, help_text="All there are, once known.")


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

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_result_url(self, job) -> str | None:
        """Where a file the job made is downloaded from (none of today's kinds makes one)."""
        return None
