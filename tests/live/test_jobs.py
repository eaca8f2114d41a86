"""Jobs on a real gunicorn server and the job worker it starts: a big import runs through the
queue, a big export is made by a job and downloaded, and a worker killed with -9 in the middle
of an import loses nothing."""

import csv
import io
import os
import signal
import time
from decimal import Decimal

import pytest
import requests

from tests.live.server import register

pytestmark = pytest.mark.live
JOBS_ENV = {
    "IMPORT_SYNC_MAX_BYTES": "1024",
    "EXPORT_SYNC_MAX_ROWS": "1000",
    "JOB_HEARTBEAT_SECONDS": "1",
    "JOB_STALE_SECONDS": "3",
}


def session_for(server) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {register(server.url)['access']}"
    return session


def csv_rows(count: int) -> tuple[bytes, int]:
    """`count` rows of credits of 1.00 to 9.99; answer the body and its total in cents."""
    lines = ["type,amount,entry_date,note"]
    total = 0
    for n in range(count):
        cents = 100 + n % 900
        total += cents
        lines.append(f"credit,{cents // 100}.{cents % 100:02d},2026-01-{1 + n % 28:02d},row {n}")
    return ("\n".join(lines) + "\n").encode(), total


def import_file(session, server, customer: int, body: bytes) -> str:
    response = session.post(
        f"{server.url}/api/customers/{customer}/entries/import/",
        data=body,
        headers={"Content-Type": "text/csv"},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    return response.headers["Location"]


def wait_for(session, url: str, *, until, server, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = session.get(url, timeout=30).json()
        if until(job):
            return job
        time.sleep(0.05)
    log = "\n".join(line for line in server.log().splitlines() if " /api/" not in line)
    raise AssertionError(f"{url} never got there: {job}\n{log[-6000:]}")


def finished(job) -> bool:
    return job["status"] not in {"queued", "running"}


def test_a_big_import_runs_on_the_job_worker_the_server_started(start_server):
    server = start_server(**JOBS_ENV)
    session = session_for(server)
    customer = session.post(f"{server.url}/api/customers/", json={"name": "Big"}).json()["id"]
    body, total = csv_rows(5_000)
    job = wait_for(
        session, import_file(session, server, customer, body), until=finished, server=server
    )
    assert (job["status"], job["result"]) == ("succeeded", {"imported": 5_000})
    summary = session.get(f"{server.url}/api/customers/{customer}/summary/").json()
    assert summary["total_credit"] == f"{total // 100}.{total % 100:02d}"
    listed = session.get(f"{server.url}/api/jobs/").json()
    assert [row["id"] for row in listed["results"]] == [job["id"]]


def test_a_big_export_is_made_by_the_job_worker_and_downloaded_whole(start_server):
    server = start_server(**JOBS_ENV)
    session = session_for(server)
    customer = session.post(f"{server.url}/api/customers/", json={"name": "Big"}).json()["id"]
    body, total = csv_rows(5_000)
    wait_for(session, import_file(session, server, customer, body), until=finished, server=server)
    small = session.get(f"{server.url}/api/entries/?format=csv&min_amount=9.99")
    assert small.status_code == 200 and small.text.count("\n") == 1 + 5_000 // 900
    started = session.get(f"{server.url}/api/entries/?format=csv&ordering=amount", timeout=30)
    assert started.status_code == 202, started.text
    job = wait_for(session, started.headers["Location"], until=finished, server=server)
    assert job["status"] == "succeeded" and job["result"]["rows"] == 5_000
    download = session.get(job["result_url"], timeout=30)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="entries.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text)))
    amounts = [Decimal(row["amount"]) for row in rows]
    assert len(rows) == 5_000 and amounts == sorted(amounts)
    assert sum(amounts) == Decimal(total).scaleb(-2)
    assert int(download.headers["Content-Length"]) == job["result"]["file"]["size"]


def test_a_worker_killed_mid_import_loses_nothing_and_posts_nothing_twice(start_server):
    server = start_server(**JOBS_ENV)
    session = session_for(server)
    customer = session.post(f"{server.url}/api/customers/", json={"name": "Big"}).json()["id"]
    body, total = csv_rows(150_000)
    url = import_file(session, server, customer, body)
    job = wait_for(session, url, until=lambda job: job["status"] == "running", server=server)
    worker_pid = worker_of(server)
    os.kill(worker_pid, signal.SIGKILL)
    # gunicorn starts another worker; it finds the job's heartbeat stale and runs it again.
    again = wait_for(session, url, until=finished, server=server, timeout=120)
    assert (again["status"], again["result"]) == ("succeeded", {"imported": 150_000})
    assert again["started_at"] > job["started_at"]  # a second attempt did the import
    assert worker_of(server) != worker_pid
    summary = session.get(f"{server.url}/api/customers/{customer}/summary/").json()
    assert summary["total_credit"] == f"{total // 100}.{total % 100:02d}"
    entries = session.get(f"{server.url}/api/customers/{customer}/entries/").json()
    assert entries["count"] == 150_000


def test_a_job_supervisor_killed_with_9_is_started_again_with_its_workers(start_server):
    server = start_server(**JOBS_ENV)
    worker = worker_of(server)
    supervisor = _parent_of(worker)
    os.kill(supervisor, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        again = _worker_or_none(server)
        if again is not None and _parent_of(again) != supervisor:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"no new job supervisor:\n{server.log()[-4000:]}")
    assert "The job supervisor" in server.log()
    # The new workers run jobs: an import, through the queue.
    session = session_for(server)
    customer = session.post(f"{server.url}/api/customers/", json={"name": "After"}).json()["id"]
    body, _ = csv_rows(200)
    job = wait_for(
        session, import_file(session, server, customer, body), until=finished, server=server
    )
    assert (job["status"], job["result"]) == ("succeeded", {"imported": 200})


def worker_of(server) -> int:
    worker = _worker_or_none(server)
    if worker is None:
        raise AssertionError("no job worker is running")
    return worker


def _worker_or_none(server) -> int | None:
    """The pid of the job worker (`manage.py run_jobs`) of the server's job supervisor."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and b"run_jobs" in _read(f"/proc/{entry}/cmdline"):
            supervisor = _parent_of(int(entry))
            if supervisor and _parent_of(supervisor) == server.process.pid:
                return int(entry)
    return None


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def _parent_of(pid: int) -> int | None:
    stat = _read(f"/proc/{pid}/stat")
    return int(stat.rsplit(b")", 1)[1].split()[1]) if stat else None
