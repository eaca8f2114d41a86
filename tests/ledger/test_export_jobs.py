"""CSV exports over EXPORT_SYNC_MAX_ROWS rows (or asked `Prefer: respond-async`) are made by a
job: 202 with the job; the worker writes the very CSV the route would have streamed, and its
owner downloads it from the job's result_url."""

import datetime

import pytest

from jobs.models import Job
from jobs.worker import drain
from tests.factories import make_customer, post

# The worker writes the file on a connection of its own: it sees only what was committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def small_exports(settings, tmp_path):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    settings.JOB_FILES_DIR = str(tmp_path)


@pytest.fixture
def history(customer, user):
    for day, (kind, amount) in enumerate(
        [("credit", "10.00"), ("credit", "2.50"), ("debit", "4.00"), ("credit", "7.25")],
        start=1,
    ):
        post(customer, kind, amount, entry_date=datetime.date(2026, 3, day), note=f"=n{day}")
    post(make_customer(user, name="Other"), "credit", "99.00", entry_date=datetime.date(2026, 3, 9))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def streamed(client, settings, path) -> bytes:
    """The CSV the route streams at once (under a high limit)."""
    limit, settings.EXPORT_SYNC_MAX_ROWS = settings.EXPORT_SYNC_MAX_ROWS, 1_000
    try:
        response = client.get(path)
        assert response.status_code == 200, body_of(response)
        return body_of(response)
    finally:
        settings.EXPORT_SYNC_MAX_ROWS = limit


def through_a_job(client, path, **headers) -> tuple[dict, bytes]:
    started = client.get(path, headers=headers)
    assert started.status_code == 202, body_of(started)
    job = started.json()
    assert (job["kind"], job["status"], job["result_url"]) == ("export", "queued", None)
    # The job's own URL is under its book's routes.
    book = client.get("/api/auth/me/").json()["default_book"]
    assert started["Location"] == f"http://testserver/api/books/{book}/jobs/{job['id']}/"
    drain()
    job = client.get(started["Location"]).json()
    assert job["status"] == "succeeded", job
    download = client.get(job["result_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    return job, body_of(download)


@pytest.mark.parametrize(
    "path",
    [
        "/api/entries/?format=csv",
        "/api/entries/?format=csv&type=credit&ordering=-amount&min_amount=2",
        "/api/entries/?format=csv&customer={id}&start_date=2026-03-01&end_date=2026-03-09",
        "/api/customers/{id}/entries/?format=csv&ordering=entry_date",
        "/api/customers/{id}/statement/?format=csv",
        "/api/customers/{id}/statement/?format=csv&start_date=2026-03-02&end_date=2026-03-04",
    ],
)
def test_a_big_export_is_made_by_a_job_and_is_the_csv_the_route_streams(
    client, settings, customer, history, path
):
    path = path.format(id=customer.pk)
    expected = streamed(client, settings, path)
    job, body = through_a_job(client, path)
    assert body == expected
    rows = expected.count(b"\n") - 1
    assert job["result"]["rows"] == rows and job["progress"] == {"done": rows, "total": rows}
    file = job["result"]["file"]
    assert file["size"] == len(expected) and file["name"].endswith(".csv")


def test_what_it_exports_is_the_requests_filters_and_order(client, customer, history):
    _, body = through_a_job(client, "/api/entries/?format=csv&type=credit&ordering=-amount")
    lines = body.decode().splitlines()
    assert lines[0].startswith("id,customer,customer_name,type,amount")
    assert [line.split(",")[4] for line in lines[1:]] == ["99.00", "10.00", "7.25", "2.50"]
    assert "'=n1" in lines[2]  # notes are kept from running as formulas, as when streamed


def test_a_small_export_asked_respond_async_is_a_job_too(client, customer, settings):
    post(customer)
    job, body = through_a_job(client, "/api/entries/?format=csv", Prefer="respond-async, wait=5")
    assert job["result"]["rows"] == 1 and body.count(b"\n") == 2
    small = client.get("/api/entries/?format=csv")
    assert small.status_code == 200 and "Preference-Applied" not in small


def test_the_same_export_while_its_job_is_unfinished_answers_that_job(client, customer, history):
    first = client.get("/api/entries/?format=csv")
    again = client.get("/api/entries/?format=csv")
    other = client.get("/api/entries/?format=csv&type=credit")
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    drain()
    after = client.get("/api/entries/?format=csv")
    assert after.status_code == 202 and after.json()["id"] not in {first.json()["id"]}
    assert Job.objects.filter(kind="export").count() == 3


def test_only_the_caller_sees_and_downloads_its_export(client, other_client, customer, history):
    job, _ = through_a_job(client, "/api/entries/?format=csv")
    assert other_client.get(f"/api/jobs/{job['id']}/").status_code == 404
    assert other_client.get(f"/api/jobs/{job['id']}/download/").status_code == 404
    assert other_client.get("/api/jobs/").json()["count"] == 0


def test_a_bad_filter_is_the_requests_400_and_starts_no_job(client, customer, history):
    response = client.get("/api/entries/?format=csv&start_date=soon")
    assert response.status_code == 400 and "start_date" in response.json()
    assert not Job.objects.exists()


def test_entries_posted_after_the_request_are_in_the_file_it_makes(client, customer, history):
    """The job reads when it runs (what the request checked and scoped, as of then)."""
    started = client.get("/api/entries/?format=csv")
    post(customer, "credit", "1.00")
    drain()
    job = client.get(started["Location"]).json()
    assert job["result"]["rows"] == 6


def test_an_export_sealed_under_another_secret_key_fails_saying_so(client, customer, history):
    started = client.get("/api/entries/?format=csv")
    job = Job.objects.get(pk=started.json()["id"])
    job.params["entries"] = job.params["entries"][:-4] + "AAAA"  # not this server's signature
    job.save(update_fields=["params"])
    drain()
    job = client.get(started["Location"]).json()
    assert job["status"] == "failed"
    assert job["error"] == {"detail": "This export can no longer be read; ask for it again."}
