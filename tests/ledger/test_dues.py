"""Dues: due dates, payments settling the oldest dues first, ageing as of any day, credit
limits, and suppliers, on hand-computed histories and on random ones checked against a model
written here from the rules alone."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from customers.models import Customer
from ledger import dues, posting
from ledger.exceptions import CreditLimitExceeded, LedgerError
from ledger.models import Due, Entry
from tests.factories import make_customer, owner_of, post

D = datetime.date
M = Decimal


def fresh(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def aged(customer, as_of) -> dict:
    """The ageing as the API shows it, amounts as text."""
    result = dues.ageing(fresh(customer), as_of=as_of)
    return {
        "due": f"{result.due:.2f}",
        "overdue": f"{result.overdue:.2f}",
        "oldest_due_date": result.oldest_due_date,
        "buckets": {name: f"{amount:.2f}" for name, amount in result.buckets.items() if amount},
    }


def open_dues(customer) -> dict:
    """Each due's open part (settled whole: zero), by the entry that opened it."""
    parts = dues.open_entries(fresh(customer), as_of=D.max)
    return {
        d.entry_id: parts.get(d.entry_id, M("0.00"))
        for d in Due.objects.filter(customer=customer).order_by("pk")
    }


def reverse(entry, entry_date=None):
    return posting.reverse_entry(
        book=entry.customer.book,
        user=owner_of(entry.customer.book),
        entry=Entry.objects.get(pk=entry.pk),
        entry_date=entry_date,
    )


class TestDueDates:
    def test_a_credit_falls_due_after_the_customers_terms(self, user):
        customer = make_customer(user, payment_terms_days=30)
        assert post(customer, "credit", entry_date=D(2026, 1, 10)).due_date == D(2026, 2, 9)

    def test_without_terms_a_credit_is_due_at_once(self, customer):
        assert post(customer, "credit", entry_date=D(2026, 1, 10)).due_date == D(2026, 1, 10)

    def test_a_given_due_date_is_kept(self, user):
        customer = make_customer(user, payment_terms_days=30)
        entry = post(customer, "credit", entry_date=D(2026, 1, 10), due_date=D(2026, 1, 20))
        assert entry.due_date == D(2026, 1, 20)
        assert Due.objects.get(entry=entry).due_date == D(2026, 1, 20)

    def test_payments_and_reversals_carry_no_due_date(self, customer):
        credit = post(customer, "credit")
        assert post(customer, "debit").due_date is None
        assert reverse(credit).due_date is None

    def test_a_due_date_before_the_entry_or_on_a_payment_is_refused(self, customer):
        with pytest.raises(LedgerError, match="before the entry date"):
            post(customer, "credit", entry_date=D(2026, 1, 10), due_date=D(2026, 1, 9))
        with pytest.raises(LedgerError, match="not a debit of a customer"):
            post(customer, "debit", due_date=D(2026, 2, 1))
        assert not Entry.objects.exists()

    def test_the_database_refuses_a_due_date_before_the_entry(self, customer):
        entry = post(customer, "credit", entry_date=D(2026, 1, 10))
        # By the constraint's name: Citus relays a worker's refusal of an INSERT ... SELECT
        # as an internal error, not an integrity error, with the same message.
        refused = pytest.raises(DatabaseError, match="ledger_entry_due_not_before_entry")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_entry (book_id, created_by_id, customer_id, type, amount, "
                "note, entry_date, due_date, created_at) SELECT book_id, created_by_id, "
                "customer_id, type, amount, note, entry_date, %s, created_at FROM ledger_entry "
                "WHERE book_id = %s AND id = %s",
                [connection.ops.adapt_datefield_value(D(2026, 1, 9)), entry.book_id, entry.pk],
            )


