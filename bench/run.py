"""make bench: the API under load on a real gunicorn server, with targets as ratios measured
in one run (these machines are shared and noisy; absolute numbers move, ratios much less).

Starts gunicorn (2 workers, production settings) on a fresh database (SQLite; PostgreSQL with
DATABASE_URL, e.g. under scripts/with-postgres), imports 1,000,000 entries into one customer
through the import route and posts 10 to another, then drives each workload with wrk at 16
connections from a second process, in rounds over every workload. Prints requests/s, p50, p99
and non-2xx per workload (its median round), the import rate and the server's peak memory, and
each target as met or not: a ratio to the floor taken within each round, median over rounds.
Writes it all to bench-results/latest-<database>.json.

Run: make bench   (or .venv/bin/python bench/run.py [--rows N] [--seconds S])
"""

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_project.test_settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402

from tests.live.server import FreshDatabase, LiveServer, register  # noqa: E402

RESULTS = ROOT / "bench-results"
CONNECTIONS = 16
DAYS = 3652  # ten years of history for the big customer, up to yesterday
FIRST_DAY = date.today() - timedelta(days=DAYS)
MONTH = ("2024-03-01", "2024-03-31")


def write_history(rows: int) -> Path:
    """A CSV of `rows` entries spread evenly over ten years, half of them credits (falling due
    by the customer's 30-day terms) and half payments, of like amounts: payments spread through
    the history, what is open a moving few."""
    rng = random.Random(1)
    path = Path(tempfile.mkstemp(prefix="bench-", suffix=".csv")[1])
    with path.open("w") as out:
        out.write("type,amount,entry_date,note\n")
        for n in range(rows):
            kind = "credit" if rng.random() < 0.5 else "debit"
            day = FIRST_DAY + timedelta(days=n * DAYS // rows)
            out.write(f"{kind},{rng.randint(1, 999_999) / 100:.2f},{day},entry {n}\n")
    return path


def month_of(history: Path) -> str:
    """The rows of `history` dated in MONTH, as a CSV with its header."""
    with history.open() as rows:
        header = next(rows)
        return header + "".join(row for row in rows if MONTH[0] <= row.split(",")[2] <= MONTH[1])


def statement_path(customer: int) -> str:
    return f"/api/customers/{customer}/statement/?start_date={MONTH[0]}&end_date={MONTH[1]}"


def server_processes(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [master, *(int(pid) for pid in children.read_text().split())]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class MemoryWatch:
    """Sample every server process's resident memory until stopped; keep the peak of each."""

    def __init__(self, master: int):
        self.master, self.peak, self.done = master, {}, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while not self.done.wait(0.1):
            for pid in server_processes(self.master):
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    @property
    def worst(self) -> float:
        return max(self.peak.values(), default=0.0)


POST_SCRIPT = """
-- tid is a global that setup() gives each thread (a local here would hide it).
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "%(auth)s"}
  if %(idempotent)s then
    headers["Idempotency-Key"] = "bench-%%(run)s-" .. tid .. "-" .. counter
  end
  return wrk.format("POST", "%(path)s", headers, '%(body)s')
end
"""


# The first page of a month-long statement of the big customer, a window no request of this run
# asked for before (threads interleave, rounds start 1,000 days apart): nothing is kept between
# requests, and this shows it.
NEW_WINDOW_SCRIPT = """
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local first = %(first)d + ((%%(run)s * 1000 + counter * 2 + tid) %% %(span)d) * 86400
  local query = "?start_date=" .. os.date("!%%Y-%%m-%%d", first)
    .. "&end_date=" .. os.date("!%%Y-%%m-%%d", first + 30 * 86400)
  return wrk.format("GET", "%(path)s" .. query)
end
"""


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(
    url: str, auth: str, seconds: int, script: str | None = None, connections: int = CONNECTIONS
) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",
        "-H",
        f"Authorization: {auth}",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
            command += ["-s", lua.name]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    if not re.search(r"^\s+50%\s+[\d.]+(us|ms|s|m)\s*$", output, re.MULTILINE):
        raise RuntimeError(f"wrk measured nothing for {url}:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        "p99_ms": to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def wait_for_job(session, url: str, timeout: float = 900) -> dict:
    """Poll a job until it has finished; answer it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = session.get(url, timeout=30).json()
        if job["status"] not in {"queued", "running"}:
            return job
        time.sleep(0.2)
    raise TimeoutError(f"job {url} still running after {timeout} s")


def drain(base_url: str):
    """Wait until the server answers a health check quickly: nothing left queued from the last
    workload."""
    for _ in range(100):
        started = time.perf_counter()
        requests.get(f"{base_url}/healthz", timeout=60)
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.2)


def latencies(calls: list[tuple[float, int]], seconds: float) -> dict:
    """Timed calls as a workload's figures: rate, p50 and p99, and the answers that were not
    2xx."""
    times = sorted(elapsed for elapsed, _ in calls)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "requests_per_second": len(calls) / seconds,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": times[-1] * 1000,
        "requests": len(calls),
        "non_2xx": sum(1 for _, status in calls if not 200 <= status < 300),
        "socket_errors": 0,
    }


def median_round(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda run: run["requests_per_second"])
    middle = dict(ordered[len(ordered) // 2])
    middle["non_2xx"] = sum(run["non_2xx"] for run in runs)
    middle["socket_errors"] = sum(run["socket_errors"] for run in runs)
    middle["rounds_requests_per_second"] = [run["requests_per_second"] for run in runs]
    return middle


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=6, help="per workload and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    database = FreshDatabase.create()
    server = LiveServer(
        database_url=database.url,
        extra_env={
            "GUNICORN_ACCESS_LOG": "0",
            "JWT_ACCESS_SECONDS": "3600",
            "DJANGO_LOG_LEVEL": "WARNING",
        },
    )
    kind = "postgresql" if database.url.startswith("postgres") else "sqlite"
    history = write_history(args.rows)
    try:
        server.migrate()
        server.start()
        with MemoryWatch(server.process.pid) as memory:
            token = register(server.url)["access"]
            auth = f"Bearer {token}"
            session = requests.Session()
            session.headers["Authorization"] = auth

            def customer(name, **terms):
                made = session.post(f"{server.url}/api/customers/", json={"name": name, **terms})
                return made.json()["id"]

            # Dues: the big customer on 30-day terms; the one every POST entry writes to with
            # terms and a limit (block, never reached) checked in each posting's transaction.
            big, small = customer("Big", payment_terms_days=30), customer("Small")
            writes = customer(
                "Writes",
                payment_terms_days=30,
                credit_limit="999999999999.99",
                credit_limit_policy="block",
            )
            one_month = customer("One month")
            # The write floor's customers go into a second book, so the first book's customer
            # list stays the few above (its ordering by what is overdue is measured).
            floor_book = session.post(
                f"{server.url}/api/books/", json={"name": "Write floor"}
            ).json()["id"]
            # Another merchant, reading and writing their own book while the big import runs.
            neighbour = f"Bearer {register(server.url)['access']}"
            theirs = session.post(
                f"{server.url}/api/customers/",
                json={"name": "Neighbour's customer"},
                headers={"Authorization": neighbour},
            ).json()["id"]
            started = time.perf_counter()
            with history.open("rb") as body:
                imported = session.post(
                    f"{server.url}/api/customers/{big}/entries/import/",
                    data=body,
                    headers={"Content-Type": "text/csv"},
                    timeout=900,
                )
            # A file this big is imported by a job: the import ends when the job does.
            assert imported.status_code == 202, imported.text[:300]
            # Another merchant's clients, 4 reading and 4 writing, each timing every request
            # until the import has finished (its last step, publishing the rows as entries at
            # once, included): a stall of any length is in the figures.
            import_done = threading.Event()
            neighbour_calls = {
                "another merchant's summary, during the import": lambda http: http.get(
                    f"{server.url}/api/customers/{theirs}/summary/", timeout=120
                ),
                "another merchant's POST entry, during the import": lambda http: http.post(
                    f"{server.url}/api/customers/{theirs}/entries/",
                    json={"type": "credit", "amount": "1.00"},
                    timeout=120,
                ),
            }
            timings: dict[str, list[tuple[float, int]]] = {name: [] for name in neighbour_calls}

            def neighbour_client(name):
                http = requests.Session()
                http.headers["Authorization"] = neighbour
                while not import_done.is_set():
                    began = time.perf_counter()
                    status = neighbour_calls[name](http).status_code
                    timings[name].append((time.perf_counter() - began, status))

            threads = [
                threading.Thread(target=neighbour_client, args=(name,))
                for name in neighbour_calls
                for _ in range(4)
            ]
            clients_started = time.perf_counter()
            for thread in threads:
                thread.start()
            job = wait_for_job(session, imported.headers["Location"])
            import_seconds = time.perf_counter() - started
            import_done.set()
            for thread in threads:
                thread.join()
            measured = time.perf_counter() - clients_started
            during_results = {name: latencies(calls, measured) for name, calls in timings.items()}
            assert job["status"] == "succeeded", job
            # The control for the statement: the same month's entries, with no other history.
            month_rows = month_of(history)
            month = session.post(
                f"{server.url}/api/customers/{one_month}/entries/import/",
                data=month_rows.encode(),
                headers={"Content-Type": "text/csv"},
                timeout=300,
            )
            month.raise_for_status()
            if month.status_code == 202:
                wait_for_job(session, month.headers["Location"])
            month_lines = month_rows.count("\n") - 1
            # The longest PDF statement there is (STATEMENT_PDF_MAX_ENTRIES, 10,000 lines), once.
            days = int(10_000 / (args.rows / DAYS)) - 1
            window = f"start_date=2020-03-01&end_date={date(2020, 3, 1) + timedelta(days=days)}"
            pdf_url = f"{server.url}/api/customers/{big}/statement/?{window}"
            pdf_lines = session.get(pdf_url, timeout=60).json()["entry_count"]
            began = time.perf_counter()
            pdf = session.get(f"{pdf_url}&format=pdf", timeout=120)
            pdf_seconds = time.perf_counter() - began
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:300]
            # Exports: the biggest that streams at once (EXPORT_SYNC_MAX_ROWS, 100,000 rows),
            # and the whole book's, made by a job and downloaded.
            days = int(100_000 / (args.rows / DAYS)) - 1
            window = f"start_date=2020-03-01&end_date={date(2020, 3, 1) + timedelta(days=days)}"
            began = time.perf_counter()
            streamed = session.get(f"{server.url}/api/entries/?format=csv&{window}", timeout=300)
            stream_seconds = time.perf_counter() - began
            assert streamed.status_code == 200, streamed.text[:300]
            stream_rows = streamed.content.count(b"\n") - 1
            began = time.perf_counter()
            export = session.get(f"{server.url}/api/entries/?format=csv", timeout=300)
            assert export.status_code == 202, export.text[:300]
            export_job = wait_for_job(session, export.headers["Location"])
            download = session.get(export_job["result_url"], timeout=300)
            export_seconds = time.perf_counter() - began
            export_rows = download.content.count(b"\n") - 1
            assert export_rows == export_job["result"]["rows"] >= args.rows, export_job
            month_bytes = len(session.get(f"{server.url}{statement_path(big)}", timeout=60).content)
            for n in range(10):
                session.post(
                    f"{server.url}/api/customers/{small}/entries/",
                    json={"type": "credit", "amount": f"{n + 1}.00"},
                ).raise_for_status()

            body = json.dumps({"type": "credit", "amount": "12.34", "note": "bench"})
            path = f"/api/customers/{writes}/entries/"
            customer_body = json.dumps({"name": "Bench customer"})
            floor_path = f"/api/books/{floor_book}/customers/"
            workloads = {
                "me (floor)": ("/api/auth/me/", None),
                "POST customer (write floor)": (
                    floor_path,
                    POST_SCRIPT
                    % {
                        "auth": auth,
                        "idempotent": "false",
                        "path": floor_path,
                        "body": customer_body,
                    },
                ),
                "summary, 10 entries": (f"/api/customers/{small}/summary/", None),
                "summary, 1M entries": (f"/api/customers/{big}/summary/", None),
                "entry list, 1M": (f"/api/entries/?customer={big}", None),
                "entry list, 1M, type+dates": (
                    f"/api/entries/?customer={big}&type=credit&start_date={MONTH[0]}"
                    f"&end_date={MONTH[1]}",
                    None,
                ),
                "statement, 1 month of 1M": (statement_path(big), None),
                "statement, 1M, first page of a new 31-day window each time": (
                    f"/api/customers/{big}/statement/",
                    NEW_WINDOW_SCRIPT
                    % {
                        "first": datetime.combine(FIRST_DAY, datetime.min.time(), UTC).timestamp(),
                        "span": DAYS - 31,
                        "path": f"/api/customers/{big}/statement/",
                    },
                ),
                "statement, same month, no other history": (statement_path(one_month), None),
                "ageing, 1M entries": (f"/api/customers/{big}/ageing/", None),
                "ageing, 1M entries, as of a year ago": (
                    f"/api/customers/{big}/ageing/?as_of={date.today() - timedelta(days=365)}",
                    None,
                ),
                "customer list by overdue": ("/api/customers/?ordering=-overdue", None),
                "POST entry": (
                    path,
                    POST_SCRIPT % {"auth": auth, "idempotent": "false", "path": path, "body": body},
                ),
                "POST entry, Idempotency-Key": (
                    path,
                    POST_SCRIPT % {"auth": auth, "idempotent": "true", "path": path, "body": body},
                ),
            }
            # Rounds over every workload, keeping each one's median round: a burst of noise on
            # a shared machine then moves one round of one workload, not the ratios.
            rounds: dict[str, list[dict]] = {name: [] for name in workloads}
            for round_number in range(args.rounds):
                for name, (url_path, script) in workloads.items():
                    drain(server.url)
                    script = script and script.replace("%(run)s", f"{round_number}")
                    rounds[name].append(wrk(f"{server.url}{url_path}", auth, args.seconds, script))
                print(
                    f"  round {round_number + 1} of {args.rounds} done", file=sys.stderr, flush=True
                )
            results = {name: median_round(runs) for name, runs in rounds.items()}
        peak_rss = memory.worst
    finally:
        server.stop()
        database.drop()
        history.unlink()

    import_rate = args.rows / import_seconds

    def ratio(name: str, to: str = "me (floor)") -> float:
        """The median over rounds of name's rate / to's rate in the same round: the host's
        speed drifts between rounds (this shared machine's floor moved 1,050-1,800 req/s in one
        run), and a round's workloads share its weather."""
        pairs = zip(rounds[name], rounds[to], strict=True)
        return statistics.median(
            run["requests_per_second"] / base["requests_per_second"] for run, base in pairs
        )

    write_floor = "POST customer (write floor)"
    new_window = "statement, 1M, first page of a new 31-day window each time"
    list_target = 0.4 if kind == "postgresql" else 0.45
    write_p99_limit = 1000 if kind == "postgresql" else 3000  # ms
    targets = [
        (
            "summary 1M >= 0.9 x summary 10",
            ratio("summary, 1M entries", "summary, 10 entries"),
            0.9,
        ),
        ("summary 1M >= 0.75 x floor", ratio("summary, 1M entries"), 0.75),
        (f"entry list 1M >= {list_target} x floor", ratio("entry list, 1M"), list_target),
        ("entry list 1M, type+dates >= 0.3 x floor", ratio("entry list, 1M, type+dates"), 0.3),
        ("statement, a new window's first page >= 0.4 x floor", ratio(new_window), 0.4),
        ("ageing 1M >= 0.3 x floor", ratio("ageing, 1M entries"), 0.3),
        ("customer list by overdue >= 0.3 x floor", ratio("customer list by overdue"), 0.3),
        ("POST entry >= 0.7 x write floor", ratio("POST entry", write_floor), 0.7),
        (
            "POST entry, limit and terms, >= 0.6 x write floor",
            ratio("POST entry", write_floor),
            0.6,
        ),
        (
            "POST entry with key >= 0.6 x write floor",
            ratio("POST entry, Idempotency-Key", write_floor),
            0.6,
        ),
        ("import >= 60,000 rows/s", import_rate, 60_000),
        (
            "import through its job, beside another merchant's load, >= 50,000 rows/s",
            import_rate,
            50_000,
        ),
        (
            "another merchant's reads during the import: p99 < 1 s",
            1000,
            during_results["another merchant's summary, during the import"]["p99_ms"],
        ),
        (
            f"another merchant's writes during the import: p99 < {write_p99_limit / 1000:.0f} s",
            write_p99_limit,
            during_results["another merchant's POST entry, during the import"]["p99_ms"],
        ),
        (f"a PDF statement of {pdf_lines:,} lines in < 5 s", 5, pdf_seconds),
        (
            f"a CSV export of {stream_rows:,} rows (streamed at once) in < 2 s",
            2,
            stream_seconds,
        ),
        (
            "a CSV export through its job, downloaded, >= 100,000 rows/s",
            export_rows / export_seconds,
            100_000,
        ),
        ("server peak RSS <= 250 MB", 250, peak_rss),
        (
            "zero non-2xx",
            -sum(
                r["non_2xx"] + r["socket_errors"]
                for r in [*results.values(), *during_results.values()]
            ),
            0,
        ),
    ]

    print(
        f"\nMini Ledger benchmark: {kind}, gunicorn 2 workers, wrk {CONNECTIONS} connections, "
        f"median of {args.rounds} rounds of {args.seconds} s, {args.rows:,} entries; "
        f"{platform.node()}, "
        f"{os.cpu_count()} cores"
    )

    def floor_of(name: str) -> str:
        return write_floor if name.startswith("POST entry") else "me (floor)"

    print("\n| workload | req/s | x floor | p50 ms | p99 ms | non-2xx |\n|---|---|---|---|---|---|")
    for name, result in results.items():
        print(
            f"| {name} | {result['requests_per_second']:,.0f} | "
            f"{ratio(name, floor_of(name)):.2f} | {result['p50_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['non_2xx'] + result['socket_errors']} |"
        )
    print(
        "\nWhile the import ran (through its job), another merchant, 4 clients each, every "
        "request timed:\n\n| workload | req/s | p50 ms | p99 ms | max ms | non-2xx |"
        "\n|---|---|---|---|---|---|"
    )
    for name, result in during_results.items():
        print(
            f"| {name} | {result['requests_per_second']:,.0f} | {result['p50_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['max_ms']:.0f} | {result['non_2xx']} |"
        )
    print(f"\nPDF statement: {pdf_lines:,} lines in {pdf_seconds:.2f} s")
    print(
        f"CSV export: {stream_rows:,} rows streamed at once in {stream_seconds:.2f} s; "
        f"{export_rows:,} rows through a job and downloaded in {export_seconds:.1f} s = "
        f"{export_rows / export_seconds:,.0f} rows/s"
    )
    print(
        f"import: {args.rows:,} rows in {import_seconds:.1f} s = {import_rate:,.0f} rows/s; "
        f"server peak RSS {peak_rss:.0f} MB"
    )
    history_cost = ratio("statement, same month, no other history", "statement, 1 month of 1M")
    print(
        f"statement: a month of {month_lines:,} lines, its first page {month_bytes / 1e3:.1f} kB "
        f"of JSON; the same month without the other {args.rows - month_lines:,} entries of "
        f"history runs at {history_cost:.2f} x the 1M customer's rate (1.00: history costs "
        f"nothing); POST rates are against the write floor, every other against the read floor\n"
    )
    met_all = True
    for label, value, needed in targets:
        met = value >= needed
        met_all &= met
        print(f"  {'met    ' if met else 'NOT met'}  {label}")
    RESULTS.mkdir(exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "machine": {"node": platform.node(), "cores": os.cpu_count()},
        "rows": args.rows,
        "seconds_per_round": args.seconds,
        "rounds": args.rounds,
        "connections": CONNECTIONS,
        "workloads": results,
        "during_import": during_results,
        "import_rows_per_second": import_rate,
        "statement_lines": month_lines,
        "statement_bytes": month_bytes,
        "pdf_lines": pdf_lines,
        "pdf_seconds": pdf_seconds,
        "export_streamed": {"rows": stream_rows, "seconds": stream_seconds},
        "export_through_job": {"rows": export_rows, "seconds": export_seconds},
        "server_peak_rss_mb": peak_rss,
        "ratios_to_floor": {name: ratio(name, floor_of(name)) for name in results},
        "targets": [
            {"target": label, "value": value, "met": value >= needed}
            for label, value, needed in targets
        ],
    }
    (RESULTS / f"latest-{kind}.json").write_text(json.dumps(report, indent=2))
    print(f"\nfigures: {RESULTS / f'latest-{kind}.json'}; all targets met: {met_all}")


if __name__ == "__main__":
    main()
