"""Fixtures shared by every test: users, their clients, a customer, and which database runs."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import client_for, make_customer, make_user
from tests.mail import Inbox


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    where = database.get("HOST") or database["NAME"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({where})"


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def user(db):
    return make_user("asha")


@pytest.fixture
def other_user(db):
    return make_user("bilal")


@pytest.fixture
def client(user):
    return client_for(user)


@pytest.fixture
def other_client(other_user):
    return client_for(other_user)


@pytest.fixture
def customer(user):
    return make_customer(user, name="Ravi Kumar", phone="+91 98765 43210")


@pytest.fixture
def others_customer(other_user):
    return make_customer(other_user, name="Someone Else")


@pytest.fixture
def inbox(settings):
    """A real SMTP server that the server's mail goes to (the job worker sends it: drain())."""
    inbox = Inbox().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.PERIODIC_TASKS = {}
    yield inbox
    inbox.stop()
