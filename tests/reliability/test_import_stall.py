"""A million-row import through its job while another merchant reads and writes: nobody waits
more than 10 seconds, nothing the neighbour sends fails, and the import is exact."""

import time

import pytest
import requests

from tests.live.server import register
from tests.reliability.conftest import Clients

pytestmark = [pytest.mark.reliability, pytest.mark.live]
ROWS = 1_000_000
STALL = 10.0  # seconds: the guard, not a target (make bench measures the p99s)


def test_nobody_stalls_behind_a_million_row_import(start_server):
    server = start_server(workers=2)
    importer = {"Authorization": f"Bearer {register(server.url)['access']}"}
    neighbour = {"Authorization": f"Bearer {register(server.url)['access']}"}
    big = requests.post(
        f"{server.url}/api/customers/", json={"name": "Big"}, headers=importer, timeout=10
    ).json()["id"]
    theirs = requests.post(
        f"{server.url}/api/customers/", json={"name": "Theirs"}, headers=neighbour, timeout=10
    ).json()["id"]
    lines = ["type,amount,entry_date,note"]
    lines += [f"credit,1.{n % 100:02d},2026-01-{1 + n % 28:02d},r{n}" for n in range(ROWS)]
    total_cents = sum(100 + n % 100 for n in range(ROWS))
    response = requests.post(
        f"{server.url}/api/customers/{big}/entries/import/",
        data=("\n".join(lines) + "\n").encode(),
        headers={**importer, "Content-Type": "text/csv"},
        timeout=120,
    )
    assert response.status_code == 202, response.text
    job_url = response.headers["Location"]

    def neighbour_work(n):
        started = time.monotonic()
        try:
            if n == 0:
                answer = requests.get(
                    f"{server.url}/api/customers/{theirs}/summary/", headers=neighbour, timeout=60
                )
            else:
                answer = requests.post(
                    f"{server.url}/api/customers/{theirs}/entries/",
                    json={"type": "credit", "amount": "1.00"},
                    headers=neighbour,
                    timeout=60,
                )
            status = answer.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        time.sleep(0.05)
        return status, time.monotonic() - started

    with Clients(2, neighbour_work) as clients:
        deadline = time.monotonic() + 300
        while (job := requests.get(job_url, headers=importer, timeout=60).json())["status"] in {
            "queued",
            "running",
        }:
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
    assert (job["status"], job["result"]) == ("succeeded", {"imported": ROWS})
    reads, writes = clients.results
    assert reads and writes
    assert {status for status, _ in reads} == {200}
    assert {status for status, _ in writes} == {201}
    slowest = max(seconds for _, seconds in reads + writes)
    assert slowest < STALL, f"the neighbour waited {slowest:.1f} s"
    summary = requests.get(
        f"{server.url}/api/customers/{big}/summary/", headers=importer, timeout=10
    ).json()
    assert summary["total_credit"] == f"{total_cents // 100}.{total_cents % 100:02d}"
    assert summary["entry_count"] == ROWS
    theirs_summary = requests.get(
        f"{server.url}/api/customers/{theirs}/summary/", headers=neighbour, timeout=10
    ).json()
    assert theirs_summary["entry_count"] == len(writes)
