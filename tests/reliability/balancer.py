"""Real PgBouncer and HAProxy (Debian's packages) for the tests of many app servers.

Each runs in the foreground as a child of the test, in its own folder (configuration, pid file,
log, sockets) on its own loopback port, so nothing is shared with another instance or another
test run; the fixtures stop them and remove the folders.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from tests.live.server import free_port

# HAProxy's own answers (no server up, a server that died mid-answer, a timeout), in JSON like
# every other answer of the API; Retry-After where trying again will help.
ERRORS = {
    400: ("Bad Request", "The request could not be read.", False),
    408: ("Request Timeout", "The request took too long to arrive.", False),
    500: ("Internal Server Error", "The load balancer failed.", False),
    502: ("Bad Gateway", "The app server failed while answering; try again.", True),
    503: ("Service Unavailable", "No app server is available; try again shortly.", True),
    504: ("Gateway Timeout", "The app server did not answer in time; try again.", True),
}


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{log.read_text() if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"did not listen on {port} in {timeout}s")


@dataclass
class PgBouncer:
    """PgBouncer in transaction pooling mode in front of the server `database_url` names."""

    database_url: str
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ledger-pgb-")))
    process: subprocess.Popen | None = None

    def url_for(self, database_url: str) -> str:
        """The same database, reached through this PgBouncer."""
        parsed = urlparse(database_url)
        return urlunparse(parsed._replace(netloc=f"{parsed.username}@127.0.0.1:{self.port}"))

    def start(self):
        server = urlparse(self.database_url)
        (self.folder / "users.txt").write_text(f'"{server.username}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={server.hostname} port={server.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir = {self.folder}\n"
            f"pidfile = {self.folder}/pgbouncer.pid\nlogfile = {self.folder}/pgbouncer.log\n"
            f"auth_type = trust\nauth_file = {self.folder}/users.txt\n"
            "pool_mode = transaction\n"
            "max_client_conn = 1000\ndefault_pool_size = 40\n"
            # psycopg sends these at connect; PgBouncer keeps no session state to hold them.
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        command = ["pgbouncer", str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer will not run as root
            shutil.chown(self.folder, "postgres")
            for name in ("users.txt", "pgbouncer.ini"):
                shutil.chown(self.folder / name, "postgres")
            command[1:1] = ["-u", "postgres"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        _wait_for_port(self.port, self.process, self.folder / "pgbouncer.log")
        return self

    def stop(self):
        """Stop at once (SIGTERM: PgBouncer's immediate shutdown), dropping every connection."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)

    def restart(self):
        self.stop()
        self.start()

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class HAProxy:
    """HAProxy balancing HTTP over app servers, health-checked on /healthz."""

    servers: list[str]  # base URLs
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ledger-lb-")))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        for status, (reason, detail, retry) in ERRORS.items():
            body = f'{{"detail": "{detail}"}}'
            head = [
                f"HTTP/1.1 {status} {reason}",
                "Content-Type: application/json",
                f"Content-Length: {len(body)}",
                "Cache-Control: no-cache",
                "Connection: close",
                *(["Retry-After: 1"] if retry else []),
            ]
            (self.folder / f"{status}.http").write_text("\r\n".join(head) + "\r\n\r\n" + body)
        errorfiles = "".join(
            f"    errorfile {status} {self.folder}/{status}.http\n" for status in ERRORS
        )
        servers = "".join(
            f"    server app{n} {urlparse(url).netloc} check\n"
            for n, url in enumerate(self.servers, 1)
        )
        (self.folder / "haproxy.cfg").write_text(
            "global\n"
            "    maxconn 512\n"
            f"    pidfile {self.folder}/haproxy.pid\n"
            "defaults\n"
            "    mode http\n"
            "    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n"
            # A request whose connection could not be made goes to another server; one that
            # reached a server is never sent twice (a POST may have been applied).
            "    retries 3\n    option redispatch\n    retry-on conn-failure\n"
            f"{errorfiles}"
            "frontend api\n"
            f"    bind 127.0.0.1:{self.port}\n"
            "    default_backend app\n"
            "backend app\n"
            "    balance roundrobin\n"
            "    option httpchk GET /healthz\n"
            "    http-check expect status 200\n"
            "    default-server inter 500ms fall 2 rise 2\n"
            f"{servers}"
        )
        log = self.folder / "haproxy.log"
        self.process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(self.folder / "haproxy.cfg")],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for_port(self.port, self.process, log)
        return self

    def remove(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        shutil.rmtree(self.folder, ignore_errors=True)
