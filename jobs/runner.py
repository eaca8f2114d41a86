"""Jobs: start one, run it on the worker, follow its progress, cancel it, and recover one whose
worker died.

A job kind is a handler registered with `@handler("kind")`: it takes a JobRun and answers the
job's result. It reports progress with `run.progress()` between short transactions (that is
also where a cancel is noticed), and publishes its work with `run.finish(result)` inside the
transaction that writes it, so the work and the job's success are one commit. A job that makes
a file (an export) writes it with jobs.files.make_file(). A handler that raises JobError fails
the job with that error; any other exception fails it too, and is logged.

Each run of a job is an attempt, numbered; every write a run makes is fenced by its number, so
an attempt that was given up on (its worker stopped beating) can never finish the job after
another attempt began.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from common.exceptions import DomainError
from jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[["JobRun"], dict]] = {}


def handler(kind: str):
    """Register the function that runs jobs of `kind`."""

    def register(function):
        HANDLERS[kind] = function
        return function

    return register


class JobError(Exception):
    """The job cannot be done, for a reason its owner should read: `detail` becomes the job's
    `error` (the body a request doing the same work at once would have answered with)."""

    def __init__(self, detail: dict):
        super().__init__(detail)
        self.detail = detail


class JobCancelled(Exception):
    """The job was cancelled, or given to another attempt: stop, and write nothing more."""


class JobFinished(DomainError):
    """The job has finished: there is nothing left to cancel."""

    status = 409
    default_message = "The job has finished; there is nothing to cancel."


def start(*, tenant, user, kind: str, params: dict, before_run=None) -> Job:
    """Queue a job of `kind` in the tenant (book), started by `user`. The job and its run on the
    queue are saved in one transaction (the caller's, if it has one); `before_run(job)` runs
    inside it first, e.g. to move the job's input file into place."""
    with transaction.atomic():
        job = Job.objects.create(book=tenant, user=user, kind=kind, params=params)
        if before_run is not None:
            before_run(job)
        _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    job.task_id = str(run_job.enqueue(job.pk).id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def input_path(job: Job) -> Path:
    """Where the job's input (an uploaded file) is kept until the job is done."""
    return Path(settings.JOB_FILES_DIR) / f"job-{job.pk}.input"


def output_path(job: Job) -> Path:
    """Where the file the job makes is kept: one per attempt, so an attempt that was given up
    on never writes over, or removes, the file of the attempt after it."""
    return Path(settings.JOB_FILES_DIR) / f"job-{job.pk}-{job.attempts}.output"


@dataclass
class JobRun:
    """One attempt at a job, as its handler sees it."""

    job: Job
    finished: bool = False

    @property
    def params(self) -> dict:
        return self.job.params

    def progress(self, done: int, total: int | None = None) -> None:
        """Record how far the job is (and that its worker is alive), in a short transaction of
        its own; raise JobCancelled if the job was cancelled or is no longer this attempt's."""
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if not self._mine().update(**fields):
            raise JobCancelled()

    def finish(self, result: dict) -> None:
        """Mark the job succeeded with `result`. Call it inside the transaction that publishes
        the job's work: if the job is no longer this attempt's, it raises JobCancelled and the
        work is rolled back with it."""
        if not self._mine().update(
            status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now()
        ):
            raise JobCancelled()
        self.finished = True

    def _mine(self):
        return Job.objects.filter(
            pk=self.job.pk,
            status=JobStatus.RUNNING,
            attempts=self.job.attempts,
            cancel_requested=False,
        )


@task(takes_context=True)
def run_job(context, job_id: int):
    """The queue's task: one attempt at the job."""
    worker = (context.task_result.worker_ids or [""])[-1]
    run = _claim(job_id, worker)
    if run is None:
        return None  # cancelled while queued, or already taken by another attempt
    try:
        result = HANDLERS[run.job.kind](run)
        if not run.finished:
            run.finish(result)
    except JobCancelled:
        _settle(run, status=JobStatus.CANCELLED, cancelled_only=True)
    except JobError as exc:
        _settle(run, status=JobStatus.FAILED, error=exc.detail)
    except Exception:
        logger.exception("Job %s (%s) failed", run.job.pk, run.job.kind)
        _settle(run, status=JobStatus.FAILED, error={"detail": UNEXPECTED})
        raise  # the queue records the traceback for the operator
    finally:
        if _finished(run.job.pk):
            input_path(run.job).unlink(missing_ok=True)
        if not run.finished:
            output_path(run.job).unlink(missing_ok=True)
    return run.job.pk


UNEXPECTED = "The job failed unexpectedly and wrote nothing. Try again; if it fails again, tell us."


def _claim(job_id: int, worker: str) -> JobRun | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        worker=worker,
        started_at=now,
        heartbeat_at=now,
    )
    return JobRun(Job.objects.get(pk=job_id)) if claimed else None


def _settle(run: JobRun, *, status: str, error: dict | None = None, cancelled_only=False):
    """End this attempt's job as `status`, unless another attempt has it now."""
    jobs = Job.objects.filter(pk=run.job.pk, status=JobStatus.RUNNING, attempts=run.job.attempts)
    if cancelled_only:
        jobs = jobs.filter(cancel_requested=True)
    jobs.update(status=status, error=error, finished_at=timezone.now())


def _finished(job_id: int) -> bool:
    return not Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


def cancel(job: Job) -> Job:
    """Cancel a queued job at once, or ask a running one to stop (it does at its next progress
    and leaves nothing behind); a finished job raises JobFinished."""
    with transaction.atomic():
        if not Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED, cancel_requested=True, finished_at=timezone.now()
        ) and not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            cancel_requested=True
        ):
            raise JobFinished()
    job.refresh_from_db()
    if job.status == JobStatus.CANCELLED:
        input_path(job).unlink(missing_ok=True)
    return job


def beat(worker: str) -> None:
    """The worker's heartbeat: its running jobs are alive."""
    Job.objects.filter(status=JobStatus.RUNNING, worker=worker).update(heartbeat_at=timezone.now())


def recover_abandoned(*, now=None) -> int:
    """Find running jobs whose worker stopped beating (killed, or its machine lost) and queue
    them again, or, after JOB_MAX_ATTEMPTS attempts, fail them saying why; answer how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    running = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    recovered = 0
    for job in running.only("pk", "attempts", "task_id", "cancel_requested"):
        abandoned_run = job.task_id  # the queue's record of the attempt that stopped
        with transaction.atomic():
            this = running.filter(pk=job.pk, attempts=job.attempts)
            if job.cancel_requested:
                changed = this.update(status=JobStatus.CANCELLED, finished_at=now)
            elif job.attempts >= settings.JOB_MAX_ATTEMPTS:
                detail = (
                    f"The worker running this job stopped {job.attempts} times; "
                    "the job was not finished and wrote nothing."
                )
                changed = this.update(
                    status=JobStatus.FAILED, error={"detail": detail}, finished_at=now
                )
            else:
                changed = this.update(status=JobStatus.QUEUED, worker="", heartbeat_at=None)
                if changed:
                    _enqueue(job)
            if changed:
                _abandon(abandoned_run, now)
                recovered += 1
        if changed and _finished(job.pk):
            input_path(job).unlink(missing_ok=True)
    return recovered


def _abandon(task_id: str, now) -> None:
    """Close the queue's record of a run whose worker stopped: django-tasks leaves it running."""
    if task_id:
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="jobs.runner.WorkerLost",
            traceback="The worker running this task stopped before it finished.",
        )
