"""A real gunicorn server on a fresh database of the suite's kind, for tests that talk HTTP."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FreshDatabase:
    """An empty database beside the test database: a SQLite file, or a new PostgreSQL database."""

    url: str
    drop: callable = field(repr=False)

    @classmethod
    def create(cls) -> "FreshDatabase":
        database = settings.DATABASES["default"]
        if database["ENGINE"] == "common.sqlite":
            folder = tempfile.mkdtemp(prefix="ledger-live-")
            path = Path(folder) / "db.sqlite3"
            return cls(url=f"sqlite:///{path}", drop=lambda: _remove_tree(folder))
        import psycopg

        name = f"ledger_live_{secrets.token_hex(4)}"
        # On Citus (scripts/with-citus) the database is made on every node and the workers are
        # added to it, as the script does for the suite's own.
        ports = citus_ports() or {"coordinator": database.get("PORT") or 5432}
        admins = {
            node: _pg_conninfo({**database, "PORT": port}, "postgres")
            for node, port in ports.items()
        }
        for admin in admins.values():
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            if len(ports) > 1:
                with psycopg.connect(
                    admin.replace("dbname=postgres", f"dbname={name}"), autocommit=True
                ) as conn:
                    conn.execute("CREATE EXTENSION citus")
        if len(ports) > 1:
            with psycopg.connect(
                admins["coordinator"].replace("dbname=postgres", f"dbname={name}"), autocommit=True
            ) as conn:
                conn.execute(
                    "SELECT citus_set_coordinator_host('127.0.0.1', %s)", [ports["coordinator"]]
                )
                for worker in ("worker1", "worker2"):
                    conn.execute("SELECT citus_add_node('127.0.0.1', %s)", [ports[worker]])

        def drop():
            for admin in admins.values():
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        parsed = urlparse(os.environ["DATABASE_URL"])
        return cls(url=urlunparse(parsed._replace(path=f"/{name}")), drop=drop)


def citus_nodes() -> dict[str, int]:
    """The Citus cluster's nodes and their ports, as scripts/with-citus names them (coordinator,
    worker1, worker2, spare); empty elsewhere."""
    nodes = (item.split(":") for item in os.environ.get("CITUS_NODES", "").split())
    return {node: int(port) for node, port in nodes}


def citus_ports() -> dict[str, int]:
    """The nodes in the cluster: the spare joins only when a test adds it."""
    return {node: port for node, port in citus_nodes().items() if node != "spare"}


def _pg_conninfo(database, dbname):
    parts = {
        "host": database.get("HOST") or "127.0.0.1",
        "port": database.get("PORT") or 5432,
        "user": database.get("USER") or "postgres",
        "dbname": dbname,
    }
    if database.get("PASSWORD"):
        parts["password"] = database["PASSWORD"]
    return " ".join(f"{key}={value}" for key, value in parts.items())


def _remove_tree(folder):
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class LiveServer:
    """A gunicorn process serving the app with production settings on a loopback port."""

    database_url: str
    workers: int = 2
    extra_env: dict = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    # Its own folder for job files: servers of concurrent test runs must share nothing.
    job_files: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="ledger-jobs-"))
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "THROTTLE_", "PYTEST", "SQLITE_TEST"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="ledger_project.settings",
            DJANGO_SECRET_KEY="live-test-secret-" + "x" * 40,
            DATABASE_URL=self.database_url,
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY=str(self.workers),
            JOB_FILES_DIR=self.job_files,
        )
        env.update(self.extra_env)
        return env

    def migrate(self):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )

    def start(self):
        self.log_path = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--access-logformat",
                "%(p)s %(s)s %(m)s %(U)s",
                "ledger_project.wsgi",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_ready()
        return self

    def wait_until_ready(self, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=15).status_code in (200, 503):
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{self.log()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def kill(self):
        """kill -9 every process of the server at once: master and workers, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def process_ids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *(int(pid) for pid in children.read_text().split())]

    def verify_ledger(self) -> subprocess.CompletedProcess:
        """`manage.py verify_ledger` on the server's database: every total against its entries."""
        return subprocess.run(
            [sys.executable, "manage.py", "verify_ledger"],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
        )

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path else ""

    def worker_pids_in_log(self) -> set[str]:
        """The worker process ids that answered requests, from the access log."""
        pids = set()
        for line in self.log().splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0].strip("<>").isdigit() and parts[2] in {"GET", "POST"}:
                pids.add(parts[0].strip("<>"))
        return pids


def register(base_url: str, username: str | None = None) -> dict:
    """Register a fresh merchant on a live server; answer its id and tokens."""
    username = username or f"live{secrets.token_hex(4)}"
    response = requests.post(
        f"{base_url}/api/auth/register/",
        json={"username": username, "password": "a-long-live-password-9"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()
