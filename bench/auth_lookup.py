"""Measure what the per-request session lookup of authentication costs, against a stateless JWT.

Run: .venv/bin/python bench/auth_lookup.py  (in-process, SQLite or DATABASE_URL; prints figures)
"""

import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_project.test_settings")

import django

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.views import MeView  # noqa: E402

ROUNDS, REQUESTS = 5, 400


def _record(queries, run, sql, *args):
    queries.append(sql)
    return run(sql, *args)


def main():
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.services import start_session
        from tests.factories import make_user

        session = start_session(make_user("bench"))
        bearer, token = f"Bearer {session['access']}", f"Token {session['token']}"
        variants = {
            "session JWT (SessionJWTAuthentication)": (
                "accounts.authentication.SessionJWTAuthentication",
                bearer,
            ),
            "opaque token (TokenAuthentication)": (
                "accounts.authentication.TokenAuthentication",
                token,
            ),
            "stateless JWT (JWTStatelessUserAuthentication)": (
                "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication",
                bearer,
            ),
        }
        from django.utils.module_loading import import_string

        results = {}
        for name, (path, header) in variants.items():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=header)
            MeView.authentication_classes = [import_string(path)]
            queries = []
            with connection.execute_wrapper(partial(_record, queries)):
                client.get("/api/auth/me/")
            timings = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                for _ in range(REQUESTS):
                    client.get("/api/auth/me/")
                timings.append((time.perf_counter() - start) / REQUESTS * 1e6)
            results[name] = (statistics.median(timings), len(queries))
        for name, (micros, count) in results.items():
            print(f"{name:50} {micros:8.0f} µs/request  {count} queries/request")
        jwt, token, stateless = (value[0] for value in results.values())
        print(f"the session lookup costs {jwt - stateless:.0f} µs/request ({jwt / stateless:.2f}x)")
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
