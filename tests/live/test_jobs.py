"""Jobs on a real gunicorn server and the job worker it starts: a big import runs through the
queue, and a worker killed with -9 in the middle of one loses nothing."""

import os
import signal
import time

import pytest
import requests

from tests.live.server import register

pytestmark = pytest.mark.live
JOBS_ENV = {
    "IMPORT_SYNC_MAX_BYTES": "1024",
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


def worker_of(server) -> int:
    """The pid of the job worker (`manage.py run_jobs`) of the server's job supervisor."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and b"run_jobs" in _read(f"/proc/{entry}/cmdline"):
            supervisor = _parent_of(int(entry))
            if supervisor and _parent_of(supervisor) == server.process.pid:
                return int(entry)
    raise AssertionError("no job worker is running")


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def _parent_of(pid: int) -> int | None:
    stat = _read(f"/proc/{pid}/stat")
    return int(stat.rsplit(b")", 1)[1].split()[1]) if stat else None
