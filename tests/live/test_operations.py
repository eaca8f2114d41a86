"""A real gunicorn server: health when the database is down, throttles shared by all workers."""

import json
import socket
import time

import pytest
import requests

from tests.live.server import FreshDatabase, LiveServer

pytestmark = pytest.mark.live


def test_health_check_is_a_json_503_when_the_database_is_unreachable(start_server):
    dead = FreshDatabase(url="postgres://nobody@127.0.0.1:9/ledger", drop=lambda: None)
    server = start_server(database=dead, migrate=False, DATABASE_POOL_TIMEOUT="2")
    response = requests.get(f"{server.url}/healthz", timeout=30)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_errors_are_json_with_debug_off(start_server):
    server = start_server()
    missing = requests.get(f"{server.url}/no/such/page", timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}
    bad_host = requests.get(f"{server.url}/healthz", headers={"Host": "evil.example"}, timeout=10)
    assert bad_host.status_code == 400
    assert bad_host.headers["Content-Type"] == "application/json"


def test_requests_gunicorn_refuses_are_answered_in_json(start_server):
    server = start_server()
    too_long = requests.get(f"{server.url}/api/customers/{'9' * 9000}/", timeout=10)
    assert too_long.status_code == 414
    assert too_long.headers["Content-Type"] == "application/json"
    assert "detail" in too_long.json()
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(b"NOT A REQUEST\r\n\r\n")
        answer = raw.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"application/json" in answer and b'{"detail": ' in answer


def test_login_throttle_holds_across_worker_processes(start_server):
    server = start_server(workers=2, THROTTLE_LOGIN_RATE="3/min")
    body = json.dumps({"username": "nobody", "password": "wrong"}).encode()

    # Occupy one worker with a request whose headers have not all arrived (a sync worker serves
    # one connection at a time and runs the app only once the headers are complete), so every
    # other request goes to the other worker.
    held = socket.create_connection(("127.0.0.1", server.port))
    held.sendall(b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.5)
    statuses = [
        requests.post(
            f"{server.url}/api/auth/login/",
            data=body,
            timeout=10,
            headers={"Content-Type": "application/json"},
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]

    # The held worker has seen none of those, yet it refuses too: the counter is shared.
    held.sendall(
        b"Content-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    answer = b""
    while chunk := held.recv(65536):
        answer += chunk
    held.close()
    assert answer.startswith(b"HTTP/1.1 429"), answer[:200]
    assert b"Retry-After" in answer
    assert len(server.worker_pids_in_log()) == 2, server.log()


def test_production_server_without_a_secret_key_stops_with_one_line(tmp_path):
    import subprocess

    server = LiveServer(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env = server.env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [str(server_bin("gunicorn")), "-c", "gunicorn.conf.py", "ledger_project.wsgi"],
        cwd=server_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def server_bin(name):
    from tests.live.server import VENV_BIN

    return VENV_BIN / name


def server_root():
    from tests.live.server import ROOT

    return ROOT
