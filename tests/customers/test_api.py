"""The customer routes: CRUD, archive and restore, search, ordering, pagination, isolation."""

from decimal import Decimal

import pytest

from customers.models import Customer
from tests.factories import book_of, make_customer, post

pytestmark = pytest.mark.django_db


def snapshot(model):
    return sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))


class TestCreateAndRead:
    def test_creating_a_customer_answers_it_with_zero_totals(self, client, user):
        response = client.post(
            "/api/customers/",
            {"name": "Ravi", "phone": "+91 98765 43210", "email": "ravi@example.com"},
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Ravi"
        assert body["total_credit"] == body["total_debit"] == body["balance"] == "0.00"
        assert body["entry_count"] == 0 and body["last_entry_date"] is None
        assert body["archived"] is False
        assert Customer.objects.get(pk=body["id"]).book == book_of(user)

    def test_detail_carries_the_ledger_totals(self, client, customer):
        post(customer, "credit", "5000.00")
        post(customer, "debit", "1250.50")
        body = client.get(f"/api/customers/{customer.pk}/").json()
        assert body["total_credit"] == "5000.00"
        assert body["total_debit"] == "1250.50"
        assert body["balance"] == "3749.50"
        assert body["entry_count"] == 2
        assert body["last_entry_date"] == "2026-01-15"

    def test_totals_cannot_be_written_through_the_api(self, client, customer):
        response = client.patch(
            f"/api/customers/{customer.pk}/", {"total_credit": "99.00", "balance": "99.00"}
        )
        assert response.status_code == 200
        customer.refresh_from_db()
        assert customer.total_credit == Decimal("0.00")

    def test_patch_needs_no_name_and_put_does(self, client, customer):
        patched = client.patch(f"/api/customers/{customer.pk}/", {"phone": "000"}, format="json")
        assert patched.status_code == 200 and patched.json()["name"] == "Ravi Kumar"
        put = client.put(f"/api/customers/{customer.pk}/", {"phone": "000"}, format="json")
        assert put.status_code == 400 and "name" in put.json()

    def test_put_replaces_and_patch_changes_details(self, client, customer):
        put = client.put(f"/api/customers/{customer.pk}/", {"name": "Ravi K", "phone": ""})
        assert put.status_code == 200 and put.json()["phone"] == ""
        patch = client.patch(f"/api/customers/{customer.pk}/", {"address": "12 MG Road"})
        assert patch.status_code == 200
        assert patch.json()["name"] == "Ravi K" and patch.json()["address"] == "12 MG Road"


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "name"),
            ({"name": ""}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "x" * 256}, "name"),
            ({"name": None}, "name"),
            ({"name": ["Ravi"]}, "name"),
            ({"name": "Ravi\x00"}, "name"),
            ({"name": "Ravi", "phone": "call me"}, "phone"),
            ({"name": "Ravi", "phone": "1" * 40}, "phone"),
            ({"name": "Ravi", "email": "not-an-email"}, "email"),
            ({"name": "Ravi", "address": "x" * 501}, "address"),
        ],
    )
    def test_bad_customer_fields_are_a_400_naming_the_field(self, client, user, body, field):
        response = client.post("/api/customers/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Customer.objects.exists()

    @pytest.mark.parametrize("raw", ["{", "[1, 2]", '"name"', "null", "{'name': 1}"])
    def test_malformed_or_non_object_json_is_a_400(self, client, user, raw):
        response = client.post("/api/customers/", data=raw, content_type="application/json")
        assert response.status_code == 400
        assert not Customer.objects.exists()

    def test_bad_update_changes_nothing(self, client, customer):
        response = client.patch(f"/api/customers/{customer.pk}/", {"name": ""})
        assert response.status_code == 400
        customer.refresh_from_db()
        assert customer.name == "Ravi Kumar"


class TestArchive:
    def test_delete_archives_and_keeps_entries(self, client, customer):
        entry = post(customer)
        response = client.delete(f"/api/customers/{customer.pk}/")
        assert response.status_code == 204
        customer.refresh_from_db()
        assert customer.archived_at is not None
        assert customer.entries.get() == entry
        listed = client.get("/api/customers/").json()
        assert listed["count"] == 0
        archived = client.get("/api/customers/?archived=true").json()
        assert [c["id"] for c in archived["results"]] == [customer.pk]
        assert client.get(f"/api/customers/{customer.pk}/").json()["archived"] is True

    def test_restore_brings_it_back(self, client, customer):
        client.delete(f"/api/customers/{customer.pk}/")
        response = client.post(f"/api/customers/{customer.pk}/restore/")
        assert response.status_code == 200
        assert response.json()["archived"] is False
        assert client.get("/api/customers/").json()["count"] == 1

    def test_archived_false_lists_the_active_ones(self, client, customer, user):
        gone = make_customer(user, name="Gone")
        client.delete(f"/api/customers/{gone.pk}/")
        listed = client.get("/api/customers/?archived=false").json()
        assert [c["id"] for c in listed["results"]] == [customer.pk]

    def test_a_malformed_archived_value_is_a_400(self, client, customer):
        response = client.get("/api/customers/?archived=maybe")
        assert response.status_code == 400
        assert "archived" in response.json()

    # No transaction around the request, as in production: the refused posting fails its own.
    @pytest.mark.django_db(transaction=True)
    def test_posting_to_an_archived_customer_is_a_conflict(self, client, customer):
        client.delete(f"/api/customers/{customer.pk}/")
        response = client.post(
            f"/api/customers/{customer.pk}/entries/", {"type": "credit", "amount": "1.00"}
        )
        assert response.status_code == 409
        assert not customer.entries.exists()


class TestListing:
    @pytest.fixture
    def book(self, user):
        names = {"Zara": ("100.00", None), "Amit": ("5.00", "50.00"), "Meena": ("20.00", None)}
        customers = {}
        for name, (credit, debit) in names.items():
            customer = make_customer(user, name=name, phone=f"+91 90000 0000{len(customers)}")
            post(customer, "credit", credit)
            if debit:
                post(customer, "debit", debit)
            customers[name] = customer
        return customers

    def names(self, response):
        assert response.status_code == 200, response.content
        return [c["name"] for c in response.json()["results"]]

    def test_default_order_is_by_name(self, client, book):
        assert self.names(client.get("/api/customers/")) == ["Amit", "Meena", "Zara"]

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("balance", ["Amit", "Meena", "Zara"]),
            ("-balance", ["Zara", "Meena", "Amit"]),
            ("-name", ["Zara", "Meena", "Amit"]),
            ("created_at", ["Zara", "Amit", "Meena"]),
            ("-created_at", ["Meena", "Amit", "Zara"]),
        ],
    )
    def test_ordering(self, client, book, ordering, expected):
        assert self.names(client.get(f"/api/customers/?ordering={ordering}")) == expected

    @pytest.mark.parametrize("ordering", ["total_credit", "user", "password", "-id;drop"])
    def test_unknown_ordering_is_a_400(self, client, book, ordering):
        response = client.get(f"/api/customers/?ordering={ordering}")
        assert response.status_code == 400
        assert "ordering" in response.json()

    def test_search_by_name_and_phone(self, client, book):
        assert self.names(client.get("/api/customers/?search=mee")) == ["Meena"]
        assert self.names(client.get("/api/customers/?search=0000 2")) == ["Meena"]

    def test_pagination_shape_cap_and_past_the_end(self, client, user):
        for n in range(205):
            Customer.objects.create(book=book_of(user), name=f"C{n:03}")
        page = client.get("/api/customers/?page_size=500").json()
        assert set(page) == {"count", "next", "previous", "results"}
        assert page["count"] == 205 and len(page["results"]) == 200
        assert client.get("/api/customers/?page=99").status_code == 404
        assert client.get("/api/customers/?page=abc").status_code == 400
        assert client.get("/api/customers/?page_size=0").status_code == 400
        assert client.get("/api/customers/?page_size=x").status_code == 400

    def test_list_query_count_does_not_grow_with_customers(
        self, client, user, django_assert_max_num_queries
    ):
        for n in range(30):
            post(make_customer(user, name=f"C{n}"))
        with django_assert_max_num_queries(4):  # user, book and role, count, page
            response = client.get("/api/customers/?ordering=-balance")
        assert response.json()["count"] == 30


