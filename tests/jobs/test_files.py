"""Jobs that make a file: written on a thread of its own while the job reports progress, kept
for its owner to download until it expires, removed when the job does not succeed, and pruned
after."""

import os
import time
from datetime import datetime

import pytest

from jobs import runner
from jobs.models import Job, JobStatus
from jobs.tasks import FILE_GRACE_SECONDS, prune_finished
from jobs.worker import drain
from tests.factories import book_of

# The file's writer reads on a connection of its own: it sees only what was committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.JOB_FILES_DIR = str(tmp_path)
    return tmp_path


def make(user, **params) -> Job:
    job = runner.start(tenant=book_of(user), user=user, kind="test-file", params=params)
    drain()
    job.refresh_from_db()
    return job


def test_the_file_is_kept_for_its_owner_to_download_until_it_expires(client, user, settings):
    settings.EXPORT_KEEP_HOURS = 2
    job = make(user, lines=3)
    assert (job.status, job.done, job.total, job.result["rows"]) == ("succeeded", 3, 3, 3)
    file = job.result["file"]
    assert (file["name"], file["content_type"], file["size"]) == ("lines.txt", "text/plain", 21)
    kept_for = datetime.fromisoformat(file["expires_at"]) - job.finished_at
    assert 7190 < kept_for.total_seconds() <= 7200
    shown = client.get(f"/api/jobs/{job.pk}/").json()
    url = f"http://testserver/api/books/{job.book_id}/jobs/{job.pk}/download/"
    assert shown["result_url"] == url
    download = client.get(shown["result_url"])
    assert download.status_code == 200 and download["Content-Type"] == "text/plain"
    assert download["Content-Disposition"] == 'attachment; filename="lines.txt"'
    assert b"".join(download.streaming_content) == b"line 0\nline 1\nline 2\n"


def test_another_merchant_cannot_download_it(other_client, user):
    job = make(user, lines=1)
    assert other_client.get(f"/api/jobs/{job.pk}/download/").status_code == 404


def test_an_expired_file_is_gone_and_pruned(client, user, settings, files):
    settings.EXPORT_KEEP_HOURS = 0
    job = make(user, lines=2)
    assert job.status == "succeeded" and runner.output_path(job).is_file()
    assert client.get(f"/api/jobs/{job.pk}/").json()["result_url"] is None
    gone = client.get(f"/api/jobs/{job.pk}/download/")
    assert gone.status_code == 410 and "start the export again" in gone.json()["detail"]
    assert prune_finished.call()["files"] == 1 and list(files.iterdir()) == []


def test_no_file_before_the_job_is_done_nor_for_a_job_that_makes_none(client, user):
    queued = runner.start(tenant=book_of(user), user=user, kind="test-file", params={"lines": 1})
    early = client.get(f"/api/jobs/{queued.pk}/download/")
    assert early.status_code == 409 and "not finished" in early.json()["detail"]
    counted = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 1})
    drain()
    none = client.get(f"/api/jobs/{counted.pk}/download/")
    assert none.status_code == 404 and none.json() == {"detail": "This job made no file."}


def test_a_failed_writer_fails_the_job_and_leaves_no_file(client, user, files):
    job = make(user, lines=5, fail_at=2)
    assert (job.status, job.error) == ("failed", {"detail": "Bad line.", "line": 2})
    assert list(files.iterdir()) == []
    failed = client.get(f"/api/jobs/{job.pk}/download/")
    assert (
        failed.status_code == 404 and failed.json()["detail"] == "The job failed and made no file."
    )


def test_a_cancel_while_writing_stops_the_writer_and_leaves_no_file(user, files):
    job = make(user, lines=5, cancel_at=2)
    assert (job.status, job.result) == ("cancelled", None)
    assert list(files.iterdir()) == []


def test_files_of_live_jobs_and_kept_results_stay_and_the_rest_is_pruned(user, files):
    kept = make(user, lines=1)
    live = runner.start(tenant=book_of(user), user=user, kind="test-file", params={"lines": 1})
    Job.objects.filter(pk=live.pk).update(status=JobStatus.RUNNING, attempts=1)
    live.refresh_from_db()
    runner.output_path(live).write_text("half")
    # A file no attempt finished the job with (one given up on, after a worker stopped).
    stale = files / f"job-{kept.pk}-{kept.attempts + 1}.output"
    stale.write_text("old")
    young_upload = files / "upload-new"
    young_upload.write_text("x")
    an_hour_ago = time.time() - 2 * FILE_GRACE_SECONDS
    for path in files.iterdir():
        if path != young_upload:
            os.utime(path, (an_hour_ago, an_hour_ago))
    assert prune_finished.call()["files"] == 1
    assert not stale.exists()
    assert sorted(path.name for path in files.iterdir()) == sorted(
        [runner.output_path(kept).name, runner.output_path(live).name, "upload-new"]
    )
