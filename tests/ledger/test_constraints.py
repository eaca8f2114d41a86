"""Each invariant held by the database itself: going around the service, the database refuses."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from customers.models import Customer
from ledger.models import Entry, IdempotencyKey
from tests.factories import post

pytestmark = pytest.mark.django_db


def insert_entry(customer, *, type="credit", amount_cents=100):
    """Insert an entry row with raw SQL, past every Python check."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (user_id, customer_id, type, amount, note, entry_date, "
            "created_at) VALUES (%s, %s, %s, %s, '', %s, %s)",
            [
                customer.user_id,
                customer.pk,
                type,
                amount_cents,
                datetime.date(2026, 1, 1),
                timezone.now(),
            ],
        )


def refused(action):
    """True when the database refuses the action (and the test transaction survives)."""
    try:
        with transaction.atomic():
            action()
    except IntegrityError:
        return True
    except Exception as exc:  # PostgreSQL raises from the trigger; SQLite aborts
        return "append-only" in str(exc)
    return False


def test_a_raw_insert_of_a_valid_entry_is_accepted(customer):
    """The refusals below are about the values: the same insert with good ones goes in."""
    insert_entry(customer)
    assert Entry.objects.get().amount == 1


@pytest.mark.parametrize("cents", [0, -100, 99_999_999_999_999 + 1])
def test_database_refuses_amounts_out_of_range(customer, cents):
    assert refused(lambda: insert_entry(customer, amount_cents=cents))
    assert not Entry.objects.exists()


def test_database_refuses_an_unknown_type(customer):
    assert refused(lambda: insert_entry(customer, type="refund"))
    assert not Entry.objects.exists()


def test_database_refuses_to_change_a_posted_entry(customer):
    entry = post(customer, amount="10.00")
    assert refused(lambda: Entry.objects.filter(pk=entry.pk).update(note="edited"))
    assert refused(lambda: Entry.objects.filter(pk=entry.pk).update(amount=1))
    entry.refresh_from_db()
    assert (entry.note, str(entry.amount)) == ("", "10.00")


def test_database_allows_one_reversal_per_entry(customer):
    original = post(customer)
    post_reversal = lambda: Entry.objects.create(  # noqa: E731
        user=customer.user,
        customer=customer,
        type="debit",
        amount=original.amount,
        entry_date=original.entry_date,
        reverses=original,
    )
    post_reversal()
    assert refused(post_reversal)
    assert Entry.objects.count() == 2


def test_customers_with_entries_cannot_be_deleted(customer):
    post(customer)
    with pytest.raises(ProtectedError):
        customer.delete()
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_merchants_with_customers_cannot_be_deleted(customer, user):
    with pytest.raises(ProtectedError):
        user.delete()


def test_database_refuses_negative_running_totals(customer):
    assert refused(lambda: Customer.objects.filter(pk=customer.pk).update(total_debit=-1))


def test_database_refuses_a_second_idempotency_key_for_the_same_user(user):
    record = {
        "user": user,
        "key": "k-1",
        "fingerprint": "f",
        "response_status": 201,
        "response_body": {},
    }
    IdempotencyKey.objects.create(**record)
    assert refused(lambda: IdempotencyKey.objects.create(**record))


def test_database_refuses_usernames_differing_only_in_case(user):
    User = get_user_model()
    assert refused(lambda: User.objects.create(username="ASHA"))