class TestIsolation:
    ROUTES = [
        ("get", "/api/customers/{id}/", None),
        ("put", "/api/customers/{id}/", {"name": "Mine now"}),
        ("patch", "/api/customers/{id}/", {"name": "Mine now"}),
        ("delete", "/api/customers/{id}/", None),
        ("post", "/api/customers/{id}/restore/", None),
        ("get", "/api/customers/{id}/summary/", None),
        ("get", "/api/customers/{id}/statement/", None),
        ("get", "/api/customers/{id}/statement/?format=csv", None),
        ("post", "/api/customers/{id}/entries/import/", None),
        ("get", "/api/customers/{id}/entries/", None),
        ("post", "/api/customers/{id}/entries/", {"type": "credit", "amount": "1.00"}),
        ("get", "/app/customers/{id}/summery/", None),
    ]

    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    def test_another_users_customer_answers_exactly_like_a_missing_one(
        self, client, others_customer, method, path, body
    ):
        post(others_customer)
        before = (snapshot(Customer), others_customer.entries.count())
        theirs = getattr(client, method)(path.format(id=others_customer.pk), body, format="json")
        missing = getattr(client, method)(path.format(id=999999), body, format="json")
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json() == missing.json()
        assert (snapshot(Customer), others_customer.entries.count()) == before

    @pytest.mark.parametrize("missing", [2**63 - 1, 2**63, 10**30])
    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    def test_ids_past_what_the_database_holds_are_missing_too(
        self, client, method, path, body, missing
    ):
        response = getattr(client, method)(path.format(id=missing), body, format="json")
        usual = getattr(client, method)(path.format(id=999999), body, format="json")
        assert response.status_code == usual.status_code == 404
        assert response.json() == usual.json()

    def test_lists_show_only_ones_own_customers(self, client, customer, others_customer):
        listed = client.get("/api/customers/").json()
        assert [c["id"] for c in listed["results"]] == [customer.pk]
        assert client.get("/api/customers/?archived=true").json()["count"] == 0