class TestSettlement:
    """One hand-computed history, step by step."""

    def test_payments_settle_the_oldest_due_first_and_reversals_undo_exactly(self, customer):
        c1 = post(customer, "credit", "1000.00", entry_date=D(2026, 1, 1), due_date=D(2026, 1, 31))
        c2 = post(customer, "credit", "500.00", entry_date=D(2026, 2, 1), due_date=D(2026, 3, 3))
        c3 = post(customer, "credit", "250.00", entry_date=D(2026, 3, 1), due_date=D(2026, 3, 31))
        p1 = post(customer, "debit", "1200.00", entry_date=D(2026, 3, 10))
        # 1,200 pays c1 whole and 200 of c2.
        assert open_dues(customer) == {c1.pk: M("0.00"), c2.pk: M("300.00"), c3.pk: M("250.00")}
        # On 15 April: c2 is 43 days late, c3 15.
        assert aged(customer, D(2026, 4, 15)) == {
            "due": "550.00",
            "overdue": "550.00",
            "oldest_due_date": D(2026, 3, 3),
            "buckets": {"31-60": "300.00", "1-30": "250.00"},
        }
        # On 5 March, before the payment: the history up to that day.
        assert aged(customer, D(2026, 3, 5)) == {
            "due": "1750.00",
            "overdue": "1500.00",
            "oldest_due_date": D(2026, 1, 31),
            "buckets": {"31-60": "1000.00", "1-30": "500.00", "current": "250.00"},
        }

        reverse(p1)  # reopens what it settled
        assert open_dues(customer) == {c1.pk: M("1000.00"), c2.pk: M("500.00"), c3.pk: M("250.00")}
        assert aged(customer, D(2026, 4, 15))["buckets"] == {
            "61-90": "1000.00",
            "31-60": "500.00",
            "1-30": "250.00",
        }

        reverse(c1)  # removes its due
        assert open_dues(customer) == {c2.pk: M("500.00"), c3.pk: M("250.00")}

        post(customer, "debit", "600.00", entry_date=D(2026, 1, 15))  # back-dated payment
        assert open_dues(customer) == {c2.pk: M("0.00"), c3.pk: M("150.00")}
        assert aged(customer, D(2026, 4, 15))["due"] == "150.00"
        # On 20 February: c1 and its reversal cancel, c2 is not yet due, the payment covers it.
        assert aged(customer, D(2026, 2, 20)) == {
            "due": "0.00",
            "overdue": "0.00",
            "oldest_due_date": None,
            "buckets": {},
        }
        call_command("verify_ledger")

    def test_a_payment_before_any_due_is_paid_ahead(self, customer):
        post(customer, "debit", "300.00")
        first = post(customer, "credit", "200.00")
        assert open_dues(customer) == {first.pk: M("0.00")}
        second = post(customer, "credit", "500.00")
        assert open_dues(customer) == {first.pk: M("0.00"), second.pk: M("400.00")}
        assert fresh(customer).due == M("400.00")

    def test_part_payments_leave_the_rest_open(self, customer):
        credit = post(customer, "credit", "100.00")
        for _ in range(3):
            post(customer, "debit", "25.25")
        assert open_dues(customer) == {credit.pk: M("24.25")}

    def test_a_back_dated_due_that_falls_due_first_is_settled_first(self, customer):
        later = post(customer, "credit", "100.00", entry_date=D(2026, 3, 1))
        post(customer, "debit", "100.00", entry_date=D(2026, 3, 5))
        earlier = post(customer, "credit", "80.00", entry_date=D(2026, 2, 1))
        assert open_dues(customer) == {later.pk: M("80.00"), earlier.pk: M("0.00")}

    def test_a_reversed_payment_reopens_the_newest_settled_dues(self, customer):
        a = post(customer, "credit", "100.00", entry_date=D(2026, 1, 1))
        b = post(customer, "credit", "100.00", entry_date=D(2026, 1, 2))
        c = post(customer, "credit", "100.00", entry_date=D(2026, 1, 3))
        post(customer, "debit", "250.00")
        small = post(customer, "debit", "40.00")
        assert open_dues(customer) == {a.pk: M("0.00"), b.pk: M("0.00"), c.pk: M("10.00")}
        reverse(small)
        assert open_dues(customer) == {a.pk: M("0.00"), b.pk: M("0.00"), c.pk: M("50.00")}
        call_command("verify_ledger")


