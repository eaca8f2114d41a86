"""The files jobs make (exports): written beside the job's progress, kept for their owner to
download until they expire (EXPORT_KEEP_HOURS), then pruned (jobs.tasks)."""

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connections
from django.utils import timezone

from common.exceptions import DomainError
from jobs.models import UNFINISHED, Job, JobStatus
from jobs.runner import JobCancelled, JobRun, output_path

# How often a job making a file records its progress (and notices a cancel).
PROGRESS_SECONDS = 1.0


class Tally:
    """The rows a file's writer has written, read by the job's thread; set `stopping` and the
    writer stops at its next row."""

    def __init__(self):
        self.done = 0
        self.stopping = threading.Event()

    def count(self, rows: Iterable) -> Iterator:
        for row in rows:
            if self.stopping.is_set():
                raise JobCancelled()
            yield row
            self.done += 1


def make_file(
    run: JobRun,
    write: Callable[[BinaryIO, Tally], None],
    *,
    name: str,
    content_type: str,
    total: int | None = None,
) -> dict:
    """Make the job's file with `write(file, tally)`, and answer the job's result: the rows
    written and the file (its name, type, size and until when it is kept).

    `write` runs on a thread of its own, with its own database connection: its long read (on
    PostgreSQL a cursor inside a transaction) never shares a connection or a transaction with
    the progress this thread records each PROGRESS_SECONDS, where a cancel is noticed and stops
    the writer. The file is removed unless the job succeeds.
    """
    path = output_path(run.job)
    path.parent.mkdir(parents=True, exist_ok=True)
    tally, failure = Tally(), []

    def writer():
        try:
            with path.open("wb") as file:
                write(file, tally)
        except BaseException as exc:  # raised again on the job's thread
            failure.append(exc)
        finally:
            connections.close_all()  # this thread's

    run.progress(0, total=total)
    thread = threading.Thread(target=writer, name=f"job-{run.job.pk}-file", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(PROGRESS_SECONDS)
            run.progress(tally.done)
    except BaseException:
        tally.stopping.set()
        thread.join()
        raise
    if failure:
        raise failure[0]
    run.progress(tally.done, total=tally.done)
    expires = timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS)
    return {
        "rows": tally.done,
        "file": {
            "name": name,
            "content_type": content_type,
            "size": path.stat().st_size,
            "expires_at": expires.isoformat(),
        },
    }


def result_file(job: Job) -> Path | None:
    """The file a succeeded job made, while it is kept (EXPORT_KEEP_HOURS)."""
    file = (job.result or {}).get("file") if job.status == JobStatus.SUCCEEDED else None
    if file is None or datetime.fromisoformat(file["expires_at"]) <= timezone.now():
        return None
    path = output_path(job)
    return path if path.is_file() else None


class NoFile(DomainError):
    """The job has no file to download (yet, or any more)."""

    status = 404
    default_message = "This job made no file."

    @classmethod
    def of(cls, job: Job) -> "NoFile":
        if job.status in UNFINISHED:
            return FileNotReady()
        if job.status != JobStatus.SUCCEEDED:
            return cls(f"The job {job.status} and made no file.")
        if (job.result or {}).get("file") is not None:
            return FileExpired()
        return cls()


class FileNotReady(NoFile):
    status = 409
    default_message = "The job has not finished; its file is ready when its status is succeeded."


class FileExpired(NoFile):
    status = 410
    default_message = "This job's file is no longer kept; start the export again."
