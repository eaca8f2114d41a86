"""The job workers beside gunicorn, so `make run` stays one command.

When gunicorn's master is ready it starts this module as a small process of its own (from the
master's main thread, before it forks its web workers: a process started from a thread while
the master forks can hang on its own start-up pipe, which a forked web worker keeps open). This
process keeps JOB_WORKERS job workers (`manage.py run_jobs`) running: it starts one again when
one stops (killed with -9, or crashed: the job it was running is recovered by the next), and
stops them when it is told to stop or its server is gone. The master starts the supervisor
again if it stops itself (keep()). At scale, set JOB_WORKERS=0 on the app
servers and run `manage.py run_jobs` as a service of its own, as many as the queue needs: they
share the queue through the database.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
RESTART_DELAY = 1.0
STOP_TIMEOUT = 30.0


def start(count: int) -> subprocess.Popen | None:
    """Start the supervisor of `count` job workers (in the server's main thread)."""
    if count < 1:
        return None
    command = [sys.executable, "-m", "jobs.supervisor", str(os.getpid()), str(count)]
    return subprocess.Popen(command, cwd=MANAGE.parent)  # noqa: S603  (our own module)


def keep(supervisor: subprocess.Popen | None, count: int) -> subprocess.Popen | None:
    """The supervisor, started again if it stopped (killed with -9: its workers, bound to it,
    stop too). Called by gunicorn's master, in its main thread, at least once a second."""
    if supervisor is None or supervisor.poll() is None:  # once gunicorn reaped it, poll() is 0
        return supervisor
    print(
        f"[gunicorn] The job supervisor {supervisor.pid} stopped; starting another",
        file=sys.stderr,
        flush=True,
    )
    return start(count)


def stop(supervisor: subprocess.Popen | None) -> None:
    """Stop the supervisor, which stops its workers (a running job finishes its step)."""
    if supervisor is None:
        return
    supervisor.terminate()
    try:
        supervisor.wait(STOP_TIMEOUT + 5)
    except subprocess.TimeoutExpired:
        supervisor.kill()
    except ChildProcessError:  # gunicorn's master reaped it already
        pass


def supervise(server: int, count: int) -> None:
    stopping = False

    def stop_soon(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop_soon)
    signal.signal(signal.SIGINT, stop_soon)
    workers: list[subprocess.Popen | None] = [None] * count
    while not stopping and os.getppid() == server:
        for slot, worker in enumerate(workers):
            if worker is not None and worker.poll() is None:
                continue
            if worker is not None:
                say(f"Job worker {worker.pid} stopped ({worker.returncode}); starting another")
                time.sleep(RESTART_DELAY)
            command = [sys.executable, str(MANAGE), "run_jobs", "--parent", str(os.getpid())]
            workers[slot] = subprocess.Popen(command, cwd=MANAGE.parent)  # noqa: S603
            say(f"Job worker started (pid {workers[slot].pid})")
        time.sleep(0.5)
    running = [worker for worker in workers if worker is not None and worker.poll() is None]
    for worker in running:
        worker.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for worker in running:
        try:
            worker.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()


def say(message: str) -> None:
    print(f"[job supervisor {os.getpid()}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Keep the job workers running.")
    parser.add_argument("server", type=int, help="the server's pid: stop when it is gone")
    parser.add_argument("count", type=int, help="how many job workers")
    arguments = parser.parse_args()
    supervise(arguments.server, arguments.count)
