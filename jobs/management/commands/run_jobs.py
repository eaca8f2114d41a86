"""`manage.py run_jobs`: the job worker (gunicorn starts JOB_WORKERS of them: jobs.supervisor)."""

import os
import socket

from django.core.management.base import BaseCommand

from jobs.worker import WORKER_DEFAULTS, Worker


class Command(BaseCommand):
    help = (
        "Run queued jobs and tasks, queue the periodic tasks when due, and queue again the jobs "
        "of workers that stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks.")
        parser.add_argument(
            "--batch", action="store_true", help="Exit once no task is ready (one-off runs)."
        )
        parser.add_argument("--worker-id", help="Default: host name and process id.")
        parser.add_argument(
            "--parent", type=int, help="Exit when this process (the server) is gone."
        )

    def handle(self, *args, **options):
        worker_id = options["worker_id"] or f"{socket.gethostname()}-{os.getpid()}"
        worker = Worker(
            **{
                **WORKER_DEFAULTS,
                "interval": options["interval"],
                "batch": options["batch"],
                "worker_id": worker_id[:64],
                "parent": options["parent"],
            }
        )
        worker.configure_signals()
        worker.run()
