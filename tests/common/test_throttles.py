"""Throttles counted atomically in the database: a burst gets exactly the limit through, and
every way to log in, and every expensive route, is counted."""

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from common.throttling import take
from tests.factories import PASSWORD, post

LIMIT = 10
CLIENTS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_requests_get_exactly_the_limit_through():
    admitted, barrier = [], threading.Barrier(CLIENTS)

    def client():
        try:
            barrier.wait()
            admitted.append(take("throttle_login_192.0.2.1", limit=LIMIT, period=60) is None)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (admitted.count(True), admitted.count(False)) == (LIMIT, CLIENTS - LIMIT)


@pytest.mark.django_db
def test_a_request_that_read_the_clock_first_but_reached_the_row_second_is_still_let_through(
    monkeypatch,
):
    """Two of two a minute: the second read the clock 10 ms before the first, but its upsert
    ran after the first's. Judged by its own earlier time against the first's allowance it
    would be refused; both fit in the minute, so both go through, and a third does not."""
    clock = iter([1000.0, 999.99, 1000.01, 1000.01])
    monkeypatch.setattr("common.throttling.time.time", lambda: next(clock))
    assert take("k", limit=2, period=60) is None
    assert take("k", limit=2, period=60) is None
    assert take("k", limit=2, period=60) is not None


@pytest.mark.django_db
def test_a_refused_request_learns_when_to_come_back():
    for _ in range(3):
        assert take("k", limit=3, period=60) is None
    wait = take("k", limit=3, period=60)
    assert 19 < wait <= 20  # one of three requests a minute comes free every 20 seconds


@pytest.fixture
def tight_rates(monkeypatch):
    rates = {"login": "3/min", "register": "2/min", "refresh": "3/min", "export": "2/min",
             "import": "2/min"}  # fmt: skip
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)


def browser_login(address, password="wrong"):
    browser = Client(REMOTE_ADDR=address)
    return browser.post("/api-auth/login/", {"username": "asha", "password": password})


def admin_login(address, password="wrong"):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/", {"username": "asha", "password": password}
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_rates")
class TestEveryLoginSharesOneBucket:
    def test_browser_and_admin_logins_count_with_the_api_login(self, user):
        api = APIClient(REMOTE_ADDR="10.0.1.1")
        first = api.post("/api/auth/login/", {"username": "asha", "password": "wrong"})
        statuses = [
            first.status_code,
            browser_login("10.0.1.1").status_code,
            admin_login("10.0.1.1").status_code,
        ]
        assert statuses == [
            401,
            200,
            200,
        ]  # Django's login pages answer a bad password with the form
        for attempt in (browser_login, admin_login):
            refused = attempt("10.0.1.1", password=PASSWORD)
            assert refused.status_code == 429
            assert refused.json()["detail"].startswith("Request was throttled")
            assert int(refused["Retry-After"]) > 0
        good = api.post("/api/auth/login/", {"username": "asha", "password": PASSWORD})
        assert good.status_code == 429

    def test_password_changes_count_as_login_attempts(self, client, user):
        body = {"old_password": "guess", "new_password": "another-long-password-456"}
        statuses = [
            client.post("/api/auth/password/", body, REMOTE_ADDR="10.0.1.2").status_code
            for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_rates")
class TestExpensiveRoutes:
    @pytest.mark.parametrize(
        "path",
        [
            "/api/customers/{c}/statement/?format=csv",
            "/api/customers/{c}/statement/?format=pdf",
            "/api/entries/?format=csv",
            "/api/customers/{c}/entries/?format=csv",
        ],
    )
    def test_files_are_throttled_per_user_and_json_is_not(
        self, client, other_client, customer, path
    ):
        post(customer)
        url = path.format(c=customer.pk)
        statuses = [client.get(url).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert client.get(url).json()["detail"].startswith("Request was throttled")
        json_url = url.replace("format=csv", "format=json").replace("format=pdf", "format=json")
        assert [client.get(json_url).status_code for _ in range(3)] == [200] * 3
        assert other_client.get("/api/entries/?format=csv").status_code == 200

    def test_imports_are_throttled_per_user(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/import/"
        body = b"type,amount\ncredit,1\n"
        statuses = [client.post(url, body, content_type="text/csv").status_code for _ in range(3)]
        assert statuses == [201, 201, 429]
        assert customer.entries.count() == 2
