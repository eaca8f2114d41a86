"""Concurrent clients against a real gunicorn server: nothing lost, nothing doubled, no drift."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
import requests

from tests.live.server import register

pytestmark = pytest.mark.live

CLIENTS = 16


def run_together(count, work):
    """Run work(n) in `count` threads released at the same moment; answer their results."""
    barrier, results = threading.Barrier(count), [None] * count

    def runner(n):
        barrier.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(scope="module")
def merchant(live_server_module):
    tokens = register(live_server_module.url)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tokens['access']}"
    customer = session.post(f"{live_server_module.url}/api/customers/", json={"name": "Busy"})
    return session, customer.json()["id"]


def test_sixteen_concurrent_writers_on_one_customer_lose_nothing(live_server_module, merchant):
    server, (session, customer_id) = live_server_module, merchant
    headers = dict(session.headers)

    def writer(n):
        acknowledged = []
        for i in range(8):
            amount = f"{n + 1}.{i:02d}"
            response = requests.post(
                f"{server.url}/api/customers/{customer_id}/entries/",
                json={"type": "credit" if i % 2 == 0 else "debit", "amount": amount},
                headers=headers,
                timeout=60,
            )
            assert response.status_code == 201, response.text
            acknowledged.append(response.json())
        return acknowledged

    acknowledged = [entry for batch in run_together(CLIENTS, writer) for entry in batch]
    assert len(acknowledged) == CLIENTS * 8

    listed = session.get(
        f"{server.url}/api/customers/{customer_id}/entries/?page_size=200", timeout=30
    ).json()
    assert {e["id"] for e in listed["results"]} == {e["id"] for e in acknowledged}

    credit = sum(Decimal(e["amount"]) for e in acknowledged if e["type"] == "credit")
    debit = sum(Decimal(e["amount"]) for e in acknowledged if e["type"] == "debit")
    summary = session.get(f"{server.url}/api/customers/{customer_id}/summary/", timeout=30).json()
    assert Decimal(summary["total_credit"]) == credit
    assert Decimal(summary["total_debit"]) == debit
    assert summary["entry_count"] == len(acknowledged)
    result = server.verify_ledger()
    assert result.returncode == 0, result.stdout + result.stderr


def test_concurrent_reversals_of_one_entry_exactly_one_wins(live_server_module, merchant):
    server, (session, customer_id) = live_server_module, merchant
    entry = session.post(
        f"{server.url}/api/customers/{customer_id}/entries/",
        json={"type": "credit", "amount": "77.00"},
        timeout=30,
    ).json()
    headers = dict(session.headers)

    def reverse(_):
        response = requests.post(
            f"{server.url}/api/entries/{entry['id']}/reverse/", headers=headers, timeout=60
        )
        return response.status_code

    statuses = Counter(run_together(CLIENTS, reverse))
    assert statuses == {201: 1, 409: CLIENTS - 1}
    reversal = session.get(f"{server.url}/api/entries/{entry['id']}/", timeout=30).json()
    assert reversal["reversed_by"] is not None
    assert server.verify_ledger().returncode == 0


def test_concurrent_requests_with_one_idempotency_key_post_one_entry(live_server_module, merchant):
    server, (session, customer_id) = live_server_module, merchant
    headers = {**session.headers, "Idempotency-Key": "pay-once-123"}
    body = {"type": "debit", "amount": "500.00", "note": "cash"}
    before = session.get(f"{server.url}/api/customers/{customer_id}/summary/", timeout=30).json()

    def send(_):
        response = requests.post(
            f"{server.url}/api/customers/{customer_id}/entries/",
            json=body,
            headers=headers,
            timeout=60,
        )
        return response.status_code, response.json()

    answers = run_together(CLIENTS, send)
    statuses = Counter(status for status, _ in answers)
    # Each request either posted, replayed the post, or was told the key is in flight.
    assert set(statuses) <= {201, 409}, answers
    created = {body["id"] for status, body in answers if status == 201}
    assert len(created) == 1
    after = session.get(f"{server.url}/api/customers/{customer_id}/summary/", timeout=30).json()
    assert after["entry_count"] == before["entry_count"] + 1
    assert Decimal(after["total_debit"]) == Decimal(before["total_debit"]) + Decimal("500.00")
    # Once the first has finished, the key replays.
    replay = requests.post(
        f"{server.url}/api/customers/{customer_id}/entries/", json=body, headers=headers, timeout=30
    )
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] in created


def test_a_clerk_and_a_manager_posting_at_once_are_exact_and_attributed(live_server_module):
    """Staff of one book post to one customer at the same moments: every entry counts once,
    the totals are exact to the cent, and each entry names who posted it."""
    server = live_server_module
    owner = {"Authorization": f"Token {register(server.url)['token']}"}
    book = requests.post(
        f"{server.url}/api/books/", json={"name": "Team"}, headers=owner, timeout=30
    ).json()
    base = f"{server.url}/api/books/{book['id']}"
    customer = requests.post(
        f"{base}/customers/", json={"name": "Shared"}, headers=owner, timeout=30
    ).json()
    staff = {}
    for role in ("clerk", "manager"):
        person = register(server.url)
        staff[person["username"]] = {"Authorization": f"Token {person['token']}"}
        invited = requests.post(
            f"{base}/members/",
            json={"username": person["username"], "role": role},
            headers=owner,
            timeout=30,
        )
        assert invited.status_code == 201, invited.text
        accepted = requests.post(
            f"{server.url}/api/auth/invitations/{invited.json()['id']}/accept/",
            headers=staff[person["username"]],
            timeout=30,
        )
        assert accepted.status_code == 200, accepted.text
    names = sorted(staff)

    def writer(n):
        name = names[n % 2]
        posted = []
        for i in range(6):
            response = requests.post(
                f"{base}/customers/{customer['id']}/entries/",
                json={"type": "credit" if i % 3 else "debit", "amount": f"{n + 1}.{i:02d}"},
                headers=staff[name],
                timeout=60,
            )
            assert response.status_code == 201, response.text
            posted.append((name, response.json()))
        return posted

    posted = [pair for batch in run_together(CLIENTS, writer) for pair in batch]
    assert all(entry["created_by"] == name for name, entry in posted)
    listed = requests.get(
        f"{base}/customers/{customer['id']}/entries/?page_size=200", headers=owner, timeout=30
    ).json()
    assert {(e["id"], e["created_by"]) for e in listed["results"]} == {
        (entry["id"], name) for name, entry in posted
    }
    summary = requests.get(
        f"{base}/customers/{customer['id']}/summary/", headers=owner, timeout=30
    ).json()
    credit = sum(Decimal(e["amount"]) for _, e in posted if e["type"] == "credit")
    debit = sum(Decimal(e["amount"]) for _, e in posted if e["type"] == "debit")
    assert (Decimal(summary["total_credit"]), Decimal(summary["total_debit"])) == (credit, debit)
    assert summary["entry_count"] == CLIENTS * 6
    assert server.verify_ledger().returncode == 0


def test_sixteen_concurrent_credits_never_jointly_pass_a_block_limit(live_server_module, merchant):
    server, (session, _) = live_server_module, merchant
    limited = session.post(
        f"{server.url}/api/customers/",
        json={"name": "Limited", "credit_limit": "1000.00", "credit_limit_policy": "block"},
        timeout=30,
    ).json()
    headers = dict(session.headers)

    def credit(_):
        response = requests.post(
            f"{server.url}/api/customers/{limited['id']}/entries/",
            json={"type": "credit", "amount": "100.00"},
            headers=headers,
            timeout=60,
        )
        return response.status_code

    statuses = Counter(run_together(CLIENTS, credit))
    assert statuses == {201: 10, 409: CLIENTS - 10}
    summary = session.get(f"{server.url}/api/customers/{limited['id']}/summary/", timeout=30)
    assert summary.json()["balance"] == "1000.00"
    ageing = session.get(f"{server.url}/api/customers/{limited['id']}/ageing/", timeout=30)
    assert ageing.json()["due"] == "1000.00"
    result = server.verify_ledger()
    assert result.returncode == 0, result.stdout + result.stderr
