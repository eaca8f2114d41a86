"""Five minutes of mixed reads and writes at 16 connections (wrk): no error answers, and the
server's memory stays flat after warm-up."""

import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.live.server import register

pytestmark = [pytest.mark.reliability, pytest.mark.live, pytest.mark.soak]
SECONDS = int(os.environ.get("RELIABILITY_LOAD_SECONDS", "300"))
WARM_UP = min(60, SECONDS // 5)

MIXED = """
local paths = {%(reads)s}
local counter = 0
function request()
  counter = counter + 1
  local slot = counter %% 10
  if slot < 3 then
    return wrk.format("POST", "%(post)s", {["Content-Type"] = "application/json",
      ["Authorization"] = "%(auth)s"}, '{"type": "credit", "amount": "1.25"}')
  end
  return wrk.format("GET", paths[slot %% #paths + 1], {["Authorization"] = "%(auth)s"})
end
"""


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.timeout(SECONDS + 240)
def test_five_minutes_of_mixed_load(start_server):
    server = start_server(workers=2, GUNICORN_ACCESS_LOG="0", JWT_ACCESS_SECONDS="3600")
    tokens = register(server.url)
    auth = f"Bearer {tokens['access']}"
    headers = {"Authorization": auth}
    customer = requests.post(
        f"{server.url}/api/customers/", json={"name": "Soak"}, headers=headers, timeout=10
    ).json()["id"]
    reads = [
        f"/api/customers/{customer}/summary/",
        f"/api/customers/{customer}/entries/",
        f"/api/entries/?customer={customer}&type=credit",
        f"/api/customers/{customer}/statement/?start_date=2026-01-01",
        "/api/customers/",
        "/api/summary/",
        "/api/auth/me/",
    ]
    script = MIXED % {
        "reads": ", ".join(f'"{path}"' for path in reads),
        "post": f"/api/customers/{customer}/entries/",
        "auth": auth,
    }
    samples, done = {}, threading.Event()

    def sample():
        started = time.monotonic()
        while not done.wait(1):
            samples[time.monotonic() - started] = {pid: rss_mb(pid) for pid in server.process_ids()}

    watcher = threading.Thread(target=sample, daemon=True)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        watcher.start()
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c16",
                f"-d{SECONDS}s",
                "--timeout",
                "30s",
                "-s",
                lua.name,
                f"{server.url}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        done.set()
        watcher.join()

    total = int(re.search(r"(\d+) requests in", output).group(1))
    assert total > SECONDS * 20, output
    assert "Non-2xx or 3xx responses" not in output, output
    assert "Socket errors" not in output, output

    warm = min(samples, key=lambda moment: abs(moment - WARM_UP))
    last = max(samples)
    for pid, warm_mb in samples[warm].items():
        end_mb = samples[last].get(pid, warm_mb)
        # Flat: after warm-up a process may settle, not grow with the requests it serves.
        assert end_mb <= warm_mb * 1.10 + 5, (pid, warm_mb, end_mb, output)
    summary = requests.get(
        f"{server.url}/api/customers/{customer}/summary/", headers=headers, timeout=30
    ).json()
    assert summary["entry_count"] > 0
    print(
        f"soak: {total} requests in {SECONDS} s; RSS at {warm:.0f}s "
        f"{ {pid: round(mb) for pid, mb in samples[warm].items()} }, at {last:.0f}s "
        f"{ {pid: round(mb) for pid, mb in samples[last].items()} }"
    )
