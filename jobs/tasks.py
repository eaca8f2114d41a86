"""The jobs' own periodic task: forget finished jobs, the queue's records and files past their
keeping."""

import re
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from jobs.models import UNFINISHED, Job

INPUT = re.compile(r"job-(\d+)\.input")
# A file younger than this may belong to a request still starting its job.
FILE_GRACE_SECONDS = 3600


@task()
def prune_finished() -> dict:
    """Delete jobs finished more than JOB_RETENTION_DAYS ago, the queue's records of runs
    finished as long ago, and files in JOB_FILES_DIR no queued or running job will read (an
    upload whose request failed, a job's input whose job never committed)."""
    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    jobs, _ = Job.objects.exclude(status__in=UNFINISHED).filter(finished_at__lt=cutoff).delete()
    runs, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=cutoff,
    ).delete()
    return {"jobs": jobs, "runs": runs, "files": _prune_files()}


def _prune_files() -> int:
    folder = Path(settings.JOB_FILES_DIR)
    if not folder.is_dir():
        return 0
    live = set(Job.objects.filter(status__in=UNFINISHED).values_list("pk", flat=True))
    old = time.time() - FILE_GRACE_SECONDS
    pruned = 0
    for path in folder.iterdir():
        match = INPUT.fullmatch(path.name)
        if match and int(match.group(1)) in live:
            continue
        if path.is_file() and path.stat().st_mtime < old:
            path.unlink(missing_ok=True)
            pruned += 1
    return pruned
