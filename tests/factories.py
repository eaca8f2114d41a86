"""Test data, made through the same services the API uses."""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.services import start_session
from books import services as book_services
from books.models import Book, Membership, Role
from customers import services as customer_services
from ledger import posting

PASSWORD = "a-long-test-password-123"
_sequence = itertools.count(1)


def make_user(username: str | None = None, password: str = PASSWORD, **fields):
    """A user with their first book, as registering makes them."""
    username = username or f"merchant{next(_sequence)}"
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    book_services.create_first_book(user)
    return user


def book_of(user) -> Book:
    """The user's default book."""
    return Membership.objects.select_related("book").get(user=user, is_default=True).book


def owner_of(book: Book):
    """The book's first owner."""
    return book.memberships.filter(role=Role.OWNER).order_by("pk").first().user


def make_customer(user_or_book, name: str = "Ravi Kumar", **fields):
    """A customer in the book (or in the user's default book)."""
    book = user_or_book if isinstance(user_or_book, Book) else book_of(user_or_book)
    return customer_services.create_customer(book=book, name=name, **fields)


def post(
    customer, type: str = "credit", amount="10.00", entry_date=None, note="", by=None, due_date=None
):
    """An entry for the customer, posted by `by` (default: the book's owner)."""
    return posting.post_entry(
        book=customer.book,
        user=by or owner_of(customer.book),
        customer=customer,
        type=type,
        amount=Decimal(str(amount)),
        entry_date=entry_date or datetime.date(2026, 1, 15),
        note=note,
        due_date=due_date,
    )


def access_token(user) -> str:
    """A Bearer access token of a new session of the user's."""
    return start_session(user)["access"]


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
    return client
