"""Test data, made through the same services the API uses."""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.services import start_session
from customers import services as customer_services
from ledger import posting

PASSWORD = "a-long-test-password-123"
_sequence = itertools.count(1)


def make_user(username: str | None = None, password: str = PASSWORD, **fields):
    username = username or f"merchant{next(_sequence)}"
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_customer(user, name: str = "Ravi Kumar", **fields):
    return customer_services.create_customer(user=user, name=name, **fields)


def post(customer, type: str = "credit", amount="10.00", entry_date=None, note=""):
    return posting.post_entry(
        user=customer.user,
        customer=customer,
        type=type,
        amount=Decimal(str(amount)),
        entry_date=entry_date or datetime.date(2026, 1, 15),
        note=note,
    )


def access_token(user) -> str:
    """A Bearer access token of a new session of the user's."""
    return start_session(user)["access"]


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
    return client
