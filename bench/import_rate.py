"""Import 1,000,000 rows through POST /api/customers/{id}/entries/import/ on a real gunicorn
server (2 workers, production settings, a fresh database) and print rows/s and the workers' peak
memory. SQLite by default; set DATABASE_URL (or run under scripts/with-postgres) for PostgreSQL.

Run: .venv/bin/python bench/import_rate.py [ROWS]
"""

import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_project.test_settings")

import django

django.setup()

import requests  # noqa: E402

from tests.live.server import FreshDatabase, LiveServer, register  # noqa: E402

TARGET_ROWS_PER_SECOND = 50_000
TARGET_PEAK_RSS_MB = 250


def write_csv(rows: int) -> Path:
    rng = random.Random(1)
    path = Path(tempfile.mkstemp(prefix="import-", suffix=".csv")[1])
    with path.open("w") as out:
        out.write("type,amount,entry_date,note\n")
        for n in range(rows):
            kind = "credit" if rng.random() < 0.6 else "debit"
            out.write(
                f"{kind},{rng.randint(1, 9_999_999) / 100:.2f},2026-{1 + n % 12:02d}-"
                f"{1 + n % 28:02d},row {n}\n"
            )
    return path


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(rows: int):
    database = FreshDatabase.create()
    server = LiveServer(database_url=database.url, extra_env={"GUNICORN_ACCESS_LOG": "0"})
    server.migrate()
    server.start()
    csv_path = write_csv(rows)
    try:
        tokens = register(server.url)
        headers = {"Authorization": f"Bearer {tokens['access']}"}
        customer = requests.post(
            f"{server.url}/api/customers/", json={"name": "Bulk"}, headers=headers, timeout=30
        ).json()["id"]
        workers = children_of(server.process.pid)
        peak = {pid: rss_mb(pid) for pid in workers}
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                for pid in workers:
                    peak[pid] = max(peak[pid], rss_mb(pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.perf_counter()
        with csv_path.open("rb") as body:
            response = requests.post(
                f"{server.url}/api/customers/{customer}/entries/import/",
                data=body,
                headers={**headers, "Content-Type": "text/csv"},
                timeout=600,
            )
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        high_water = max(rss_mb(pid, "VmHWM") for pid in workers)
        assert response.status_code == 201, response.text[:500]
        assert response.json() == {"imported": rows}
        rate = rows / elapsed
        worst = max(max(peak.values()), high_water)
        database_kind = "postgresql" if database.url.startswith("postgres") else "sqlite"
        print(f"database:            {database_kind}")
        print(f"rows:                {rows:,} ({csv_path.stat().st_size / 2**20:.1f} MiB of CSV)")
        print(f"time:                {elapsed:.1f} s")
        met = "met" if rate >= TARGET_ROWS_PER_SECOND else "NOT met"
        print(
            f"import rate:         {rate:,.0f} rows/s (target >= {TARGET_ROWS_PER_SECOND:,}: {met})"
        )
        met = "met" if worst <= TARGET_PEAK_RSS_MB else "NOT met"
        print(f"worker peak RSS:     {worst:.0f} MB (target <= {TARGET_PEAK_RSS_MB}: {met})")
    finally:
        server.stop()
        database.drop()
        csv_path.unlink()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
