"""The SQLite backend queues writers on a file lock, held from BEGIN to COMMIT or ROLLBACK."""

import fcntl

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from customers.models import Customer
from tests.factories import book_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the queue is SQLite's"),
]


def queue_is_free() -> bool:
    """Whether another writer could take the queue now (asked without waiting)."""
    with open(f"{connection.settings_dict['NAME']}-writers", "a") as queue:
        try:
            fcntl.flock(queue, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(queue, fcntl.LOCK_UN)
        return True


def test_a_write_transaction_holds_the_queue_until_it_commits(user):
    assert queue_is_free()
    with transaction.atomic():
        Customer.objects.create(book=book_of(user), name="Asha")
        assert not queue_is_free()
    assert queue_is_free()
    assert Customer.objects.filter(name="Asha").exists()


def test_a_failed_transaction_lets_the_queue_go(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        assert not queue_is_free()
        Customer.objects.create(
            book=book_of(user), name="Asha", entry_count=-1
        )  # a CHECK refuses it
    assert queue_is_free()
    assert not Customer.objects.exists()


def test_closing_the_connection_mid_transaction_lets_the_queue_go(user):
    # As when a worker's connection is closed under it: the transaction is lost, not the queue.
    with pytest.raises(ProgrammingError), transaction.atomic():
        Customer.objects.create(book=book_of(user), name="Asha")
        assert not queue_is_free()
        connection.close()
        assert queue_is_free()
        Customer.objects.count()  # the closed connection refuses to go on
    assert queue_is_free()
    assert not Customer.objects.exists()
