"""make bench's scale part: a small book's summary, entry list and posting on a nearly empty
database, then again after 100,000 other books with 10,000,000 entries are loaded beside it.

Run under scripts/with-citus (a coordinator and two workers, 32 shards) and under
scripts/with-postgres, on the same data; each run writes bench-results/scale-<kind>.json, and
the second prints both side by side. The target: after / before >= 0.8 for each workload.

The load is SQL, not the API (the API's own import is measured by bench/run.py): users, books
and memberships as INSERT ... SELECT, customers likewise, and the entries in statements of a
million rows, each through the ledger's trigger, which keeps every customer's totals, days and
dues as a posting does. On Citus the entries' INSERT ... SELECT runs on the shards themselves
(customers and entries are colocated by book), so the workers load in parallel.

Run: .venv/bin/python bench/scale.py [--books N] [--entries-per-customer N] [--seconds S]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_project.test_settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
import requests  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402

from bench.run import POST_SCRIPT, RESULTS, drain, median_round, wrk  # noqa: E402
from tests.live.server import FreshDatabase, LiveServer, register  # noqa: E402

CUSTOMERS_PER_BOOK = 2
CHUNK_BOOKS = 10_000  # books per INSERT of entries: 1,000,000 rows with the defaults


def load(database_url: str, books: int, per_customer: int) -> dict:
    """Load `books` books, each with an owner and CUSTOMERS_PER_BOOK customers of
    `per_customer` entries (half credits, half payments, over two years); answer the times."""
    password = make_password("a-long-live-password-9")
    times = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                                       email, is_staff, is_active, date_joined)
            SELECT %s, false, 'scale' || n, '', '', '', false, true, now()
            FROM generate_series(1, %s) AS n
            """,
            [password, books],
        )
        conn.execute(
            """
            INSERT INTO books_book (name, address, phone, email, currency, locale, time_zone,
                                    payment_details, created_at, updated_at)
            SELECT 'Scale ' || n, '', '', '', 'INR', 'en', 'Asia/Kolkata', '', now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [books],
        )
        conn.execute(
            """
            INSERT INTO books_membership (book_id, user_id, email, role, status, is_default,
                                          created_at, updated_at)
            SELECT b.id, u.id, '', 'owner', 'active', true, now(), now()
            FROM books_book b JOIN accounts_user u ON u.username = 'scale' || substr(b.name, 7)
            WHERE b.name LIKE 'Scale %%'
            """
        )
        conn.execute(
            """
            INSERT INTO customers_customer (book_id, name, phone, address, email, created_at,
                updated_at, kind, credit_limit_policy, payment_terms_days, locale,
                reminders_enabled, total_credit, total_debit, entry_count)
            SELECT b.id, 'Customer ' || k, '', '', '', now(), now(), 'customer', 'warn', 0, '',
                   true, 0, 0, 0
            FROM books_book b, generate_series(1, %s) AS k
            WHERE b.name LIKE 'Scale %%'
            """,
            [CUSTOMERS_PER_BOOK],
        )
        times["books, users, customers (s)"] = round(time.perf_counter() - started, 1)
        first, last = conn.execute(
            "SELECT min(id), max(id) FROM books_book WHERE name LIKE 'Scale %'"
        ).fetchone()
        started = time.perf_counter()
        for low in range(first, last + 1, CHUNK_BOOKS):
            conn.execute(
                """
                INSERT INTO ledger_entry (book_id, created_by_id, customer_id, type, amount, note,
                                          entry_date, created_at)
                SELECT c.book_id, m.user_id, c.id,
                       CASE WHEN n %% 2 = 0 THEN 'credit' ELSE 'debit' END,
                       CASE WHEN n %% 2 = 0 THEN 1000 + (c.id * 7 + n) %% 90000 ELSE 900 END,
                       '', current_date - (730 - n * 730 / %s), now()
                FROM customers_customer c
                JOIN books_membership m ON m.book_id = c.book_id AND m.is_default
                CROSS JOIN generate_series(0, %s - 1) AS n
                WHERE c.book_id BETWEEN %s AND %s
                """,
                [per_customer, per_customer, low, min(low + CHUNK_BOOKS - 1, last)],
            )
            print(f"  books {low}..{low + CHUNK_BOOKS - 1} loaded", file=sys.stderr, flush=True)
        times["entries (s)"] = round(time.perf_counter() - started, 1)
        conn.execute("ANALYZE")
        times["entries"] = conn.execute(
            "SELECT sum(entry_count)::bigint FROM customers_customer"
        ).fetchone()[0]
    return times


def measure(server, small: dict, seconds: int, rounds: int) -> dict:
    """The floor and the small book's three workloads, median of `rounds` rounds each. The
    postings go to a second customer of the book, so the one read stays as it was."""
    auth = f"Token {small['token']}"
    body = json.dumps({"type": "credit", "amount": "12.34", "note": "scale"})
    path = f"/api/customers/{small['writes']}/entries/"
    workloads = {
        "me (floor)": ("/api/auth/me/", None),
        "summary": (f"/api/customers/{small['customer']}/summary/", None),
        "entry list": (f"/api/entries/?customer={small['customer']}", None),
        "POST entry": (
            path,
            POST_SCRIPT % {"auth": auth, "idempotent": "false", "path": path, "body": body},
        ),
    }
    runs = {name: [] for name in workloads}
    for number in range(rounds):
        for name, (url_path, script) in workloads.items():
            drain(server.url)
            script = script and script.replace("%(run)s", f"{number}")
            runs[name].append(wrk(f"{server.url}{url_path}", auth, seconds, script))
    return {name: median_round(done) for name, done in runs.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--entries-per-customer", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    kind = "citus" if os.environ.get("CITUS_NODES") else "postgresql"
    database = FreshDatabase.create()
    server = LiveServer(database_url=database.url, workers=2, extra_env={"JOB_WORKERS": "0"})
    try:
        server.migrate()
        server.start()
        merchant = register(server.url)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {merchant['token']}"
        customer = api.post(f"{server.url}/api/customers/", json={"name": "Small"}, timeout=30)
        writes = api.post(f"{server.url}/api/customers/", json={"name": "Writes"}, timeout=30)
        small = {
            "token": merchant["token"],
            "customer": customer.json()["id"],
            "writes": writes.json()["id"],
        }
        for n in range(20):
            api.post(
                f"{server.url}/api/customers/{small['customer']}/entries/",
                json={"type": "credit" if n % 2 else "debit", "amount": f"{n + 1}.00"},
                timeout=30,
            ).raise_for_status()
        with psycopg.connect(database.url, autocommit=True) as conn:
            conn.execute("ANALYZE")  # the planner's figures, as after the load
        print(f"scale ({kind}): measuring the nearly empty database", file=sys.stderr, flush=True)
        before = measure(server, small, args.seconds, args.rounds)
        print(f"scale ({kind}): loading {args.books:,} books", file=sys.stderr, flush=True)
        loaded = load(database.url, args.books, args.entries_per_customer)
        print(f"scale ({kind}): measuring beside them", file=sys.stderr, flush=True)
        after = measure(server, small, args.seconds, args.rounds)
    finally:
        server.stop()
        database.drop()
    result = {
        "database": kind,
        "books": args.books,
        "load": loaded,
        "before": before,
        "after": after,
        "after / before": {
            name: round(after[name]["requests_per_second"] / before[name]["requests_per_second"], 2)
            for name in before
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scale-{kind}.json").write_text(json.dumps(result, indent=2))
    report()


def report():
    """Print every scale result on file, side by side."""
    results = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("scale-*.json"))]
    print(f"\nMini Ledger at scale: a small book beside {results[0]['books']:,} others")
    header = "| workload | " + " | ".join(
        f"{r['database']}: before, after req/s (p99 ms) | after/before" for r in results
    )
    print(header + " |")
    print("|---" * (1 + 2 * len(results)) + "|")
    for name in results[0]["before"]:
        cells = []
        for r in results:
            b, a = r["before"][name], r["after"][name]
            ratio = r["after / before"][name]
            mark = "" if name.startswith("me") else (" ✓" if ratio >= 0.8 else " ✗")
            cells.append(
                f"{b['requests_per_second']:.0f}, {a['requests_per_second']:.0f} "
                f"({a['p99_ms']:.0f}) | {ratio:.2f}{mark}"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")
    for r in results:
        print(
            f"{r['database']}: load {r['load']}; non-2xx "
            f"{sum(w['non_2xx'] for w in (*r['before'].values(), *r['after'].values()))}"
        )


if __name__ == "__main__":
    main()
