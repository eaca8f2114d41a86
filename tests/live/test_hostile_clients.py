"""Careless and hostile clients against a real gunicorn server: the same answers over HTTP."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live.server import register

pytestmark = pytest.mark.live
LOGIN_LIMIT = 10


@pytest.fixture(scope="module")
def server(live_server_module_factory):
    return live_server_module_factory(WEB_CONCURRENCY="4", THROTTLE_LOGIN_RATE=f"{LOGIN_LIMIT}/min")


def test_a_burst_of_thirty_wrong_logins_gets_at_most_the_limit_through(server):
    body = {"username": "nobody", "password": "wrong"}

    def attempt(_):
        return requests.post(f"{server.url}/api/auth/login/", json=body, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(attempt, range(30)))
    assert statuses.count(401) == LOGIN_LIMIT, statuses
    assert statuses.count(429) == 30 - LOGIN_LIMIT, statuses


def test_a_post_without_its_slash_is_redirected_with_its_body_and_written_once(server):
    token = register(server.url)["token"]
    headers = {"Authorization": f"Token {token}"}
    response = requests.post(
        f"{server.url}/api/customers", json={"name": "Anita"}, headers=headers, timeout=10
    )
    assert response.status_code == 201
    assert [r.status_code for r in response.history] == [308]
    listed = requests.get(f"{server.url}/api/customers/", headers=headers, timeout=10).json()
    assert [c["name"] for c in listed["results"]] == ["Anita"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("[" * 50_000 + "]" * 50_000, "application/json", 400),
        ('{"name": 1e999999999}', "application/json", 400),
        ('{"name": "x", "email": "' + "a" * 3_000_000 + '"}', "application/json", 413),
    ],
)
def test_hostile_bodies_are_json_4xx_over_http(server, body, content_type, status):
    token = register(server.url)["token"]
    response = requests.post(
        f"{server.url}/api/customers/",
        data=body.encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": content_type},
        timeout=30,
    )
    assert response.status_code == status
    assert "detail" in response.json() or "name" in response.json()


def test_a_multipart_body_over_the_limit_is_a_json_413(server):
    token = register(server.url)["token"]
    response = requests.post(
        f"{server.url}/api/customers/",
        data={"name": "x"},
        files={"f": ("big.bin", b"x" * 3_000_000)},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    assert response.status_code == 413
    assert json.loads(response.content)["detail"]
