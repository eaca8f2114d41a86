"""Measure what the per-request user lookup of JWT authentication costs, against a stateless token.

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
        from tests.factories import access_token, make_user

        user = make_user("bench")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
        variants = {
            "lookup (JWTAuthentication)": (
                "rest_framework_simplejwt.authentication.JWTAuthentication"
            ),
            "stateless (JWTStatelessUserAuthentication)": (
                "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication"
            ),
        }
        from django.utils.module_loading import import_string

        results = {}
        for name, path in variants.items():
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
            print(f"{name:45} {micros:8.0f} µs/request  {count} queries/request")
        lookup, stateless = (value[0] for value in results.values())
        print(f"lookup costs {lookup - stateless:.0f} µs/request ({lookup / stateless:.2f}x)")
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
