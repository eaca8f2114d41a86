"""The posting service: exact money, running totals, reversal rules, drift checks."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from common.money import MAX_ENTRY_AMOUNT
from customers.models import Customer
from ledger import posting, selectors
from ledger.exceptions import (
    AlreadyReversed,
    CustomerArchived,
    LedgerError,
    ReversalOfReversal,
    TotalsOverflow,
)
from ledger.models import DailyTotal, Entry
from tests.factories import book_of, make_customer, owner_of, post

pytestmark = pytest.mark.django_db


def test_thousands_of_cents_sum_exactly(customer):
    drafts = [
        posting.EntryDraft("credit", Decimal("0.10"), datetime.date(2026, 1, 1))
        for _ in range(1000)
    ] + [
        posting.EntryDraft("debit", Decimal("0.07"), datetime.date(2026, 1, 2)) for _ in range(1000)
    ]
    posting.post_entries(
        book=customer.book, user=owner_of(customer.book), customer=customer, drafts=drafts
    )
    customer.refresh_from_db()
    assert (customer.total_credit, customer.total_debit) == (Decimal("100.00"), Decimal("70.00"))
    assert customer.balance == Decimal("30.00")
    # Summed by the database, not by the running totals: still exact.
    totals = selectors.customer_totals(customer, as_of=datetime.date(2026, 12, 31))
    assert (totals.total_credit, totals.total_debit, totals.balance) == (
        Decimal("100.00"),
        Decimal("70.00"),
        Decimal("30.00"),
    )
    assert str(totals.balance) == "30.00"


def test_the_largest_amounts_sum_exactly(customer):
    for _ in range(5):
        post(customer, "credit", MAX_ENTRY_AMOUNT)
    customer.refresh_from_db()
    assert customer.total_credit == Decimal("4999999999999.95")
    totals = selectors.customer_totals(customer, as_of=datetime.date(2026, 12, 31))
    assert totals.total_credit == Decimal("4999999999999.95")


def test_posting_moves_the_running_totals_in_the_same_transaction(customer):
    post(customer, "credit", "12.34", entry_date=datetime.date(2026, 3, 1))
    post(customer, "debit", "2.34", entry_date=datetime.date(2026, 2, 1))
    customer.refresh_from_db()
    assert customer.total_credit == Decimal("12.34")
    assert customer.total_debit == Decimal("2.34")
    assert customer.entry_count == 2
    assert customer.last_entry_date == datetime.date(2026, 3, 1)


def test_a_failed_batch_posts_nothing(customer):
    drafts = [
        posting.EntryDraft("credit", Decimal("1.00"), datetime.date(2026, 1, 1)),
        posting.EntryDraft("refund", Decimal("1.00"), datetime.date(2026, 1, 1)),
    ]
    with pytest.raises(LedgerError):
        posting.post_entries(
            book=customer.book, user=owner_of(customer.book), customer=customer, drafts=drafts
        )
    customer.refresh_from_db()
    assert not Entry.objects.exists()
    assert customer.entry_count == 0 and customer.total_credit == 0


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.001", "1000000000000.00"])
def test_the_service_refuses_amounts_out_of_range(customer, amount):
    with pytest.raises(LedgerError):
        post(customer, "credit", amount)
    assert not Entry.objects.exists()


# As in a request, no transaction around the posting: a failed posting fails the transaction it
# runs in (no savepoint of its own), so what is left in the database is what a client would see.
@pytest.mark.django_db(transaction=True)
def test_totals_that_would_overflow_are_refused(customer):
    Customer.objects.filter(pk=customer.pk).update(total_credit=Decimal("92233720368547758.00"))
    with pytest.raises(TotalsOverflow):
        post(customer, "credit", "1.00")
    assert not Entry.objects.exists()


# As in a request, no transaction around the posting: a failed posting fails the transaction it
# runs in (no savepoint of its own), so what is left in the database is what a client would see.
@pytest.mark.django_db(transaction=True)
def test_posting_to_another_books_customer_is_refused_by_the_database(customer, other_user):
    with pytest.raises(IntegrityError, match="ledger_entry_owner_mismatch"):
        posting.post_entry(
            book=book_of(other_user),
            user=other_user,
            customer=customer,
            type="credit",
            amount=Decimal("1.00"),
        )
    assert not Entry.objects.exists()


def test_posting_to_an_archived_customer_is_refused(customer):
    Customer.objects.filter(pk=customer.pk).update(archived_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(CustomerArchived):
        post(customer)


class TestReversal:
    def test_reversal_is_the_opposite_entry_linked_both_ways(self, customer):
        original = post(customer, "credit", "40.00", entry_date=datetime.date(2026, 1, 5))
        reversal = posting.reverse_entry(
            book=customer.book, user=owner_of(customer.book), entry=original
        )
        assert (reversal.type, reversal.amount) == ("debit", Decimal("40.00"))
        assert reversal.entry_date == datetime.date(2026, 1, 5)
        assert reversal.reverses == original
        original.refresh_from_db()
        assert original.reversed_by == reversal
        customer.refresh_from_db()
        assert customer.balance == Decimal("0.00") and customer.entry_count == 2

    def test_reversal_can_take_its_own_date_and_note(self, customer):
        original = post(customer, "debit", "5.00")
        reversal = posting.reverse_entry(
            book=customer.book,
            user=owner_of(customer.book),
            entry=original,
            note="bounced",
            entry_date=datetime.date(2026, 2, 2),
        )
        assert (reversal.note, reversal.entry_date) == ("bounced", datetime.date(2026, 2, 2))
        assert reversal.type == "credit"

    def test_reversing_twice_is_a_conflict(self, customer):
        original = post(customer)
        posting.reverse_entry(book=customer.book, user=owner_of(customer.book), entry=original)
        with pytest.raises(AlreadyReversed):
            posting.reverse_entry(book=customer.book, user=owner_of(customer.book), entry=original)
        assert Entry.objects.count() == 2

    def test_reversing_a_reversal_is_a_conflict(self, customer):
        reversal = posting.reverse_entry(
            book=customer.book, user=owner_of(customer.book), entry=post(customer)
        )
        with pytest.raises(ReversalOfReversal):
            posting.reverse_entry(book=customer.book, user=owner_of(customer.book), entry=reversal)
        assert Entry.objects.count() == 2


class TestVerifyLedger:
    def test_a_consistent_ledger_has_no_drift(self, customer, user):
        post(customer, "credit", "10.00")
        post(make_customer(user, name="Empty"), "debit", "3.00")
        make_customer(user, name="No entries")
        out = StringIO()
        call_command("verify_ledger", stdout=out)
        assert "No drift" in out.getvalue()

    def test_drift_is_printed_and_fails_the_command(self, customer):
        post(customer, "credit", "10.00")
        Customer.objects.filter(pk=customer.pk).update(total_credit=Decimal("10.01"))
        out = StringIO()
        with pytest.raises(CommandError, match="1 total"):
            call_command("verify_ledger", stdout=out)
        assert f"customer {customer.pk} (running totals): kept credit=10.01" in out.getvalue()
        assert "entries say credit=10.00" in out.getvalue()

    def test_a_drifted_day_is_reported(self, customer):
        post(customer, "credit", "10.00", entry_date=datetime.date(2026, 1, 15))
        DailyTotal.objects.filter(customer=customer).update(credit=Decimal("9.99"))
        out = StringIO()
        with pytest.raises(CommandError, match="1 total"):
            call_command("verify_ledger", stdout=out)
        assert f"customer {customer.pk} (day 2026-01-15): kept credit=9.99" in out.getvalue()

    def test_a_missing_day_is_reported(self, customer):
        post(customer, "credit", "10.00", entry_date=datetime.date(2026, 1, 15))
        DailyTotal.objects.filter(customer=customer).delete()
        with pytest.raises(CommandError):
            call_command("verify_ledger", stdout=StringIO())

    def test_a_missing_count_is_drift_too(self, customer):
        post(customer)
        Customer.objects.filter(pk=customer.pk).update(entry_count=0)
        with pytest.raises(CommandError):
            call_command("verify_ledger", stdout=StringIO())


def test_daily_totals_move_with_every_posting_path(customer):
    day = datetime.date(2026, 5, 1)
    post(customer, "credit", "10.00", entry_date=day)
    posting.post_entries(
        book=customer.book,
        user=owner_of(customer.book),
        customer=customer,
        drafts=[posting.EntryDraft("debit", Decimal("2.50"), day)] * 4,
    )
    posting.reverse_entry(
        book=customer.book,
        user=owner_of(customer.book),
        entry=Entry.objects.filter(type="credit").get(),
    )
    total = DailyTotal.objects.get(customer=customer, day=day)
    assert (total.credit, total.debit, total.entry_count) == (
        Decimal("10.00"),
        Decimal("20.00"),
        6,
    )
    call_command("verify_ledger", stdout=StringIO())


def test_as_of_from_daily_totals_agrees_with_summing_entries(customer):
    rng = __import__("random").Random(3)
    for _ in range(200):
        post(
            customer,
            rng.choice(["credit", "debit"]),
            f"{rng.randint(1, 99999) / 100:.2f}",
            entry_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 60)),
        )
    for offset in range(-1, 62, 7):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=offset)
        entries = Entry.objects.filter(customer=customer, entry_date__lte=day)
        credit = sum((e.amount for e in entries if e.type == "credit"), Decimal(0))
        debit = sum((e.amount for e in entries if e.type == "debit"), Decimal(0))
        totals = selectors.customer_totals(customer, as_of=day)
        assert (totals.total_credit, totals.total_debit, totals.entry_count) == (
            credit,
            debit,
            entries.count(),
        )


def test_dashboard_sums_positive_and_negative_balances(user, other_user):
    owes = make_customer(user, name="Owes")
    post(owes, "credit", "100.50")
    owed = make_customer(user, name="Is owed")
    post(owed, "debit", "20.25")
    archived = make_customer(user, name="Archived but owes")
    post(archived, "credit", "1.00")
    Customer.objects.filter(pk=archived.pk).update(archived_at=datetime.datetime.now(datetime.UTC))
    make_customer(user, name="Settled")
    post(make_customer(other_user, name="Not mine"), "credit", "999.00")
    assert selectors.dashboard(book_of(user)) == {
        "total_receivable": Decimal("101.50"),
        "total_payable": Decimal("20.25"),
        "net": Decimal("81.25"),
        "customer_count": 3,
        "customers_with_dues": 2,
        "by_kind": {
            "customer": {"receivable": Decimal("101.50"), "payable": Decimal("20.25")},
            "supplier": {"receivable": Decimal("0.00"), "payable": Decimal("0.00")},
        },
        # Both credits fell due on 2026-01-15, more than 90 days ago by now.
        "overdue": {"receivable": Decimal("101.50"), "payable": Decimal("0.00")},
        "ageing": {
            "receivable": {**ZERO_BUCKETS, "90+": Decimal("101.50")},
            "payable": ZERO_BUCKETS,
        },
    }


ZERO_BUCKETS = dict.fromkeys(("current", "1-30", "31-60", "61-90", "90+"), Decimal("0.00"))
