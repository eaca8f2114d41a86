"""Dues over HTTP: a party's terms and limits, due dates on entries, the ageing route, the
customer list's filters and ordering by what is overdue, and a CSV import with due dates."""

import datetime

import pytest

from customers.models import Customer
from ledger import dues
from ledger.models import Due, Entry
from tests.factories import book_of, client_for, make_customer, make_user, post

D = datetime.date


def days_ago(n: int) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=n)


class TestParty:
    def test_a_party_has_its_kind_terms_limit_and_language(self, client):
        made = client.post(
            "/api/customers/",
            {
                "name": "Mill",
                "kind": "supplier",
                "payment_terms_days": 15,
                "credit_limit": "5000",
                "credit_limit_policy": "block",
                "locale": "hi_in",
                "reminders_enabled": False,
            },
            format="json",
        )
        assert made.status_code == 201, made.json()
        body = made.json()
        assert {k: body[k] for k in ("kind", "payment_terms_days", "credit_limit")} == {
            "kind": "supplier",
            "payment_terms_days": 15,
            "credit_limit": "5000.00",
        }
        assert (body["credit_limit_policy"], body["locale"], body["reminders_enabled"]) == (
            "block",
            "hi-IN",
            False,
        )
        assert (body["due"], body["overdue"]) == ("0.00", "0.00")

    @pytest.mark.parametrize(
        "body",
        [
            {"credit_limit": "-1"},
            {"credit_limit": "1e3"},
            {"credit_limit": ""},
            {"credit_limit_policy": "shout"},
            {"payment_terms_days": 3651},
            {"payment_terms_days": -1},
            {"kind": "friend"},
            {"locale": "xx-NOPE"},
        ],
    )
    def test_bad_terms_are_a_400_naming_the_field(self, client, customer, body):
        response = client.patch(f"/api/customers/{customer.pk}/", body, format="json")
        assert response.status_code == 400
        assert set(response.json()) == set(body)

    def test_a_partys_kind_is_fixed_once_it_has_entries(self, client, customer):
        post(customer, "credit")
        response = client.patch(
            f"/api/customers/{customer.pk}/", {"kind": "supplier"}, format="json"
        )
        assert response.status_code == 400
        assert "kind" in response.json()
        assert Customer.objects.get(pk=customer.pk).kind == "customer"

    def test_a_limit_can_be_lifted_with_null(self, client, user):
        customer = make_customer(user, credit_limit="10.00")
        response = client.patch(
            f"/api/customers/{customer.pk}/", {"credit_limit": None}, format="json"
        )
        assert response.status_code == 200 and response.json()["credit_limit"] is None


