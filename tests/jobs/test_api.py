"""GET /api/jobs/, GET and DELETE /api/jobs/{id}/: the caller's own jobs only."""

import pytest

from jobs import runner
from jobs.models import Job, JobStatus
from jobs.worker import drain
from tests.factories import book_of

pytestmark = pytest.mark.django_db


def test_a_job_as_its_owner_sees_it(client, user):
    job = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 2})
    queued = client.get(f"/api/jobs/{job.pk}/").json()
    assert queued == {
        "id": job.pk,
        "kind": "test-count",
        "status": "queued",
        "progress": {"done": 0, "total": None},
        "created_at": queued["created_at"],
        "started_at": None,
        "finished_at": None,
        "cancel_requested": False,
        "result": None,
        "error": None,
        "result_url": None,
    }
    drain()
    done = client.get(f"/api/jobs/{job.pk}/").json()
    assert done["status"] == "succeeded" and done["progress"] == {"done": 2, "total": 2}
    assert done["result"] == {"counted": 2} and done["finished_at"]
    listed = client.get("/api/jobs/").json()
    assert listed["count"] == 1 and listed["results"] == [done]


def test_another_merchants_job_is_not_found_and_cannot_be_cancelled(client, other_user):
    theirs = runner.start(
        tenant=book_of(other_user), user=other_user, kind="test-count", params={"to": 1}
    )
    assert client.get(f"/api/jobs/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/jobs/{theirs.pk}/").status_code == 404
    assert client.get("/api/jobs/").json()["count"] == 0
    assert Job.objects.get(pk=theirs.pk).status == JobStatus.QUEUED


def test_cancelling_a_queued_a_running_and_a_finished_job(client, user):
    queued = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 1})
    response = client.delete(f"/api/jobs/{queued.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"

    running = runner.start(tenant=book_of(user), user=user, kind="test-count", params={"to": 1})
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)
    response = client.delete(f"/api/jobs/{running.pk}/")
    assert response.status_code == 202
    assert response.json()["status"] == "running" and response.json()["cancel_requested"]

    response = client.delete(f"/api/jobs/{queued.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "The job has finished; there is nothing to cancel."}


def test_the_job_list_refuses_a_parameter_it_does_not_read(client):
    response = client.get("/api/jobs/?status=failed")
    assert response.status_code == 400 and "status" in response.json()
