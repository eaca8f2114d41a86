"""Sixteen concurrent writers on the real database: no "database is locked", nothing lost."""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection

from customers.models import Customer
from ledger import posting
from tests.factories import book_of, make_customer, make_user

WRITERS = 16
POSTS_EACH = 10


@pytest.mark.django_db(transaction=True)
def test_sixteen_writers_on_separate_connections_never_see_database_is_locked():
    user = make_user()
    customers = [make_customer(user, name=f"Customer {n}") for n in range(4)]
    errors, barrier = [], threading.Barrier(WRITERS)

    def writer(number):
        try:
            barrier.wait()
            customer = customers[number % len(customers)]
            for _ in range(POSTS_EACH):
                posting.post_entry(
                    book=customer.book,
                    user=user,
                    customer=customer,
                    type="credit",
                    amount=Decimal("1.25"),
                )
        except OperationalError as exc:  # "database is locked" and its kin
            errors.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    totals = [c.total_credit for c in Customer.objects.filter(book=book_of(user))]
    assert sum(totals) == Decimal("1.25") * WRITERS * POSTS_EACH
    assert (
        sum(c.entry_count for c in Customer.objects.filter(book=book_of(user)))
        == WRITERS * POSTS_EACH
    )
