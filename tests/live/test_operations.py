"""A real gunicorn server: health when the database is down, throttles shared by all workers."""

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


def test_login_throttle_holds_across_worker_processes(start_server):
    server = start_server(workers=2, THROTTLE_LOGIN_RATE="3/min")
    statuses = []
    for _ in range(24):
        # A new connection each time, so the kernel hands requests to either worker.
        response = requests.post(
            f"{server.url}/api/auth/login/",
            json={"username": "nobody", "password": "wrong"},
            headers={"Connection": "close"},
            timeout=10,
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}
    # Both workers answered, so a per-process counter would have let 6 through.
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
