"""Fixtures shared by every test: users, their clients, a customer, and which database runs."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import client_for, make_customer, make_user


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
