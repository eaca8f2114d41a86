"""Kill -9 every server process while 16 clients post entries: nothing acknowledged is lost,
retries with their Idempotency-Key post nothing twice, and the totals still match the entries."""

import itertools
import time
from decimal import Decimal

import pytest
import requests

from tests.live.server import LiveServer, register
from tests.reliability.conftest import Clients

pytestmark = [pytest.mark.reliability, pytest.mark.live]
CLIENTS = 16


def test_a_crash_loses_no_acknowledged_entry(start_server):
    server = start_server(workers=2)
    tokens = register(server.url)
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    customer = requests.post(
        f"{server.url}/api/customers/", json={"name": "Crash"}, headers=headers, timeout=10
    ).json()["id"]
    url = f"{server.url}/api/customers/{customer}/entries/"
    keys = itertools.count(1)
    sent = {}  # key -> body, for every request a client made (answered or not)

    def post(n):
        key = f"crash-{next(keys)}"
        body = {"type": "credit" if n % 2 else "debit", "amount": f"{n + 1}.25"}
        sent[key] = body
        try:
            response = requests.post(
                url, json=body, headers={**headers, "Idempotency-Key": key}, timeout=10
            )
        except requests.RequestException:
            time.sleep(0.05)
            return None  # not acknowledged: the crash cut it off
        assert response.status_code == 201, response.text
        return key, response.json()["id"]

    with Clients(CLIENTS, post) as clients:
        time.sleep(3)
        server.kill()
        time.sleep(0.5)
    acknowledged = dict(pair for results in clients.results for pair in results)
    assert len(acknowledged) > 50, "the clients barely got going before the crash"

    restarted = LiveServer(database_url=server.database_url, workers=2).start()
    url = f"{restarted.url}/api/customers/{customer}/entries/"
    try:
        listed = requests.get(f"{url}?page_size=200", headers=headers, timeout=30).json()
        present, page = {e["id"] for e in listed["results"]}, listed
        while page["next"]:
            page = requests.get(page["next"], headers=headers, timeout=30).json()
            present |= {e["id"] for e in page["results"]}
        assert set(acknowledged.values()) <= present, "an acknowledged entry was lost"

        # Every client retries what it never saw answered, with the same key: each key posts
        # exactly once, whether or not its first attempt had committed before the crash.
        for key, body in sent.items():
            if key not in acknowledged:
                response = requests.post(
                    url, json=body, headers={**headers, "Idempotency-Key": key}, timeout=30
                )
                assert response.status_code == 201, response.text
        summary = requests.get(
            f"{restarted.url}/api/customers/{customer}/summary/", headers=headers, timeout=30
        ).json()
        assert summary["entry_count"] == len(sent)
        credit = sum(Decimal(b["amount"]) for b in sent.values() if b["type"] == "credit")
        debit = sum(Decimal(b["amount"]) for b in sent.values() if b["type"] == "debit")
        assert (Decimal(summary["total_credit"]), Decimal(summary["total_debit"])) == (
            credit,
            debit,
        )
        verify = restarted.verify_ledger()
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        restarted.stop()
