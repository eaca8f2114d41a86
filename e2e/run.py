"""make e2e: a real gunicorn server (2 workers, production settings) on a fresh database, and
against it the Postman collection (newman), a real browser (Debian's Chromium) and contract
fuzzing (Schemathesis, every default check). Any failure fails the run.

SQLite by default; with DATABASE_URL pointing at PostgreSQL, a fresh database on that server.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_project.test_settings")

import django  # noqa: E402
import requests  # noqa: E402

django.setup()

from standardwebhooks.webhooks import Webhook as Verifier  # noqa: E402

from tests.live.server import VENV_BIN, FreshDatabase, LiveServer, register  # noqa: E402
from tests.mail import Inbox  # noqa: E402
from tests.receiver import Receiver  # noqa: E402

NODE_BIN = ROOT / "e2e" / "node_modules" / ".bin"
SCREENSHOTS = ROOT / "screenshots"
REPORTS = ROOT / ".e2e"
MIN_FUZZ_CASES = 1000
FUZZ_SECONDS = os.environ.get("E2E_FUZZ_SECONDS", "90")


def step(title):
    print(f"\n== {title}", flush=True)


def run(command, check=False, **kwargs):
    print("$ " + " ".join(str(part) for part in command), flush=True)
    return subprocess.run([str(part) for part in command], cwd=ROOT, check=check, **kwargs)


def statement_link(base_url: str, access: str) -> str:
    """A customer who owes something, in a book with a UPI id, and the link to their
    statement page, made through the API."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {access}"
    book = http.get(f"{base_url}/api/auth/me/", timeout=30).json()["default_book"]
    http.patch(
        f"{base_url}/api/books/{book}/",
        json={
            "name": "Asha Stores",
            "address": "12 MG Road, Pune",
            "phone": "+91 20 1234 5678",
            "payment_details": "asha@okbank",
        },
        timeout=30,
    ).raise_for_status()
    customer = http.post(
        f"{base_url}/api/customers/",
        json={"name": "Ravi Kumar", "phone": "+91 98765 43210", "payment_terms_days": 15},
        timeout=30,
    ).json()["id"]
    for body in (
        {"type": "credit", "amount": "1500.00", "entry_date": "2026-01-05", "note": "rice, 20 kg"},
        {"type": "credit", "amount": "250.50", "note": "sugar"},
        {"type": "debit", "amount": "500.00", "note": "UPI"},
    ):
        http.post(
            f"{base_url}/api/customers/{customer}/entries/", json=body, timeout=30
        ).raise_for_status()
    link = http.post(f"{base_url}/api/customers/{customer}/links/", json={}, timeout=30)
    link.raise_for_status()
    return link.json()["url"]


def _saved(environment: Path) -> list[str]:
    """The webhook's secrets the collection saved in its environment (newman's exported copy):
    the first, and the one it was rotated to."""
    try:
        values = json.loads(environment.read_text())["values"]
    except (OSError, ValueError, KeyError):
        return []
    return [v["value"] for v in values if v["key"] in ("hookSecretFirst", "hookSecret")]


def _verifies(secret: str, request) -> bool:
    try:
        Verifier(secret).verify(request.body, request.headers)
    except Exception:
        return False
    return True


def check_deliveries(receiver: Receiver, inbox: Inbox, secrets: list[str]) -> list[str]:
    """What the collection sent beyond the server: the webhook events it made (each signed with
    a secret it saved) and the reminder it mailed. Answer what is wrong."""
    wrong = []
    if not receiver.received or not secrets:
        wrong.append("no webhook reached the receiver, or no secret was saved")
    for request in receiver.received:
        if not any(_verifies(secret, request) for secret in secrets):
            wrong.append(f"a webhook did not verify: {request.headers.get('webhook-id')}")
    if not any(m["To"] == "gupta@example.com" for m in inbox.messages):
        wrong.append("the reminder mail did not reach the SMTP server")
    print(f"receiver: {len(receiver.received)} webhook requests; SMTP: {len(inbox.messages)} mails")
    return wrong


