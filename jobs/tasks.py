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

from jobs import files
from jobs.models import UNFINISHED, Job, JobStatus

OF_JOB = re.compile(r"job-(\d+)[.-]")  # a job's input, or a file one of its attempts made
OUTPUT = re.compile(r"job-\d+-\d+\.output")
# A file younger than this may belong to a request still starting its job.
FILE_GRACE_SECONDS = 3600


@task()
def prune_finished() -> dict:
    """Delete jobs finished more than JOB_RETENTION_DAYS ago, the queue's records of runs
    finished as long ago, and files in JOB_FILES_DIR no one will read: an export's file past
    EXPORT_KEEP_HOURS (or made by an attempt that did not finish), an upload whose request
    failed, a job's input whose job never committed."""
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
    recent = timezone.now() - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    succeeded = Job.objects.filter(
        status=JobStatus.SUCCEEDED, finished_at__gte=recent, result__has_key="file"
    )
    kept = {files.result_file(job) for job in succeeded.only("pk", "status", "attempts", "result")}
    old = time.time() - FILE_GRACE_SECONDS
    pruned = 0
    for path in folder.iterdir():
        of_job = OF_JOB.match(path.name)
        if path in kept or (of_job and int(of_job.group(1)) in live) or not path.is_file():
            continue
        if OUTPUT.fullmatch(path.name) or path.stat().st_mtime < old:
            path.unlink(missing_ok=True)
            pruned += 1
    return pruned
