"""Three app servers (each with its job worker) behind HAProxy, all through PgBouncer in
transaction pooling mode, on PostgreSQL and on the Citus coordinator: 32 clients posting through
the balancer while one app server is killed and PgBouncer is restarted under them."""

import itertools
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
import requests

from tests.live.server import FreshDatabase, LiveServer, register
from tests.reliability.balancer import HAProxy, PgBouncer
from tests.reliability.conftest import Clients, wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.live, pytest.mark.postgresql]

CLIENTS = 32


@pytest.fixture
def balanced(django_db_blocker):
    """A fresh database, PgBouncer before it, three gunicorns through PgBouncer, HAProxy
    before them; everything stopped and removed after."""
    with django_db_blocker.unblock():
        database = FreshDatabase.create()
    pgbouncer = PgBouncer(database.url).start()
    servers, haproxy = [], None
    try:
        LiveServer(database_url=database.url).migrate()  # once, straight to the database
        for _ in range(3):
            servers.append(
                LiveServer(
                    database_url=pgbouncer.url_for(database.url),
                    workers=2,
                    extra_env={"DATABASE_POOL_TIMEOUT": "2", "DJANGO_NUM_PROXIES": "1"},
                ).start()
            )
        haproxy = HAProxy([server.url for server in servers]).start()
        yield haproxy, servers, pgbouncer
    finally:
        if haproxy:
            haproxy.remove()
        for server in servers:
            server.stop()
        pgbouncer.remove()
        with django_db_blocker.unblock():
            database.drop()


def test_a_killed_app_server_and_a_restarted_pgbouncer_lose_and_double_nothing(balanced):
    haproxy, servers, pgbouncer = balanced
    tokens = register(haproxy.url)
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    customers = [
        requests.post(
            f"{haproxy.url}/api/customers/", json={"name": f"C{n}"}, headers=headers, timeout=10
        ).json()["id"]
        for n in range(4)
    ]
    keys = itertools.count(1)
    sent, answers, lock = {}, Counter(), threading.Lock()

    def post(n):
        """Post one entry, retrying with its key until it is acknowledged (as a client should
        after a 502, a 503 or a dropped connection); answer (key, entry id)."""
        key = f"lb-{next(keys)}"
        customer = customers[n % len(customers)]
        body = {"type": "credit" if n % 3 else "debit", "amount": f"{n + 1}.{n % 100:02d}"}
        with lock:
            sent[key] = (customer, body)
        for _attempt in range(200):
            try:
                response = requests.post(
                    f"{haproxy.url}/api/customers/{customer}/entries/",
                    json=body,
                    headers={**headers, "Idempotency-Key": key},
                    timeout=30,
                )
            except requests.RequestException:
                with lock:
                    answers["no answer"] += 1
                time.sleep(0.1)
                continue
            with lock:
                answers[(response.status_code, response.headers.get("Content-Type"))] += 1
            if response.status_code == 201:
                return key, response.json()["id"]
            assert response.status_code in (409, 502, 503, 504), response.text
            time.sleep(0.1)  # 409: the same key still in flight elsewhere; the others: retry
        raise AssertionError(f"{key} was never acknowledged")

    with Clients(CLIENTS, post) as clients:
        time.sleep(3)
        servers[1].kill()  # kill -9, master and workers: no goodbye to anyone
        time.sleep(4)
        killed_at = sum(map(len, clients.results))
        pgbouncer.restart()  # every server connection and every client connection cut
        time.sleep(4)
        assert sum(map(len, clients.results)) > killed_at, "no progress after the restarts"

    acknowledged = dict(pair for results in clients.results for pair in results)
    assert len(acknowledged) > 100, answers
    # Both faults were felt: requests cut off on the killed server (HAProxy's 502, or the
    # connection dropped), and in flight when PgBouncer went (the app's 503).
    assert answers[(502, "application/json")] + answers["no answer"] > 0, answers
    assert answers[(503, "application/json")] > 0, answers
    # Every answer was JSON: the app's own, or HAProxy's (its error pages are JSON too).
    assert all(kind == "application/json" for kind in (k[1] for k in answers if k != "no answer"))
    assert {status for status, _ in (k for k in answers if k != "no answer")} <= {
        201,
        409,
        502,
        503,
        504,
    }, answers

    # Each acknowledged key made one entry, and no key made two: the customers' totals are
    # exactly the sums of what was acknowledged, through any of the surviving servers.
    for customer in customers:
        mine = [sent[key][1] for key in acknowledged if sent[key][0] == customer]
        summary = requests.get(
            f"{haproxy.url}/api/customers/{customer}/summary/", headers=headers, timeout=30
        ).json()
        assert summary["entry_count"] == len(mine), (customer, summary, len(mine))
        credit = sum(Decimal(b["amount"]) for b in mine if b["type"] == "credit")
        debit = sum(Decimal(b["amount"]) for b in mine if b["type"] == "debit")
        assert (Decimal(summary["total_credit"]), Decimal(summary["total_debit"])) == (
            credit,
            debit,
        )
    assert len(set(acknowledged.values())) == len(acknowledged)

    # The survivors answer through the balancer; the dead one is out of rotation.
    statuses = Counter(
        requests.get(f"{haproxy.url}/api/auth/me/", headers=headers, timeout=10).status_code
        for _ in range(12)
    )
    assert statuses == {200: 12}

    verify = servers[0].verify_ledger()
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_haproxy_answers_json_when_no_app_server_is_up(balanced):
    haproxy, servers, _ = balanced
    for server in servers:
        server.stop()
    assert wait_for(lambda: requests.get(f"{haproxy.url}/healthz", timeout=10).status_code == 503)
    response = requests.get(f"{haproxy.url}/api/customers/", timeout=10)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Retry-After"] == "1"
    assert response.json() == {"detail": "No app server is available; try again shortly."}