def main() -> int:
    failures = []
    database = FreshDatabase.create()
    # A real HTTP receiver for the collection's webhook, and a real SMTP server for its reminder
    # mail (both on loopback: the server is told to allow it).
    receiver, inbox = Receiver().start(), Inbox().start()
    # Tokens outlive the fuzzing run, and the per-user throttles on file exports and imports
    # (30 and 20 a minute) do not turn the fuzzer's thousands of cases into 429s that test
    # nothing (the suite proves those throttles); everything else is production as it ships.
    server = LiveServer(
        database_url=database.url,
        extra_env={
            "JWT_ACCESS_SECONDS": "3600",
            "THROTTLE_EXPORT_RATE": "100000/min",
            "THROTTLE_IMPORT_RATE": "100000/min",
            "WEBHOOK_ALLOW_PRIVATE": "1",
            "WEBHOOK_RETRY_SECONDS": "1,1,1",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(inbox.port),
        },
    )
    try:
        server.migrate()
        run(
            [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=server.env(),
            check=True,
        )
        server.start()
        kind = "postgresql" if database.url.startswith("postgres") else "sqlite"
        print(f"server: {server.url} (gunicorn, 2 workers, {kind})", flush=True)

        step("Postman collection (newman)")
        REPORTS.mkdir(exist_ok=True)
        if run(
            [
                NODE_BIN / "newman",
                "run",
                "postman_collection.json",
                "--env-var",
                f"baseUrl={server.url}",
                "--env-var",
                f"hookUrl={receiver.url}",
                "--export-environment",
                REPORTS / "newman-environment.json",
                "--color",
                "off",
            ]
        ).returncode:
            failures.append("newman")
        wrong = check_deliveries(receiver, inbox, _saved(REPORTS / "newman-environment.json"))
        if wrong:
            print("\n".join(wrong))
            failures.append("webhook receiver / SMTP")

        step("Browser (Chromium): docs, the browsable API and a customer's statement link")
        SCREENSHOTS.mkdir(exist_ok=True)
        person = register(server.url)
        if run(
            [
                "node",
                "e2e/browser-check.mjs",
                server.url,
                person["username"],
                "a-long-live-password-9",
                SCREENSHOTS,
                statement_link(server.url, person["access"]),
            ]
        ).returncode:
            failures.append("browser check")

        step(f"Contract fuzzing (Schemathesis, {FUZZ_SECONDS} s)")
        token = register(server.url)["access"]
        result = run(
            [
                VENV_BIN / "schemathesis",
                "--config-file",
                "e2e/schemathesis.toml",
                "--no-color",
                "run",
                f"{server.url}/api/schema/",
                "--header",
                f"Authorization: Bearer {token}",
                "--max-time",
                FUZZ_SECONDS,
                # One worker: the same seed then generates the same cases from run to run.
                "--workers",
                "1",
                "--seed",
                "20261121",
            ],
            capture_output=True,
            text=True,
            # Its serializer for archives (application/zip bodies).
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": "e2e.schemathesis_hooks",
                "PYTHONPATH": str(ROOT),
            },
        )
        REPORTS.mkdir(exist_ok=True)
        (REPORTS / "schemathesis.txt").write_text(result.stdout + result.stderr)
        print(result.stdout[-4000:], result.stderr[-2000:], sep="\n", flush=True)
        print(f"(the whole report: {REPORTS / 'schemathesis.txt'})")
        generated = re.search(r"(\d+) generated", result.stdout)
        cases = int(generated.group(1)) if generated else 0
        print(f"schemathesis: {cases} generated test cases (at least {MIN_FUZZ_CASES} required)")
        if result.returncode or cases < MIN_FUZZ_CASES:
            failures.append("schemathesis")
    finally:
        server.stop()
        database.drop()
        receiver.stop()
        inbox.stop()

    print()
    if failures:
        print(f"e2e: FAILED ({', '.join(failures)})")
        return 1
    print("e2e: newman, browser check and schemathesis all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
