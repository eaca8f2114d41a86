"""The jobs' own periodic task: forget finished jobs and queue records past their keeping."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from jobs.models import UNFINISHED, Job


@task()
def prune_finished() -> dict:
    """Delete jobs finished more than JOB_RETENTION_DAYS ago, and the queue's records of runs
    finished as long ago."""
    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    jobs, _ = Job.objects.exclude(status__in=UNFINISHED).filter(finished_at__lt=cutoff).delete()
    runs, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=cutoff,
    ).delete()
    return {"jobs": jobs, "runs": runs}
