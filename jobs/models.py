"""What a merchant started and can follow (Job), and when the periodic work last ran (Periodic).

The queue itself is django-tasks' database backend (django_tasks_db.DBTaskResult): a Job is run
by a task on it. A Job carries what the queue does not: its owner, its progress, a cancel flag,
and the heartbeat by which a job whose worker died is found and run again (jobs.runner).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.scoping import TenantOwned, TenantQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(TenantOwned):
    """Work a member started in a book; only they follow it (and only while a member)."""

    book = models.ForeignKey(
        "books.Book", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # What the job was asked to do (its handler reads it); not shown to clients.
    params = models.JSONField(default=dict)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True)
    result = models.JSONField(null=True)
    error = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # Run attempts so far: each is fenced by its number, so a run that was given up on cannot
    # finish the job after another attempt started.
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True)
    cancel_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True)  # its run on the queue

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["book", "user", "-id"], name="jobs_job_book_user_idx"),
            models.Index(
                fields=["heartbeat_at"],
                name="jobs_job_running_idx",
                condition=Q(status=JobStatus.RUNNING),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="jobs_job_status_valid"
            ),
            models.CheckConstraint(condition=Q(done__gte=0), name="jobs_job_done_not_negative"),
        ]

    def __str__(self):
        return f"{self.kind} job {self.pk} ({self.status})"


class Periodic(models.Model):
    """One periodic task of settings.PERIODIC_TASKS, and when it is next due: whichever worker
    moves `due_at` on first runs it, so several workers run it once."""

    name = models.CharField(max_length=200, primary_key=True)
    due_at = models.DateTimeField()

    def __str__(self):
        return self.name
