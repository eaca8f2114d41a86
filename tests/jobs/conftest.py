import pytest

from tests.jobs import handlers  # noqa: F401


@pytest.fixture(autouse=True)
def no_periodic_tasks(settings):
    """The worker loop queues due periodic tasks; these tests count the tasks it runs."""
    settings.PERIODIC_TASKS = {}