class TestPostingWithDues:
    def test_an_entry_carries_its_due_date(self, client, user):
        customer = make_customer(user, payment_terms_days=30)
        url = f"/api/customers/{customer.pk}/entries/"
        by_terms = client.post(
            url, {"type": "credit", "amount": "10", "entry_date": "2026-01-10"}, format="json"
        )
        assert by_terms.json()["due_date"] == "2026-02-09"
        given = client.post(
            url,
            {
                "type": "credit",
                "amount": "10",
                "entry_date": "2026-01-10",
                "due_date": "2026-01-12",
            },
            format="json",
        )
        assert given.json()["due_date"] == "2026-01-12"
        assert client.get(url).json()["results"][0]["due_date"] in {"2026-02-09", "2026-01-12"}

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"type": "debit", "due_date": "2026-03-01"}, "not a debit of a customer"),
            ({"type": "credit", "due_date": "2026-01-09"}, "before the entry date"),
            ({"type": "credit", "due_date": "someday"}, None),
        ],
    )
    def test_a_bad_due_date_is_a_400_and_writes_nothing(self, client, customer, body, message):
        response = client.post(
            f"/api/customers/{customer.pk}/entries/",
            {"amount": "10", "entry_date": "2026-01-10", **body},
            format="json",
        )
        assert response.status_code == 400, response.json()
        if message:
            assert message in response.json()["detail"]
        assert not Entry.objects.exists()

    def test_a_credit_past_a_block_limit_is_a_409_saying_the_limit(self, client, user):
        customer = make_customer(user, credit_limit="100.00", credit_limit_policy="block")
        response = client.post(
            "/api/entries/",
            {"customer": customer.pk, "type": "credit", "amount": "100.01"},
            format="json",
        )
        assert response.status_code == 409
        assert response.json() == {
            "detail": "This would take the balance to 100.01, past the credit limit of 100.00; "
            "nothing was posted.",
            "credit_limit": "100.00",
            "balance_after": "100.01",
        }
        assert not Entry.objects.exists() and not Due.objects.exists()

    def test_a_credit_past_a_warn_limit_is_posted_with_a_warning(self, client, user):
        customer = make_customer(user, credit_limit="100.00")
        response = client.post(
            f"/api/customers/{customer.pk}/entries/",
            {"type": "credit", "amount": "150"},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["warnings"] == [
            "This takes Ravi Kumar's balance to 150.00, past the credit limit of 100.00."
        ]

    def test_a_reversal_past_a_block_limit_is_posted(self, client, user):
        customer = make_customer(user, credit_limit="100.00", credit_limit_policy="block")
        post(customer, "credit", "100.00")
        payment = post(customer, "debit", "50.00")
        post(customer, "credit", "50.00")
        response = client.post(f"/api/entries/{payment.pk}/reverse/", {}, format="json")
        assert response.status_code == 201
        assert Customer.objects.get(pk=customer.pk).balance == 150

    def test_an_import_with_due_dates_and_one_past_a_block_limit(self, client, user):
        customer = make_customer(user, payment_terms_days=7)
        csv = (
            "type,amount,entry_date,due_date,note\n"
            "credit,100,2026-01-01,2026-01-20,given\n"
            "credit,50,2026-01-02,,by terms\n"
            "debit,30,2026-01-03,,paid\n"
        )
        url = f"/api/customers/{customer.pk}/entries/import/"
        response = client.generic("POST", url, csv.encode(), content_type="text/csv")
        assert response.status_code == 201, response.json()
        dates = list(Entry.objects.order_by("pk").values_list("due_date", flat=True))
        assert dates == [D(2026, 1, 20), D(2026, 1, 9), None]
        # Settled oldest due date first: 30 of the credit due on the 9th.
        assert dues.open_as_of(Customer.objects.get(pk=customer.pk), as_of=D.max) == [
            (D(2026, 1, 9), 20),
            (D(2026, 1, 20), 100),
        ]
        Customer.objects.filter(pk=customer.pk).update(
            credit_limit=150, credit_limit_policy="block"
        )
        more = "type,amount\ncredit,20\ncredit,11\n"
        refused = client.generic("POST", url, more.encode(), content_type="text/csv")
        assert refused.status_code == 409
        assert refused.json()["balance_after"] == "151.00"
        assert Entry.objects.count() == 3

    def test_an_import_line_with_a_bad_due_date_names_it(self, client, customer):
        csv = (
            "type,amount,entry_date,due_date\ncredit,1,2026-01-05,2026-01-06\ndebit,1,,2026-02-01\n"
        )
        response = client.generic(
            "POST",
            f"/api/customers/{customer.pk}/entries/import/",
            csv.encode(),
            content_type="text/csv",
        )
        assert response.status_code == 400
        assert response.json()["line"] == 3
        assert list(response.json()["errors"]) == ["due_date"]
        assert not Entry.objects.exists()


class TestAgeing:
    def test_the_ageing_route(self, client, customer):
        post(customer, "credit", "100.00", entry_date=D(2026, 1, 1), due_date=D(2026, 1, 31))
        post(customer, "credit", "40.00", entry_date=D(2026, 2, 1), due_date=D(2026, 3, 15))
        post(customer, "debit", "30.00", entry_date=D(2026, 2, 2))
        response = client.get(f"/api/customers/{customer.pk}/ageing/?as_of=2026-03-02")
        assert response.status_code == 200
        assert response.json() == {
            "customer": customer.pk,
            "kind": "customer",
            "as_of": "2026-03-02",
            "due": "110.00",
            "overdue": "70.00",
            "oldest_due_date": "2026-01-31",
            "buckets": {
                "current": "40.00",
                "1-30": "70.00",
                "31-60": "0.00",
                "61-90": "0.00",
                "90+": "0.00",
            },
        }
        # A day before the payment: the entries up to it.
        before = client.get(f"/api/customers/{customer.pk}/ageing/?as_of=2026-02-01").json()
        assert (before["due"], before["overdue"]) == ("140.00", "100.00")
        today = client.get(f"/api/customers/{customer.pk}/ageing/").json()
        assert today["as_of"] == book_of(customer.book.memberships.first().user).today().isoformat()

    @pytest.mark.parametrize("query", ["as_of=yesterday", "as_of=", "as_at=2026-01-01"])
    def test_a_bad_query_is_a_400(self, client, customer, query):
        assert client.get(f"/api/customers/{customer.pk}/ageing/?{query}").status_code == 400

    def test_another_books_customer_is_a_404(self, client, other_user):
        theirs = make_customer(other_user)
        assert client.get(f"/api/customers/{theirs.pk}/ageing/").status_code == 404

    def test_the_ageing_costs_a_fixed_number_of_queries(
        self, client, customer, django_assert_max_num_queries
    ):
        for n in range(40):
            post(customer, "credit", "5.00", entry_date=D(2026, 1, 1) + datetime.timedelta(n))
        with django_assert_max_num_queries(4):  # user, book and role, customer, open dues
            client.get(f"/api/customers/{customer.pk}/ageing/")


class TestCustomerList:
    @pytest.fixture
    def parties(self, user):
        late = make_customer(user, name="Late")
        post(late, "credit", "500.00", entry_date=days_ago(40))
        later = make_customer(user, name="Later")
        post(later, "credit", "900.00", entry_date=days_ago(5), due_date=days_ago(2))
        post(later, "debit", "100.00", entry_date=days_ago(1))
        fresh = make_customer(user, name="Fresh", payment_terms_days=30)
        post(fresh, "credit", "70.00", entry_date=days_ago(1))
        paid = make_customer(user, name="Paid")
        post(paid, "credit", "10.00", entry_date=days_ago(9))
        post(paid, "debit", "10.00", entry_date=days_ago(8))
        return {c.name: c for c in (late, later, fresh, paid)}

    def names(self, client, query):
        response = client.get(f"/api/customers/?{query}")
        assert response.status_code == 200, response.json()
        return [c["name"] for c in response.json()["results"]]

    def test_has_dues_and_overdue(self, client, parties):
        assert self.names(client, "has_dues=true") == ["Fresh", "Late", "Later"]
        assert self.names(client, "has_dues=false") == ["Paid"]
        assert self.names(client, "overdue=true") == ["Late", "Later"]
        assert self.names(client, "overdue=false") == ["Fresh", "Paid"]

    def test_ordering_by_what_is_overdue(self, client, parties):
        assert self.names(client, "ordering=-overdue") == ["Later", "Late", "Fresh", "Paid"]
        listed = client.get("/api/customers/?ordering=-overdue").json()["results"]
        assert [(c["due"], c["overdue"]) for c in listed[:3]] == [
            ("800.00", "800.00"),
            ("500.00", "500.00"),
            ("70.00", "0.00"),
        ]

    def test_a_bad_filter_value_is_a_400(self, client, parties):
        assert client.get("/api/customers/?overdue=maybe").status_code == 400

    def test_the_list_costs_a_fixed_number_of_queries(
        self, client, user, parties, django_assert_max_num_queries
    ):
        for n in range(30):
            post(make_customer(user, name=f"More {n}"), "credit", "1.00", entry_date=days_ago(n))
        with django_assert_max_num_queries(4):  # user, book and role, count, page
            client.get("/api/customers/?has_dues=true&overdue=true&ordering=-overdue")

    def test_the_dashboard_splits_customers_and_suppliers(self, client, user, parties):
        mill = make_customer(user, name="Mill", kind="supplier")
        post(mill, "debit", "250.00", entry_date=days_ago(100))
        body = client.get("/api/summary/").json()
        assert body["by_kind"] == {
            "customer": {"receivable": "1370.00", "payable": "0.00"},
            "supplier": {"receivable": "0.00", "payable": "250.00"},
        }
        assert body["overdue"] == {"receivable": "1300.00", "payable": "250.00"}
        assert body["ageing"]["receivable"] == {
            "current": "70.00",
            "1-30": "800.00",
            "31-60": "500.00",
            "61-90": "0.00",
            "90+": "0.00",
        }
        assert body["ageing"]["payable"]["90+"] == "250.00"


def test_a_clerk_may_not_set_a_limit_but_may_edit_contact(user):
    from books import members
    from books.models import Role

    clerk = make_user("clerk")
    members.add_member(book=book_of(user), user=clerk, role=Role.CLERK)
    customer = make_customer(user)
    client = client_for(clerk)
    url = f"/api/books/{book_of(user).pk}/customers/{customer.pk}/"
    refused = client.patch(url, {"name": "R", "credit_limit": "5"}, format="json")
    assert refused.status_code == 403
    assert "manager" in refused.json()["detail"]
    assert client.patch(url, {"name": "R"}, format="json").status_code == 200


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_reminders_enabled_is_a_json_boolean(client, customer, value):
    response = client.patch(
        f"/api/customers/{customer.pk}/", {"reminders_enabled": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reminders_enabled"]
