"""The ledger's background work: its periodic tasks (settings.PERIODIC_TASKS) and its jobs."""

from django_tasks import task

from ledger.idempotency import purge_expired


@task()
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than IDEMPOTENCY_KEY_RETENTION_HOURS."""
    return purge_expired()
