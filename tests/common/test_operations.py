"""The foundation: health check, JSON-only errors, settings from the environment, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.update(DJANGO_SETTINGS_MODULE="ledger_project.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_suite_runs_on_the_database_it_was_given():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_health_check_answers_ok_when_the_database_answers(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_unknown_route_is_a_json_404(anon):
    response = anon.get("/no/such/route/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_server_error_handler_answers_json():
    handler = get_resolver().resolve_error_handler(500)
    response = handler(RequestFactory().get("/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_unknown_api_route_under_a_known_prefix_is_a_json_404(client):
    response = client.get("/api/customers/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False


def test_production_start_without_a_secret_key_stops_with_one_line():
    result = run_manage("check")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "DJANGO_SECRET_KEY is not set" in lines[0]


PRODUCTION = {
    "DJANGO_SECRET_KEY": "k" * 20 + "9f8e7d6c5b4a39281706f5e4d3c2b1a0-production-like",
    "DJANGO_ALLOWED_HOSTS": "ledger.example.com",
}
DEPLOY_CHECK = ("check", "--deploy", "--fail-level", "WARNING")


def test_deploy_check_passes_with_production_settings():
    result = run_manage(*DEPLOY_CHECK, **PRODUCTION, DJANGO_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_without_https_settings():
    """The check above is not vacuous: plain-HTTP settings do fail it."""
    result = run_manage(*DEPLOY_CHECK, **PRODUCTION)
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


@pytest.mark.django_db
def test_the_database_is_configured_for_several_workers():
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        # Several writers wait their turn (queued, see common/sqlite) instead of failing, and
        # commits are durable; each worker keeps its connection.
        assert database["ENGINE"] == "common.sqlite"
        assert database["CONN_MAX_AGE"] is None
        assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert database["OPTIONS"]["timeout"] >= 5
        assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
        assert "synchronous=FULL" in database["OPTIONS"]["init_command"]
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    else:
        assert database["ENGINE"].endswith("postgresql")
        assert database["OPTIONS"]["pool"]["max_size"] >= 1
        assert database["CONN_MAX_AGE"] == 0
        assert connection.pool is not None


def real_error(sql: str) -> Exception:
    """The exception the database itself raises for `sql`, through Django's wrappers."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()
    except DatabaseError as exc:
        return exc
    raise AssertionError(f"{sql} did not fail")


@pytest.mark.django_db
def test_a_failing_query_is_not_taken_for_an_outage():
    from django.db import connection

    from common.db import database_unavailable

    overflow = (
        "SELECT SUM(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1) AS t"
        if connection.vendor == "sqlite"
        else "SELECT 9223372036854775807::bigint + 1"
    )
    for sql in [overflow, "SELECT * FROM no_such_table"]:
        assert not database_unavailable(real_error(sql)), sql


def test_a_database_that_cannot_be_reached_is_an_outage(tmp_path):
    import sqlite3

    import psycopg
    from django.db import OperationalError

    from common.db import database_unavailable

    def as_django(cause):
        wrapped = OperationalError(str(cause))
        wrapped.__cause__ = cause
        return wrapped

    with pytest.raises(sqlite3.OperationalError) as missing_file:
        sqlite3.connect(f"file:{tmp_path}/missing/db.sqlite3?mode=ro", uri=True)
    with pytest.raises(psycopg.OperationalError) as nobody_listening:
        psycopg.connect("host=127.0.0.1 port=9 dbname=x user=x connect_timeout=2")
    assert database_unavailable(as_django(missing_file.value))
    assert database_unavailable(as_django(nobody_listening.value))
