"""Each invariant held by the database itself: going around the service, the database refuses."""

import datetime
from datetime import date as D
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from customers.models import Customer
from ledger import selectors
from ledger.models import DailyTotal, Entry, IdempotencyKey
from tests.factories import book_of, owner_of, post

pytestmark = pytest.mark.django_db


def insert_entry(customer, *, type="credit", amount_cents=100, day=None, book_id=None):
    """Insert an entry row with raw SQL, past every Python check."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (book_id, created_by_id, customer_id, type, amount, note, "
            "entry_date, created_at) VALUES (%s, %s, %s, %s, %s, '', %s, %s)",
            [
                book_id or customer.book_id,
                owner_of(customer.book).pk,
                customer.pk,
                type,
                amount_cents,
                day or datetime.date(2026, 1, 1),
                timezone.now(),
            ],
        )


def drift():
    return list(selectors.ledger_drift())


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


class TestTotalsKeptByTheDatabase:
    """Every entry row moves its customer's totals and daily totals, however it got in."""

    def test_a_raw_insert_moves_the_running_and_daily_totals(self, customer):
        post(customer, "credit", "5.00")  # through the service, beside the raw rows
        insert_entry(customer, amount_cents=1_000, day=datetime.date(2026, 1, 1))
        insert_entry(customer, type="debit", amount_cents=250, day=datetime.date(2026, 1, 1))
        insert_entry(customer, amount_cents=1, day=datetime.date(2026, 3, 9))
        customer.refresh_from_db()
        assert (customer.total_credit, customer.total_debit) == (Decimal("15.01"), Decimal("2.50"))
        assert customer.entry_count == 4
        assert customer.last_entry_date == D(2026, 3, 9)
        day = DailyTotal.objects.get(customer=customer, day=datetime.date(2026, 1, 1))
        assert (day.credit, day.debit, day.entry_count) == (Decimal("10.00"), Decimal("2.50"), 2)
        assert drift() == []

    def test_one_statement_of_many_rows_for_many_customers_moves_each(self, customer, user):
        other = Customer.objects.create(book=book_of(user), name="Other")
        rows = [
            (customer, "credit", 100, datetime.date(2026, 1, 1)),
            (other, "debit", 700, datetime.date(2026, 1, 1)),
            (customer, "credit", 300, datetime.date(2026, 1, 1)),
            (other, "credit", 50, datetime.date(2026, 2, 1)),
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_entry (book_id, created_by_id, customer_id, type, amount, "
                "note, entry_date, created_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, '', %s, %s)"] * len(rows)),
                [
                    value
                    for party, kind, cents, day in rows
                    for value in (
                        party.book_id,
                        user.pk,
                        party.pk,
                        kind,
                        cents,
                        day,
                        timezone.now(),
                    )
                ],
            )
        customer.refresh_from_db()
        other.refresh_from_db()
        assert (customer.total_credit, customer.entry_count) == (Decimal("4.00"), 2)
        assert (other.total_credit, other.total_debit) == (Decimal("0.50"), Decimal("7.00"))
        assert other.last_entry_date == datetime.date(2026, 2, 1)
        assert drift() == []

    def test_a_bulk_copy_moves_the_totals(self, customer):
        """The import's own bulk path (COPY on PostgreSQL), used around the service."""
        from common.db import copy_rows
        from ledger.posting import IMPORT_COLUMNS

        now, author = timezone.now(), owner_of(customer.book).pk  # no query inside the COPY
        with transaction.atomic(), copy_rows(Entry, IMPORT_COLUMNS, batch_size=7) as write:
            for n in range(20):
                kind = "credit" if n % 4 else "debit"
                row = (customer.book_id, author, customer.pk, kind, 100 + n)
                write((*row, "", D(2026, 1, 1 + n), None, now))
        customer.refresh_from_db()
        assert customer.entry_count == 20
        assert customer.last_entry_date == D(2026, 1, 20)
        assert drift() == []

    def test_the_database_refuses_an_entry_for_another_books_customer(self, customer, other_user):
        assert refused(lambda: insert_entry(customer, book_id=book_of(other_user).pk))
        # The entry's book has no foreign key constraint of its own: the trigger holds it.
        assert refused(lambda: insert_entry(customer, book_id=customer.book_id + 1000))
        assert not Entry.objects.exists() and drift() == []

    def test_the_database_refuses_an_entry_for_an_archived_customer(self, customer):
        Customer.objects.filter(pk=customer.pk).update(archived_at=timezone.now())
        assert refused(lambda: insert_entry(customer))
        assert not Entry.objects.exists()

    def test_the_database_refuses_totals_past_64_bit_cents(self, customer):
        insert_entry(customer, amount_cents=99_999_999_999_999)
        Customer.objects.filter(pk=customer.pk).update(total_credit=Decimal("92233720368547758.00"))
        assert refused(lambda: insert_entry(customer, amount_cents=99_999_999_999_999))
        assert Entry.objects.count() == 1


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
        book=customer.book,
        created_by=owner_of(customer.book),
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


def test_books_with_customers_cannot_be_deleted(customer):
    with pytest.raises(ProtectedError):
        customer.book.delete()


def test_users_who_posted_entries_cannot_be_deleted(customer, user):
    post(customer, by=user)
    with pytest.raises(ProtectedError):
        user.delete()


def test_database_refuses_negative_running_totals(customer):
    assert refused(lambda: Customer.objects.filter(pk=customer.pk).update(total_debit=-1))


def test_database_refuses_a_second_idempotency_key_for_the_same_user_and_book(user):
    record = {
        "book": book_of(user),
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
