"""The job workers beside gunicorn, so `make run` stays one command.

When gunicorn's master is ready it starts JOB_WORKERS worker processes (`manage.py run_jobs`),
starts one again whenever one stops (killed with -9, or crashed: the job it was running is
recovered by the next), and stops them when it exits; a worker whose server is gone exits by
itself. At scale, set JOB_WORKERS=0 on the app servers and run `manage.py run_jobs` as a service
of its own, as many as the queue needs: they share the queue through the database.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
RESTART_DELAY = 1.0

_stopping = threading.Event()
_running: set[subprocess.Popen] = set()


def start(log, count: int) -> None:
    for number in range(count):
        threading.Thread(
            target=_keep, args=(log,), name=f"job-worker-{number}", daemon=True
        ).start()


def _keep(log) -> None:
    server = os.getpid()
    while not _stopping.is_set():
        # Our own manage.py, run by our own interpreter.
        command = [sys.executable, str(MANAGE), "run_jobs", "--parent", str(server)]
        process = subprocess.Popen(command, cwd=MANAGE.parent)  # noqa: S603
        _running.add(process)
        log.info("Job worker started (pid %s)", process.pid)
        # poll(), not wait(): gunicorn's master reaps every child that exits, and poll() then
        # answers at once instead of waiting on a process that is gone.
        while process.poll() is None and not _stopping.wait(0.5):
            pass
        _running.discard(process)
        if not _stopping.is_set():
            log.warning("Job worker %s stopped; starting another", process.pid)
            _stopping.wait(RESTART_DELAY)


def stop(timeout: float = 30) -> None:
    """Ask every worker to stop (a running job finishes its step), then make sure they have."""
    _stopping.set()
    workers = list(_running)
    for process in workers:
        process.terminate()
    for process in workers:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
        except ChildProcessError:
            pass
