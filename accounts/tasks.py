"""The accounts' periodic tasks (settings.PERIODIC_TASKS)."""

from django_tasks import task

from accounts.services import purge_expired_credentials
from common.throttling import purge_spent


@task()
def purge_credentials() -> dict:
    """Delete dead sessions and tokens, and throttle counters whose allowance is full again."""
    return {"credentials": purge_expired_credentials(), "throttle_counters": purge_spent()}
