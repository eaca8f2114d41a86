"""Jobs on the real queue (django-tasks' database backend) run by the real worker loop, in this
process: start, progress, success and failure, cancel, the fence between attempts, recovery of
a job whose worker stopped, and periodic tasks queued once."""

import os
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs import runner, schedule
from jobs.models import Job, JobStatus, Periodic
from jobs.tasks import FILE_GRACE_SECONDS, prune_finished
from jobs.worker import drain
from tests.factories import book_of, make_user
from tests.jobs.handlers import SEEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user("worker-owner")


def test_a_job_runs_on_the_worker_and_keeps_its_progress_and_result(user):
    job = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 3})
    assert job.status == JobStatus.QUEUED and job.task_id
    assert drain() == 1
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result) == ("succeeded", 3, 3, {"counted": 3})
    assert job.attempts == 1 and job.finished_at >= job.started_at >= job.created_at
    run = DBTaskResult.objects.get(pk=job.task_id)
    assert run.status == TaskResultStatus.SUCCESSFUL


def test_a_job_error_fails_the_job_with_its_detail(user):
    job = runner.start(
        tenant=book_of(user), user=user, kind="test-count", params={"to": 5, "fail_at": 4}
    )
    drain()
    job.refresh_from_db()
    assert (job.status, job.error, job.result, job.done) == (
        "failed",
        {"detail": "Bad row.", "line": 4},
        None,
        3,
    )


def test_an_unexpected_error_fails_the_job_and_the_queue_keeps_the_traceback(user):
    job = runner.start(tenant=book_of(user), user=user, kind="test-crash", params={})
    drain()
    job.refresh_from_db()
    assert job.status == "failed" and job.error == {"detail": runner.UNEXPECTED}
    run = DBTaskResult.objects.get(pk=job.task_id)
    assert run.status == TaskResultStatus.FAILED and "ZeroDivisionError" in run.traceback


def test_a_queued_job_cancelled_never_runs(user):
    job = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 2})
    assert runner.cancel(job).status == JobStatus.CANCELLED
    drain()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.done == 0 and job.started_at is None
    with pytest.raises(runner.JobFinished):
        runner.cancel(job)


def test_a_running_job_stops_at_its_next_step_when_cancelled(user):
    SEEN.clear()
    job = runner.start(
        tenant=book_of(user), user=user, kind="test-count", params={"to": 10, "cancel_at": 3}
    )
    drain()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.done == 3 and job.result is None
    assert [done for _, _, done in SEEN] == [1, 2, 3]


def test_a_job_whose_worker_stopped_is_run_again_and_an_old_attempt_cannot_finish_it(user):
    job = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 2})
    # A worker took it and was killed: the job is running, its heartbeat old.
    stale = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, worker="gone", heartbeat_at=stale
    )
    DBTaskResult.objects.filter(pk=job.task_id).update(status=TaskResultStatus.RUNNING)
    first_attempt = runner.JobRun(Job.objects.get(pk=job.pk))
    assert runner.recover_abandoned() == 1
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    drain()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("succeeded", 2, {"counted": 2})
    # The killed attempt, had it come back, could neither report nor finish.
    with pytest.raises(runner.JobCancelled):
        first_attempt.progress(1)
    with pytest.raises(runner.JobCancelled), transaction.atomic():
        first_attempt.finish({"counted": -1})
    job.refresh_from_db()
    assert job.result == {"counted": 2}


def test_a_job_abandoned_too_often_fails_saying_why(user, settings):
    job = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 1})
    stale = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_at=stale
    )
    runner.recover_abandoned()
    job.refresh_from_db()
    assert job.status == "failed" and "stopped 3 times" in job.error["detail"]


def test_a_live_running_job_is_left_alone(user):
    job = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 1})
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    assert runner.recover_abandoned() == 0
    runner.beat("nobody")
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_periodic_tasks_are_queued_once_when_due(settings):
    settings.PERIODIC_TASKS = {"ledger.tasks.purge_idempotency_keys": 60}
    now = timezone.now()
    assert schedule.enqueue_due(now=now) == ["ledger.tasks.purge_idempotency_keys"]
    assert schedule.enqueue_due(now=now) == []  # another worker, the same moment
    assert schedule.enqueue_due(now=now + timedelta(seconds=59)) == []
    assert schedule.enqueue_due(now=now + timedelta(seconds=61)) == [
        "ledger.tasks.purge_idempotency_keys"
    ]
    assert Periodic.objects.get().due_at == now + timedelta(seconds=121)
    assert drain() == 2
    runs = DBTaskResult.objects.filter(task_path="ledger.tasks.purge_idempotency_keys")
    assert [run.status for run in runs] == [TaskResultStatus.SUCCESSFUL] * 2


def test_files_no_live_job_reads_are_pruned_once_they_are_old(user, settings, tmp_path):
    settings.JOB_FILES_DIR = str(tmp_path)
    live = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 1})
    kept_young = tmp_path / "upload-new"
    old = {tmp_path / f"job-{live.pk}.input", tmp_path / "job-999.input", tmp_path / "upload-x"}
    for path in [*old, kept_young]:
        path.write_text("type,amount\n")
    an_hour_ago = time.time() - 2 * FILE_GRACE_SECONDS
    for path in old:
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert prune_finished.call()["files"] == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"job-{live.pk}.input",
        "upload-new",
    ]
