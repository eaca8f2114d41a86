"""A real HTTP server for the tests to send webhooks to (on a loopback port): every request it
received, and the answers it is told to give."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.live.server import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


class Receiver:
    """Answers each POST with the next status in `answers` (then 200), and keeps it. Stopped
    (or not yet started), its port refuses connections, as a receiver that is down."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.body = ""  # what a 2xx answer says (empty: "ok")
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/ledger"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                said = (receiver.body or "ok") if status < 300 else "not now"
                self.wfile.write(said.encode())

            def log_message(self, *args):  # quiet
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        """The requests, once there are `count` of them (a worker may still be sending)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} requests arrived"
        return self.received
