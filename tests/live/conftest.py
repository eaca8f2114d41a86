"""Fixtures that start real gunicorn servers on fresh databases of the suite's kind."""

import pytest

from tests.live.server import FreshDatabase, LiveServer


@pytest.fixture
def start_server(django_db_blocker):
    """Start gunicorn servers on a fresh database; everything is stopped and dropped after."""
    started, databases = [], []

    def start(*, workers=2, database=None, migrate=True, **extra_env):
        if database is None:
            with django_db_blocker.unblock():
                database = FreshDatabase.create()
            databases.append(database)
        server = LiveServer(database_url=database.url, workers=workers, extra_env=extra_env)
        if migrate:
            server.migrate()
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
    for database in databases:
        with django_db_blocker.unblock():
            database.drop()


@pytest.fixture(scope="module")
def live_server_module_factory(django_db_blocker):
    """Start one gunicorn server (2 workers, these extra environment variables) for a module."""
    started = []

    def start(**extra_env):
        with django_db_blocker.unblock():
            database = FreshDatabase.create()
        server = LiveServer(database_url=database.url, extra_env=extra_env)
        started.append((server, database))
        server.migrate()
        return server.start()

    yield start
    for server, database in started:
        server.stop()
        with django_db_blocker.unblock():
            database.drop()


@pytest.fixture(scope="module")
def live_server_module(live_server_module_factory):
    """One gunicorn server (2 workers) shared by a module's tests."""
    return live_server_module_factory()
