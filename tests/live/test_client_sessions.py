"""Earlier clients on a real gunicorn server, through sessions that outlive the access token.

Access tokens live two seconds here, so each session crosses several expiries: a v1 client
refreshes with the same refresh token every time, a v2 client never refreshes at all.
"""

import time

import pytest
import requests

pytestmark = pytest.mark.live
PASSWORD = "khata-password-2026"
ACCESS_SECONDS = 2


@pytest.fixture(scope="module")
def server(live_server_module_factory):
    return live_server_module_factory(JWT_ACCESS_SECONDS=str(ACCESS_SECONDS))


def call(server, method, path, token=None, keyword="Bearer", **kwargs):
    headers = {"Authorization": f"{keyword} {token}"} if token else {}
    return requests.request(method, f"{server.url}{path}", headers=headers, timeout=10, **kwargs)


def test_a_v1_client_refreshes_with_one_refresh_token_across_many_expiries(server):
    assert call(server, "post", "/app/register/", json={"username": "v1", "password": PASSWORD}).ok
    tokens = call(server, "post", "/api/token/", json={"username": "v1", "password": PASSWORD})
    refresh, access = tokens.json()["refresh"], tokens.json()["access"]
    customer = call(server, "post", "/app/customers/", access, json={"name": "Ramesh"}).json()

    for round_ in range(3):
        time.sleep(ACCESS_SECONDS + 0.5)
        assert call(server, "get", "/app/customers/", access).status_code == 401, round_
        refreshed = call(server, "post", "/api/token/refresh/", json={"refresh": refresh})
        assert refreshed.status_code == 200, refreshed.text
        access = refreshed.json()["access"]
        entry = {"customer": customer["id"], "type": "credit", "amount": "10.00"}
        assert call(server, "post", "/app/entries/", access, json=entry).status_code == 201

    summery = call(server, "get", f"/app/customers/{customer['id']}/summery/", access).json()
    assert summery["balance"] == "30.00"
    assert (
        call(server, "post", "/api/auth/logout/", access, json={"refresh": refresh}).status_code
        == 205
    )
    assert call(server, "get", "/app/customers/", access).status_code == 401
    assert call(server, "post", "/api/token/refresh/", json={"refresh": refresh}).status_code == 401


def test_a_v2_client_keeps_its_token_past_every_access_expiry(server):
    registered = call(
        server, "post", "/api/auth/register/", json={"username": "v2", "password": PASSWORD}
    ).json()
    login = call(server, "post", "/api/auth/login/", json={"username": "v2", "password": PASSWORD})
    for token in (registered["token"], login.json()["token"]):
        customer = call(server, "post", "/api/customers/", token, "Token", json={"name": "Anita"})
        assert customer.status_code == 201
    time.sleep(ACCESS_SECONDS * 2 + 0.5)
    token = login.json()["token"]
    assert call(server, "get", "/api/auth/me/", login.json()["access"]).status_code == 401
    customer_id = customer.json()["id"]
    entries = f"/api/customers/{customer_id}/entries/"
    assert call(server, "post", entries, token, "Token", json={"type": "credit", "amount": "50"}).ok
    summary = call(server, "get", f"/api/customers/{customer_id}/summary/", token, "Token").json()
    assert summary["balance"] == "50.00"

    assert call(server, "post", "/api/auth/logout/", token, "Token").status_code == 205
    assert call(server, "get", "/api/customers/", token, "Token").status_code == 401
    assert call(server, "get", "/api/customers/", registered["token"], "Token").status_code == 200