class TestSuppliers:
    def test_a_suppliers_debits_are_what_the_book_owes_and_its_credits_pay_them(self, user):
        supplier = make_customer(user, name="Wholesaler", kind="supplier", payment_terms_days=15)
        bought = post(supplier, "debit", "700.00", entry_date=D(2026, 1, 1))
        assert bought.due_date == D(2026, 1, 16)
        assert post(supplier, "credit", "300.00", entry_date=D(2026, 1, 5)).due_date is None
        assert open_dues(supplier) == {bought.pk: M("400.00")}
        assert fresh(supplier).due == M("400.00")
        assert aged(supplier, D(2026, 2, 1))["buckets"] == {"1-30": "400.00"}
        with pytest.raises(LedgerError, match="not a credit of a supplier"):
            post(supplier, "credit", due_date=D(2026, 2, 1))


class TestCreditLimits:
    def test_a_credit_past_a_block_limit_is_refused_and_writes_nothing(self, user):
        customer = make_customer(user, credit_limit=M("1000.00"), credit_limit_policy="block")
        post(customer, "credit", "800.00")
        with pytest.raises(CreditLimitExceeded) as refused:
            post(customer, "credit", "300.00")
        assert refused.value.extra() == {"credit_limit": "1000.00", "balance_after": "1100.00"}
        after = fresh(customer)
        assert (after.total_credit, after.entry_count) == (M("800.00"), 1)
        assert Due.objects.filter(customer=customer).count() == 1
        post(customer, "credit", "200.00")  # up to the limit exactly is allowed

    def test_payments_and_reversals_are_never_blocked(self, user):
        customer = make_customer(user, credit_limit=M("100.00"), credit_limit_policy="block")
        post(customer, "credit", "100.00")
        payment = post(customer, "debit", "60.00")
        Customer.objects.filter(pk=customer.pk).update(credit_limit=M("10.00"))
        post(customer, "debit", "1.00")  # over the lowered limit, but it lowers the balance
        reverse(payment)  # raises the balance past the limit: a reversal is never blocked
        assert fresh(customer).balance == M("99.00")

    def test_a_warn_limit_posts_with_a_warning(self, user):
        customer = make_customer(user, credit_limit=M("50.00"))
        assert post(customer, "credit", "50.00").warnings == []
        entry = post(customer, "credit", "0.01")
        assert entry.warnings == [
            "This takes Ravi Kumar's balance to 50.01, past the credit limit of 50.00."
        ]
        assert fresh(customer).entry_count == 2

    def test_a_zero_limit_blocks_any_credit(self, user):
        customer = make_customer(user, credit_limit=M("0"), credit_limit_policy="block")
        with pytest.raises(CreditLimitExceeded):
            post(customer, "credit", "0.01")

    def test_a_suppliers_limit_caps_what_the_book_owes_it(self, user):
        supplier = make_customer(
            user, kind="supplier", credit_limit=M("500.00"), credit_limit_policy="block"
        )
        post(supplier, "credit", "900.00")  # paid ahead: never blocked
        with pytest.raises(CreditLimitExceeded) as refused:
            post(supplier, "debit", "1400.01")
        assert refused.value.extra()["balance_after"] == "-500.01"

    def test_an_import_past_a_block_limit_writes_nothing(self, user):
        customer = make_customer(user, credit_limit=M("100.00"), credit_limit_policy="block")
        drafts = [
            posting.EntryDraft("credit", M("60.00"), D(2026, 1, 1), due_date=D(2026, 1, 1)),
            posting.EntryDraft("credit", M("60.00"), D(2026, 1, 2), due_date=D(2026, 1, 2)),
        ]
        with pytest.raises(CreditLimitExceeded):
            posting.post_entries(
                book=customer.book, user=owner_of(customer.book), customer=customer, drafts=drafts
            )
        assert not Entry.objects.exists() and not Due.objects.exists()


# A model of the rules, written from API.md alone: which entries stand as of a day, what they
# open and pay, and payments settling dues oldest first.


