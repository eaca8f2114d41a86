"""PostgreSQL under trouble: an outage answered with 503 JSON and recovered from without a
restart, and two app servers on one database sharing every guarantee."""

import itertools
import os
import shlex
import subprocess
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
import requests

from tests.live.server import LiveServer, register
from tests.reliability.conftest import Clients, wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.live, pytest.mark.postgresql]


def pg_ctl(*args):
    """Run pg_ctl on the suite's own throwaway cluster (scripts/with-postgres sets PG_CTL)."""
    command = [*shlex.split(os.environ["PG_CTL"]), *args]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def test_a_database_outage_is_a_503_and_the_server_recovers_by_itself(start_server):
    server = start_server(workers=2, DATABASE_POOL_TIMEOUT="2")
    tokens = register(server.url)
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    answers = Counter()

    def browse(_):
        try:
            response = requests.get(f"{server.url}/api/customers/", headers=headers, timeout=30)
        except requests.RequestException as exc:
            return ("no answer", str(exc))
        kind = response.headers.get("Content-Type", "")
        answers[response.status_code] += 1
        return (response.status_code, kind)

    with Clients(4, browse) as clients:
        time.sleep(1)
        pg_ctl("stop", "-m", "fast")
        try:
            assert wait_for(
                lambda: requests.get(f"{server.url}/healthz", timeout=30).status_code == 503
            )
            health = requests.get(f"{server.url}/healthz", timeout=30)
            assert health.json() == {"status": "unavailable", "database": "unreachable"}
            down = requests.get(f"{server.url}/api/customers/", headers=headers, timeout=30)
            assert down.status_code == 503
            assert down.headers["Content-Type"] == "application/json"
            assert "detail" in down.json() and int(down.headers["Retry-After"]) > 0
            time.sleep(2)
        finally:
            pg_ctl("start", "-o", os.environ["PG_START_OPTIONS"])
        # The same server, not restarted, serves again once the database is back.
        assert wait_for(
            lambda: requests.get(f"{server.url}/healthz", timeout=30).status_code == 200, 60
        )
        assert wait_for(
            lambda: (
                requests.get(
                    f"{server.url}/api/customers/", headers=headers, timeout=30
                ).status_code
                == 200
            ),
            30,
        )
        time.sleep(1)
    outcomes = Counter(outcome for results in clients.results for outcome in results)
    statuses = {status for status, _ in outcomes}
    assert statuses <= {200, 503}, outcomes  # never a 500, never a dropped connection
    assert all(kind == "application/json" for _, kind in outcomes), outcomes
    assert answers[503] > 0 and answers[200] > 0


def test_two_app_servers_on_one_database_share_every_guarantee(start_server):
    first = start_server(workers=2, THROTTLE_LOGIN_RATE="3/min")
    second = LiveServer(
        database_url=first.database_url, workers=2, extra_env={"THROTTLE_LOGIN_RATE": "3/min"}
    ).start()
    try:
        servers = [first.url, second.url]
        tokens = register(first.url)
        headers = {"Authorization": f"Bearer {tokens['access']}"}
        customer = requests.post(
            f"{second.url}/api/customers/", json={"name": "Shared"}, headers=headers, timeout=10
        ).json()["id"]
        counter, lock = itertools.count(), threading.Lock()

        def post(n):
            with lock:
                number = next(counter)
            if number >= 32 * 10:
                time.sleep(0.05)
                return None
            amount = Decimal(f"{number % 97 + 1}.{number % 100:02d}")
            response = requests.post(
                f"{servers[number % 2]}/api/customers/{customer}/entries/",
                json={"type": "credit", "amount": str(amount)},
                headers={**headers, "Idempotency-Key": f"shared-{number}"},
                timeout=60,
            )
            assert response.status_code == 201, response.text
            return response.json()["id"], amount

        with Clients(32, post) as clients:
            assert wait_for(lambda: sum(map(len, clients.results)) >= 320, 120)
        posted = [pair for results in clients.results for pair in results]
        assert len(posted) == 320 and len({entry for entry, _ in posted}) == 320
        summary = requests.get(
            f"{first.url}/api/customers/{customer}/summary/", headers=headers, timeout=30
        ).json()
        assert summary["entry_count"] == 320
        assert Decimal(summary["total_credit"]) == sum(amount for _, amount in posted)

        # An idempotency key used on one server replays on the other.
        body = {"type": "debit", "amount": "5.00"}
        once = requests.post(
            f"{first.url}/api/customers/{customer}/entries/",
            json=body,
            headers={**headers, "Idempotency-Key": "cross-server"},
            timeout=30,
        )
        again = requests.post(
            f"{second.url}/api/customers/{customer}/entries/",
            json=body,
            headers={**headers, "Idempotency-Key": "cross-server"},
            timeout=30,
        )
        assert once.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == once.json()["id"]

        # The login throttle counts across both servers.
        statuses = [
            requests.post(
                f"{servers[n % 2]}/api/auth/login/",
                json={"username": "nobody", "password": "wrong"},
                timeout=10,
            ).status_code
            for n in range(6)
        ]
        assert statuses == [401, 401, 401, 429, 429, 429]
    finally:
        second.stop()
