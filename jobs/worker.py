"""The job worker: django-tasks-db's worker, with what it does not give.

django-tasks-db runs queued tasks, but a task whose worker is killed stays "running" forever,
and it has no periodic tasks. This worker also beats for its running jobs (a thread, every
JOB_HEARTBEAT_SECONDS), queues again (or fails) the jobs of workers that stopped beating
(jobs.runner.recover_abandoned), queues the periodic tasks that are due (jobs.schedule), and
exits when the server that started it is gone. It takes a task in a transaction only when one
is ready, so an idle worker never holds SQLite's one write lock.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections, transaction
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from jobs.runner import beat, recover_abandoned
from jobs.schedule import enqueue_due

logger = logging.getLogger(__name__)


class Worker(DatabaseWorker):
    def __init__(self, *, parent: int | None = None, **options):
        super().__init__(**options)
        self.parent = parent

    def run(self) -> None:
        logger.info("Job worker %s started", self.worker_id)
        if not self.batch:
            threading.Thread(target=self.beat, daemon=True, name="heartbeat").start()
        while self.running and self.parent_alive():
            self.refresh_connections()
            self.housekeeping()
            task_result = self.claim()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            self.refresh_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)
        logger.info("Job worker %s stopped", self.worker_id)

    def refresh_connections(self) -> None:
        """Drop broken or old connections between tasks, as Django does between requests (not
        in a batch run: it may run inside a caller's transaction, as tests do)."""
        if not self.batch:
            close_old_connections()

    def parent_alive(self) -> bool:
        return self.parent is None or os.getppid() == self.parent

    def housekeeping(self) -> None:
        try:
            recover_abandoned()
            enqueue_due()
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise

    def claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not tasks.exists():
            return None
        try:
            with transaction.atomic():
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # "running", so no other worker takes it
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise
        return task_result

    def beat(self) -> None:
        while True:
            time.sleep(settings.JOB_HEARTBEAT_SECONDS)
            try:
                beat(self.worker_id)
            except Exception:  # a busy or lost database: the next beat tries again
                logger.warning("Job worker %s: heartbeat failed", self.worker_id, exc_info=True)
            finally:
                connections.close_all()  # this thread's own connection, back to the pool


def drain(**options) -> int:
    """Run every ready task in this process until the queue is empty (tests, one-off runs);
    answer how many ran."""
    options = {**WORKER_DEFAULTS, "batch": True, "worker_id": f"drain-{os.getpid()}", **options}
    worker = Worker(**options)
    worker.run()
    return worker._run_tasks


WORKER_DEFAULTS = {
    "queue_names": ["*"],
    "excluded_queue_names": [],
    "interval": 1.0,
    "batch": False,
    "backend_name": "default",
    "startup_delay": False,
    "max_tasks": None,
}
