"""Helpers for the reliability tests: clients that hammer a live server from threads."""

import threading
import time

import pytest
import requests

from tests.live.conftest import start_server  # noqa: F401 (the live-server fixture, shared)


class Clients:
    """`count` threads that call work(n, stop) until told to stop; results gathered per thread."""

    def __init__(self, count, work):
        self.stop = threading.Event()
        self.results = [[] for _ in range(count)]
        self.threads = [
            threading.Thread(target=self._run, args=(n, work), daemon=True) for n in range(count)
        ]

    def _run(self, n, work):
        while not self.stop.is_set():
            outcome = work(n)
            if outcome is not None:
                self.results[n].append(outcome)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def wait_for(condition, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def http():
    return requests.Session()