def model_open(history, as_of) -> list:
    standing = [
        e
        for e in history
        if e["reverses"] is None
        and e["date"] <= as_of
        and not any(r["reverses"] == e["id"] and r["date"] <= as_of for r in history)
    ]
    paid = sum((e["amount"] for e in standing if e["type"] == "debit"), M(0))
    opened = sorted(
        (e for e in standing if e["type"] == "credit"), key=lambda e: (e["due"], e["date"], e["id"])
    )
    by_day = {}
    for e in opened:
        settled = min(paid, e["amount"])
        paid -= settled
        if e["amount"] - settled:
            by_day[e["due"]] = by_day.get(e["due"], M(0)) + e["amount"] - settled
    return sorted(by_day.items())


operations = st.lists(
    st.tuples(
        st.sampled_from(["credit", "debit", "reverse"]),
        st.integers(min_value=1, max_value=50_000),  # cents
        st.integers(min_value=0, max_value=120),  # days into 2026
        st.integers(min_value=0, max_value=45),  # days until due
        st.integers(min_value=0, max_value=1000),  # which entry to reverse
    ),
    min_size=1,
    max_size=14,
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=operations)
def test_kept_dues_and_every_days_ageing_match_the_rules(user, operations):
    customer = make_customer(user, name="Random")
    history = []
    start = D(2026, 1, 1)
    for kind, cents, day, terms, pick in operations:
        on = start + datetime.timedelta(days=day)
        if kind == "reverse":
            candidates = [
                e
                for e in history
                if e["reverses"] is None and not any(r["reverses"] == e["id"] for r in history)
            ]
            if not candidates:
                continue
            original = candidates[pick % len(candidates)]
            entry = reverse(original["entry"], entry_date=on)
            reversal_of = original["id"]
        else:
            due = on + datetime.timedelta(days=terms) if kind == "credit" else None
            entry = post(customer, kind, M(cents) / 100, entry_date=on, due_date=due)
            reversal_of = None
        history.append(
            {
                "id": entry.pk,
                "entry": entry,
                "type": entry.type,
                "amount": entry.amount,
                "date": entry.entry_date,
                "due": entry.due_date,
                "reverses": reversal_of,
            }
        )
        assert dues.open_as_of(fresh(customer), as_of=D.max) == model_open(history, D.max)
    customer = fresh(customer)
    for day in range(0, 170, 7):
        as_of = start + datetime.timedelta(days=day)
        expected = model_open(history, as_of)
        result = dues.ageing(customer, as_of=as_of)
        assert result.due == sum((amount for _, amount in expected), M(0))
        assert result.oldest_due_date == (expected[0][0] if expected else None)
        overdue = sum((amount for due, amount in expected if due < as_of), M(0))
        assert result.overdue == overdue
    assert list(dues.dues_drift()) == []


def test_verify_ledger_finds_dues_that_drifted(customer):
    post(customer, "credit", "100.00")
    post(customer, "debit", "30.00")
    call_command("verify_ledger")
    Due.objects.update(due_date=D(2030, 1, 1))  # no longer the entry's
    with pytest.raises(CommandError, match="dues drifted"):
        call_command("verify_ledger")


def test_the_database_holds_a_due_to_a_positive_amount(customer):
    post(customer, "credit", "100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Due.objects.update(amount=M("0.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Due.objects.update(amount=M("-0.01"))


def test_the_walk_back_reads_every_due_a_page_at_a_time(customer):
    for n in range(7):
        post(customer, "credit", f"{n + 1}.00", entry_date=D(2026, 1, 1 + n % 3), due_date=None)
    expected = [
        (d.due_date, d.entry_date, d.entry_id, d.amount)
        for d in Due.objects.filter(customer=customer).order_by(
            "-due_date", "-entry_date", "-entry_id"
        )
    ]
    assert list(dues._newest_dues(customer, entered_by=D.max, page=2)) == expected
    entered_by_the_second = [row for row in expected if row[1] <= D(2026, 1, 2)]
    assert list(dues._newest_dues(customer, entered_by=D(2026, 1, 2), page=3)) == (
        entered_by_the_second
    )
