"""The ledger routes over HTTP: entries, filters, reversal, idempotency, summary, dashboard."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework import serializers

from common.money import from_cents
from customers.models import Customer
from ledger.models import Due, Entry, IdempotencyKey
from tests.factories import book_of, client_for, make_customer, post

pytestmark = pytest.mark.django_db

D = datetime.date


def state(customer):
    """Everything a write could have changed, to compare before and after a refused one."""
    customer.refresh_from_db()
    return (
        list(Entry.objects.order_by("pk").values_list("pk", flat=True)),
        customer.total_credit,
        customer.total_debit,
        customer.entry_count,
        IdempotencyKey.objects.count(),
    )


class TestPosting:
    def test_posting_an_entry_answers_it_and_moves_the_balance(self, client, customer):
        response = client.post(
            "/api/entries/",
            {"customer": customer.pk, "type": "credit", "amount": "5000", "note": "rice"},
        )
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {
            "id",
            "customer",
            "type",
            "amount",
            "note",
            "entry_date",
            "due_date",
            "created_at",
            "reverses",
            "reversed_by",
            "created_by",
            "warnings",
        }
        assert body["amount"] == "5000.00"
        # Today where the business is (the book's time zone), and who posted it.
        assert body["entry_date"] == customer.book.today().isoformat()
        assert body["created_by"] == "asha"
        assert (body["reverses"], body["reversed_by"]) == (None, None)
        customer.refresh_from_db()
        assert customer.balance == Decimal("5000.00")

    @pytest.mark.parametrize(
        ("amount", "stored"),
        [
            (0.1, "0.10"),
            (12, "12.00"),
            ("7.5", "7.50"),
            (999999999999.99, "999999999999.99"),
            ("999999999999.99", "999999999999.99"),
            (" 3.25 ", "3.25"),
        ],
    )
    def test_amounts_come_as_strings_or_numbers_and_go_out_as_two_place_strings(
        self, client, customer, amount, stored
    ):
        response = client.post(
            f"/api/customers/{customer.pk}/entries/",
            {"type": "debit", "amount": amount, "entry_date": "2026-02-01"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["amount"] == stored
        assert str(Entry.objects.get().amount) == stored

    def test_nested_post_takes_the_customer_from_the_url(self, client, customer, user):
        elsewhere = make_customer(user, name="Elsewhere")
        response = client.post(
            f"/api/customers/{customer.pk}/entries/",
            {"type": "credit", "amount": "1.00", "customer": elsewhere.pk},
        )
        assert response.status_code == 201
        assert response.json()["customer"] == customer.pk
        assert not elsewhere.entries.exists()

    def test_another_users_customer_in_the_body_is_a_400_and_writes_nothing(
        self, client, customer, others_customer
    ):
        before = state(others_customer)
        response = client.post(
            "/api/entries/", {"customer": others_customer.pk, "type": "credit", "amount": "1"}
        )
        assert response.status_code == 400
        assert "customer" in response.json()
        missing = client.post(
            "/api/entries/", {"customer": 999999, "type": "credit", "amount": "1"}
        )
        assert missing.json() == {
            "customer": [response.json()["customer"][0].replace(str(others_customer.pk), "999999")]
        }
        assert state(others_customer) == before


BAD_ENTRIES = [
    ({"amount": "1.00"}, "type"),
    ({"type": "refund", "amount": "1.00"}, "type"),
    ({"type": ["credit"], "amount": "1.00"}, "type"),
    ({"type": "credit"}, "amount"),
    ({"type": "credit", "amount": None}, "amount"),
    ({"type": "credit", "amount": ""}, "amount"),
    ({"type": "credit", "amount": "0"}, "amount"),
    ({"type": "credit", "amount": 0}, "amount"),
    ({"type": "credit", "amount": "-5.00"}, "amount"),
    ({"type": "credit", "amount": "0.001"}, "amount"),
    ({"type": "credit", "amount": "1.005"}, "amount"),
    ({"type": "credit", "amount": "NaN"}, "amount"),
    ({"type": "credit", "amount": "Infinity"}, "amount"),
    ({"type": "credit", "amount": "-Infinity"}, "amount"),
    ({"type": "credit", "amount": "1e400"}, "amount"),
    ({"type": "credit", "amount": "1000000000000.00"}, "amount"),
    ({"type": "credit", "amount": "1" * 40}, "amount"),
    ({"type": "credit", "amount": "ten"}, "amount"),
    ({"type": "credit", "amount": True}, "amount"),
    ({"type": "credit", "amount": {"value": 1}}, "amount"),
    ({"type": "credit", "amount": "1.00", "entry_date": "2026-02-30"}, "entry_date"),
    ({"type": "credit", "amount": "1.00", "entry_date": "15/01/2026"}, "entry_date"),
    ({"type": "credit", "amount": "1.00", "entry_date": 20260115}, "entry_date"),
    ({"type": "credit", "amount": "1.00", "note": "x" * 501}, "note"),
    ({"type": "credit", "amount": "1.00", "note": "nul\x00byte"}, "note"),
    ({"type": "credit", "amount": "1.00", "note": ["a"]}, "note"),
]


class TestEntryShape:
    """Lists read entries as rows and write them without DRF's field walk: the answer must be
    what the declared fields would give, in any time zone."""

    @pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
    def test_an_entry_reads_the_same_listed_alone_and_as_drf_fields_write_it(
        self, client, customer, zone, settings
    ):
        settings.TIME_ZONE = zone
        original = post(customer, "credit", "1234.5", note='चावल "rice"')
        client.post(f"/api/entries/{original.pk}/reverse/", {}, format="json")
        post(customer, "debit", "0.07", entry_date=D(2026, 3, 1))
        listed = {item["id"]: item for item in client.get("/api/entries/").json()["results"]}
        assert len(listed) == 3
        for entry in Entry.objects.all():
            expected = {
                "id": entry.pk,
                "customer": entry.customer_id,
                "type": entry.type,
                "amount": serializers.DecimalField(
                    max_digits=None, decimal_places=2
                ).to_representation(entry.amount),
                "note": entry.note,
                "entry_date": serializers.DateField().to_representation(entry.entry_date),
                "due_date": entry.due_date and entry.due_date.isoformat(),
                "created_at": serializers.DateTimeField().to_representation(entry.created_at),
                "reverses": entry.reverses_id,
                "reversed_by": getattr(getattr(entry, "reversed_by", None), "pk", None),
                "created_by": entry.created_by.username,
            }
            assert listed[entry.pk] == expected
            assert client.get(f"/api/entries/{entry.pk}/").json() == expected


class TestBadInput:
    @pytest.mark.parametrize(("body", "field"), BAD_ENTRIES)
    def test_nested_post_with_a_bad_field_is_a_400_naming_it(self, client, customer, body, field):
        before = state(customer)
        response = client.post(f"/api/customers/{customer.pk}/entries/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert state(customer) == before

    @pytest.mark.parametrize(("body", "field"), BAD_ENTRIES)
    def test_flat_post_with_a_bad_field_is_a_400_naming_it(self, client, customer, body, field):
        before = state(customer)
        response = client.post("/api/entries/", {**body, "customer": customer.pk}, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert state(customer) == before

    @pytest.mark.parametrize("customer_value", [None, "", "abc", [1], 1.5, -1])
    def test_flat_post_with_a_bad_customer_is_a_400(self, client, customer, customer_value):
        before = state(customer)
        body = {"customer": customer_value, "type": "credit", "amount": "1.00"}
        response = client.post("/api/entries/", body, format="json")
        assert response.status_code == 400
        assert "customer" in response.json()
        assert state(customer) == before

    @pytest.mark.parametrize(
        "raw",
        [
            '{"type": "credit", "amount": NaN}',
            '{"type": "credit", "amount": Infinity}',
            "{",
            "[]",
            '"credit"',
            "",
            "\xff",
        ],
    )
    def test_malformed_json_is_a_400(self, client, customer, raw):
        before = state(customer)
        response = client.post(
            f"/api/customers/{customer.pk}/entries/", data=raw, content_type="application/json"
        )
        assert response.status_code == 400
        assert state(customer) == before

    def test_a_form_encoded_body_works_too(self, client, customer):
        response = client.post(
            f"/api/customers/{customer.pk}/entries/",
            "type=credit&amount=2.50",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 201
        assert response.json()["amount"] == "2.50"

    def test_an_unsupported_media_type_is_a_415(self, client, customer):
        response = client.post(
            f"/api/customers/{customer.pk}/entries/", data="<x/>", content_type="application/xml"
        )
        assert response.status_code == 415
        assert "detail" in response.json()


class TestAppendOnly:
    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_a_posted_entry_cannot_be_changed(self, client, customer, method):
        entry = post(customer)
        response = getattr(client, method)(
            f"/api/entries/{entry.pk}/", {"amount": "1.00"}, format="json"
        )
        assert response.status_code == 405
        assert "detail" in response.json()
        assert Entry.objects.get(pk=entry.pk).amount == entry.amount


class TestReverse:
    def test_reverse_answers_the_new_entry(self, client, customer):
        original = post(customer, "credit", "40.00", entry_date=D(2026, 1, 5))
        response = client.post(f"/api/entries/{original.pk}/reverse/", {"note": "typo"})
        assert response.status_code == 201
        body = response.json()
        assert (body["type"], body["amount"], body["reverses"]) == ("debit", "40.00", original.pk)
        assert (body["note"], body["entry_date"]) == ("typo", "2026-01-05")
        assert client.get(f"/api/entries/{original.pk}/").json()["reversed_by"] == body["id"]
        assert client.get(f"/api/customers/{customer.pk}/").json()["balance"] == "0.00"

    def test_reverse_takes_an_entry_date(self, client, customer):
        original = post(customer)
        response = client.post(f"/api/entries/{original.pk}/reverse/", {"entry_date": "2026-03-01"})
        assert response.json()["entry_date"] == "2026-03-01"

    def test_reversing_twice_or_reversing_a_reversal_is_a_409(self, client, customer):
        original = post(customer)
        reversal = client.post(f"/api/entries/{original.pk}/reverse/").json()
        again = client.post(f"/api/entries/{original.pk}/reverse/")
        assert again.status_code == 409 and "detail" in again.json()
        of_reversal = client.post(f"/api/entries/{reversal['id']}/reverse/")
        assert of_reversal.status_code == 409
        assert Entry.objects.count() == 2

    def test_reverse_with_bad_input_is_a_400(self, client, customer):
        original = post(customer)
        response = client.post(f"/api/entries/{original.pk}/reverse/", {"entry_date": "yesterday"})
        assert response.status_code == 400 and "entry_date" in response.json()
        assert Entry.objects.count() == 1

    def test_another_users_entry_is_a_404_like_a_missing_one(self, client, others_customer):
        theirs = post(others_customer)
        response = client.post(f"/api/entries/{theirs.pk}/reverse/")
        missing = client.post("/api/entries/999999/reverse/")
        assert response.status_code == missing.status_code == 404
        assert response.json() == missing.json()
        assert client.get(f"/api/entries/{theirs.pk}/").status_code == 404
        assert Entry.objects.count() == 1


class TestFilters:
    @pytest.fixture
    def history(self, customer, user):
        other = make_customer(user, name="Other")
        return {
            "jan": post(customer, "credit", "10.00", entry_date=D(2026, 1, 10)),
            "feb": post(customer, "debit", "25.00", entry_date=D(2026, 2, 10)),
            "mar": post(customer, "credit", "40.00", entry_date=D(2026, 3, 10)),
            "other": post(other, "credit", "5.00", entry_date=D(2026, 2, 20)),
        }

    def ids(self, response):
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()["results"]]

    def test_filters(self, client, customer, history):
        h = {k: v.pk for k, v in history.items()}
        get = lambda q: self.ids(client.get(f"/api/entries/?{q}"))  # noqa: E731
        assert get("") == [h["mar"], h["other"], h["feb"], h["jan"]]
        assert get(f"customer={customer.pk}") == [h["mar"], h["feb"], h["jan"]]
        assert get("type=debit") == [h["feb"]]
        assert get("start_date=2026-02-10") == [h["mar"], h["other"], h["feb"]]
        assert get("end_date=2026-02-10") == [h["feb"], h["jan"]]
        assert get("start_date=2026-02-10&end_date=2026-02-20") == [h["other"], h["feb"]]
        assert get("start_date=2026-02-10&end_date=2026-02-10") == [h["feb"]]
        assert get("min_amount=10&max_amount=25.00") == [h["feb"], h["jan"]]
        assert get("min_amount=10.01") == [h["mar"], h["feb"]]
        assert get(f"customer={customer.pk}&type=credit&start_date=2026-02-01") == [h["mar"]]

    def test_nested_list_is_the_customers_history(self, client, customer, history):
        ids = self.ids(client.get(f"/api/customers/{customer.pk}/entries/?type=credit"))
        assert ids == [history["mar"].pk, history["jan"].pk]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("start_date=2026-13-01", "start_date"),
            ("end_date=yesterday", "end_date"),
            ("start_date=2026-03-01&end_date=2026-02-01", "end_date"),
            ("type=refund", "type"),
            ("customer=abc", "customer"),
            ("customer=1.5", "customer"),
            ("customer=99999999999999999999999", "customer"),
            ("min_amount=ten", "min_amount"),
            ("min_amount=0.001", "min_amount"),
            ("max_amount=NaN", "max_amount"),
            ("min_amount=5&max_amount=1", "max_amount"),
            ("ordering=note", "ordering"),
            ("ordering=entry_date,bogus", "ordering"),
            ("page_size=-1", "page_size"),
        ],
    )
    def test_a_malformed_filter_value_is_a_400(self, client, history, query, field):
        response = client.get(f"/api/entries/?{query}")
        assert response.status_code == 400
        assert field in response.json()

    def test_filtering_by_another_users_customer_answers_like_a_missing_one(
        self, client, history, others_customer
    ):
        theirs = client.get(f"/api/entries/?customer={others_customer.pk}")
        missing = client.get("/api/entries/?customer=999999")
        assert theirs.status_code == missing.status_code == 400
        assert theirs.json() == missing.json()

    def test_each_merchant_in_turn_filters_by_their_own_customers_only(
        self, client, customer, other_user, others_customer
    ):
        # The filter's form is built once and shared; the choices are each request's own.
        post(customer)
        post(others_customer)
        theirs = client_for(other_user)
        for _ in range(2):
            mine = client.get(f"/api/entries/?customer={customer.pk}").json()
            assert [row["customer"] for row in mine["results"]] == [customer.pk]
            own = theirs.get(f"/api/entries/?customer={others_customer.pk}").json()
            assert [row["customer"] for row in own["results"]] == [others_customer.pk]
            assert client.get(f"/api/entries/?customer={others_customer.pk}").status_code == 400
            assert theirs.get(f"/api/entries/?customer={customer.pk}").status_code == 400

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("amount", ["other", "jan", "feb", "mar"]),
            ("-amount", ["mar", "feb", "jan", "other"]),
            ("entry_date", ["jan", "feb", "other", "mar"]),
            ("created_at", ["jan", "feb", "mar", "other"]),
            ("-created_at", ["other", "mar", "feb", "jan"]),
        ],
    )
    def test_ordering(self, client, history, ordering, expected):
        ids = self.ids(client.get(f"/api/entries/?ordering={ordering}"))
        assert ids == [history[name].pk for name in expected]

    def test_pagination(self, client, history):
        page = client.get("/api/entries/?page_size=3&page=2").json()
        assert (page["count"], len(page["results"])) == (4, 1)
        assert page["next"] is None and "page_size=3" in page["previous"]
        assert client.get("/api/entries/?page=3&page_size=3").status_code == 404

    def test_lists_never_show_another_users_entries(self, client, history, others_customer):
        post(others_customer)
        assert client.get("/api/entries/").json()["count"] == 4


class TestPagesAgreeWithTheEntries:
    """Each page of a filtered, ordered list holds what the entries themselves say it should,
    ties broken by id so that pages neither repeat nor skip an entry."""

    @pytest.mark.parametrize(
        ("query", "lookups", "ordering"),
        [
            ("", {}, ["-entry_date", "-id"]),
            ("type=debit&ordering=amount", {"type": "debit"}, ["amount"]),
            (
                "start_date=2026-01-10&end_date=2026-02-20&ordering=-amount,entry_date",
                {"entry_date__gte": D(2026, 1, 10), "entry_date__lte": D(2026, 2, 20)},
                ["-amount", "entry_date"],
            ),
            (
                "min_amount=3&max_amount=7.50&ordering=created_at",
                {"amount__gte": Decimal("3"), "amount__lte": Decimal("7.50")},
                ["created_at"],
            ),
        ],
    )
    def test_each_page_lists_what_the_queryset_holds(
        self, client, user, customer, query, lookups, ordering
    ):
        other = make_customer(user, name="Other")
        for n in range(23):
            post(
                customer if n % 3 else other,
                "debit" if n % 2 else "credit",
                Decimal(n + 1) / 2,
                entry_date=D(2026, 1, 1) + datetime.timedelta(days=n * 3),
            )
        client.post(f"/api/entries/{Entry.objects.first().pk}/reverse/", {}, format="json")
        for url, scope in [
            (f"/api/entries/?page_size=4&{query}", {}),
            (f"/api/customers/{customer.pk}/entries/?page_size=4&{query}", {"customer": customer}),
        ]:
            expected = list(
                Entry.objects.filter(book=book_of(user), **scope, **lookups)
                .order_by(*ordering)
                .values_list("id", "reversed_by__id")
            )
            listed, page = [], f"{url}&page=1"
            while page:
                body = client.get(page).json()
                listed += [(item["id"], item["reversed_by"]) for item in body["results"]]
                page = body["next"]
            assert body["count"] == len(expected)
            # Ties in the ordering may come in either order; the pages hold each entry once.
            assert sorted(listed) == sorted(expected)
            key = [field.removeprefix("-") for field in ordering]
            values = dict(Entry.objects.values_list("id", *key[:1]))
            assert [values[i] for i, _ in listed] == [values[i] for i, _ in expected]


class TestQueryCounts:
    @pytest.mark.parametrize("entries", [1, 40])
    def test_entry_lists_do_not_grow_with_the_data(
        self, client, customer, entries, django_assert_max_num_queries
    ):
        for n in range(entries):
            entry = post(customer, amount=n + 1)
            if n % 3 == 0:
                client.post(f"/api/entries/{entry.pk}/reverse/")
        with django_assert_max_num_queries(4):  # user, book and role, count, page
            client.get("/api/entries/?page_size=200")
        with django_assert_max_num_queries(5):  # user, book, customer, count, page
            client.get(f"/api/customers/{customer.pk}/entries/?page_size=200")

    def test_summary_and_dashboard_cost_a_fixed_number_of_queries(
        self, client, customer, user, django_assert_max_num_queries
    ):
        for n in range(30):
            post(make_customer(user, name=f"C{n}"), amount=n + 1)
            post(customer, amount=n + 1)
        with django_assert_max_num_queries(3):  # user, book and role, customer row
            client.get(f"/api/customers/{customer.pk}/summary/")
        with django_assert_max_num_queries(4):  # user, book, customer, one aggregate
            client.get(f"/api/customers/{customer.pk}/summary/?as_of=2026-01-15")
        # user, book and role, one aggregate of the customers, the parties that owe, and the
        # book's dues of the last 90 days and after
        with django_assert_max_num_queries(5):
            client.get("/api/summary/")


def aged(amounts: dict) -> dict:
    """Ageing buckets: the given amounts, the rest zero."""
    return {b: amounts.get(b, "0.00") for b in ("current", "1-30", "31-60", "61-90", "90+")}


class TestSummary:
    def test_summary_reads_the_running_totals(self, client, customer):
        post(customer, "credit", "5000.00", entry_date=D(2026, 1, 1))
        post(customer, "debit", "2000.00", entry_date=D(2026, 1, 20))
        response = client.get(f"/api/customers/{customer.pk}/summary/")
        assert response.status_code == 200
        assert response.json() == {
            "customer": customer.pk,
            "total_credit": "5000.00",
            "total_debit": "2000.00",
            "balance": "3000.00",
            "entry_count": 2,
            "last_entry_date": "2026-01-20",
        }

    def test_as_of_counts_entries_dated_on_or_before_the_day(self, client, customer):
        post(customer, "credit", "100.00", entry_date=D(2026, 1, 1))
        post(customer, "debit", "30.00", entry_date=D(2026, 1, 10))
        post(customer, "credit", "7.00", entry_date=D(2026, 1, 11))
        body = client.get(f"/api/customers/{customer.pk}/summary/?as_of=2026-01-10").json()
        assert (body["total_credit"], body["total_debit"], body["balance"]) == (
            "100.00",
            "30.00",
            "70.00",
        )
        assert (body["entry_count"], body["last_entry_date"]) == (2, "2026-01-10")
        empty = client.get(f"/api/customers/{customer.pk}/summary/?as_of=2025-12-31").json()
        assert (empty["balance"], empty["entry_count"], empty["last_entry_date"]) == (
            "0.00",
            0,
            None,
        )

    @pytest.mark.parametrize("as_of", ["2026-02-30", "soon", ""])
    def test_a_malformed_as_of_is_a_400(self, client, customer, as_of):
        response = client.get(f"/api/customers/{customer.pk}/summary/?as_of={as_of}")
        assert response.status_code == 400
        assert "as_of" in response.json()

    def test_v1_spellings_reach_the_same_summary(self, client, customer):
        post(customer, "credit", "12.00")
        expected = client.get(f"/api/customers/{customer.pk}/summary/").json()
        assert client.get(f"/app/customers/{customer.pk}/summary/").json() == expected
        assert client.get(f"/app/customers/{customer.pk}/summery/").json() == expected

    def test_dashboard(self, client, customer, user):
        post(customer, "credit", "100.00")
        post(make_customer(user, name="Advance"), "debit", "40.00")
        response = client.get("/api/summary/")
        assert response.status_code == 200
        assert response.json() == {
            "total_receivable": "100.00",
            "total_payable": "40.00",
            "net": "60.00",
            "customer_count": 2,
            "customers_with_dues": 1,
            "by_kind": {
                "customer": {"receivable": "100.00", "payable": "40.00"},
                "supplier": {"receivable": "0.00", "payable": "0.00"},
            },
            # The credit of 2026-01-15 fell due that day: more than 90 days ago by now.
            "overdue": {"receivable": "100.00", "payable": "0.00"},
            "ageing": {"receivable": aged({"90+": "100.00"}), "payable": aged({})},
        }

    def test_a_dashboard_past_two_to_the_sixty_three_cents_is_exact(self, client, user):
        """Balances that add up past what a 64-bit sum holds: exact figures, not a 503."""
        top = 2**63 - 1  # the most a customer's running total may hold, in cents
        owing = [make_customer(user, name=f"Owes {n}") for n in range(3)]
        owed = [make_customer(user, name=f"Paid ahead {n}") for n in range(2)]
        Customer.objects.filter(pk__in=[c.pk for c in owing]).update(total_credit=from_cents(top))
        Customer.objects.filter(pk=owing[0].pk).update(total_debit=Decimal("0.07"))
        Customer.objects.filter(pk__in=[c.pk for c in owed]).update(total_debit=from_cents(top))
        # What they owe falls due in 2099 (dues as the trigger would have written them for
        # credits of that size): all of it current, its sum exact too.
        Due.objects.bulk_create(
            Due(
                book=c.book,
                customer=c,
                entry_id=10**12 + n,
                due_date=D(2099, 1, 1),
                entry_date=D(2026, 1, 1),
                amount=from_cents(top),
            )
            for n, c in enumerate(owing)
        )
        response = client.get("/api/summary/")
        assert response.status_code == 200
        receivable, payable = 3 * top - 7, 2 * top
        assert response.json() == {
            "total_receivable": str(from_cents(receivable)),
            "total_payable": str(from_cents(payable)),
            "net": str(from_cents(receivable - payable)),
            "customer_count": 5,
            "customers_with_dues": 3,
            "by_kind": {
                "customer": {
                    "receivable": str(from_cents(receivable)),
                    "payable": str(from_cents(payable)),
                },
                "supplier": {"receivable": "0.00", "payable": "0.00"},
            },
            "overdue": {"receivable": "0.00", "payable": "0.00"},
            "ageing": {
                "receivable": aged({"current": str(from_cents(receivable))}),
                "payable": aged({}),
            },
        }


class TestIdempotency:
    def send(self, client, url, body, key="key-1"):
        return client.post(
            url, data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    @pytest.mark.parametrize("route", ["flat", "nested"])
    def test_the_same_key_and_body_replays_the_first_answer(self, client, customer, route):
        url = "/api/entries/" if route == "flat" else f"/api/customers/{customer.pk}/entries/"
        body = {"type": "credit", "amount": "10.00", "entry_date": "2026-01-01"}
        if route == "flat":
            body["customer"] = customer.pk
        first = self.send(client, url, body)
        second = self.send(client, url, body)
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert Entry.objects.count() == 1
        customer.refresh_from_db()
        assert customer.total_credit == Decimal("10.00")

    def test_the_same_key_with_another_body_is_a_422(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/"
        self.send(client, url, {"type": "credit", "amount": "10.00"})
        response = self.send(client, url, {"type": "credit", "amount": "11.00"})
        assert response.status_code == 422
        assert "detail" in response.json()
        assert Entry.objects.count() == 1

    def test_key_order_and_whitespace_do_not_make_another_request(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/"
        first = '{"type": "credit", "amount": "10.00", "note": "rice"}'
        same = '{ "note":"rice",\n  "amount":"10.00","type":"credit" }'
        sent = [
            client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
            for body in (first, same)
        ]
        assert [r.status_code for r in sent] == [201, 201]
        assert sent[1]["Idempotent-Replayed"] == "true"
        assert Entry.objects.count() == 1

    def test_the_same_key_on_another_query_string_is_a_422(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/"
        self.send(client, url, {"type": "credit", "amount": "10.00"})
        response = self.send(client, f"{url}?format=json", {"type": "credit", "amount": "10.00"})
        assert response.status_code == 422
        assert Entry.objects.count() == 1

    def test_keys_are_scoped_to_the_user(self, client, other_client, customer, others_customer):
        body = {"type": "credit", "amount": "1.00"}
        mine = self.send(client, f"/api/customers/{customer.pk}/entries/", body)
        theirs = self.send(other_client, f"/api/customers/{others_customer.pk}/entries/", body)
        assert mine.status_code == theirs.status_code == 201
        assert "Idempotent-Replayed" not in theirs
        assert Entry.objects.count() == 2

    def test_a_failed_request_stores_no_key(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/"
        assert self.send(client, url, {"type": "credit", "amount": "0"}).status_code == 400
        assert not IdempotencyKey.objects.exists()
        assert self.send(client, url, {"type": "credit", "amount": "1"}).status_code == 201

    def test_a_refused_posting_stores_no_key(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/"
        assert client.delete(f"/api/customers/{customer.pk}/").status_code == 204  # archived
        assert self.send(client, url, {"type": "credit", "amount": "1"}).status_code == 409
        assert not IdempotencyKey.objects.exists() and not Entry.objects.exists()
        assert client.post(f"/api/customers/{customer.pk}/restore/").status_code == 200
        answer = self.send(client, url, {"type": "credit", "amount": "1"})
        assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
        replay = self.send(client, url, {"type": "credit", "amount": "1"})
        assert replay.json() == answer.json() and replay["Idempotent-Replayed"] == "true"

    def test_a_keyed_post_stores_its_answer_with_the_entry(
        self, client, customer, django_assert_num_queries
    ):
        url = f"/api/customers/{customer.pk}/entries/"
        # The user, the book and role, the customer, the key's lookup, the entry, the answer;
        # the savepoints of the posting's two transactions (the test's own transaction encloses
        # them); the customer's row after the posting (ledger.dues: nothing of it is settled,
        # so no due can come before a settled one); the book's webhooks (webhooks.outbox: none
        # here, so nothing more is written); on PostgreSQL the key's lock (SQLite's one writer
        # at a time holds every lock).
        with django_assert_num_queries(6 + 4 + 1 + 1 + (connection.vendor == "postgresql")):
            first = self.send(client, url, {"type": "credit", "amount": "1.00"})
        assert first.status_code == 201
        stored = IdempotencyKey.objects.get()
        assert (stored.response_status, stored.response_body) == (201, first.json())
        assert stored.response_body["id"] == Entry.objects.get().pk

    def test_reversal_honours_the_key(self, client, customer):
        original = post(customer)
        url = f"/api/entries/{original.pk}/reverse/"
        first = self.send(client, url, {})
        second = self.send(client, url, {})
        assert first.status_code == second.status_code == 201
        assert second["Idempotent-Replayed"] == "true"
        assert Entry.objects.count() == 2

    @pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
    def test_a_malformed_key_is_a_400(self, client, customer, key):
        response = self.send(
            client, f"/api/customers/{customer.pk}/entries/", {"type": "credit", "amount": "1"}, key
        )
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()
        assert not Entry.objects.exists()

    def test_a_255_character_key_is_accepted(self, client, customer):
        url = f"/api/customers/{customer.pk}/entries/"
        response = self.send(client, url, {"type": "credit", "amount": "1"}, "k" * 255)
        assert response.status_code == 201

    def test_keys_are_purged_after_the_retention(self, client, customer, settings):
        from django.core.management import call_command

        url = f"/api/customers/{customer.pk}/entries/"
        self.send(client, url, {"type": "credit", "amount": "1"})
        IdempotencyKey.objects.update(
            created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=49)
        )
        self.send(client, url, {"type": "credit", "amount": "2"}, key="fresh")
        call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_v1_flat_entries_and_filters(client, customer):
    response = client.post(
        "/app/entries/", {"customer": customer.pk, "type": "credit", "amount": "9.99"}
    )
    assert response.status_code == 201
    listed = client.get(f"/app/entries/?customer={customer.pk}&type=credit").json()
    assert [e["id"] for e in listed["results"]] == [response.json()["id"]]
    assert Customer.objects.get(pk=customer.pk).total_credit == Decimal("9.99")


class TestKnownCounts:
    """Lists by customer (and dates) take their count from the running or daily totals
    instead of COUNT(*); other filters count the entries, never the page's joined rows."""

    def counted(self, client, url):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        return body["count"], [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]

    def test_unfiltered_lists_count_from_the_totals(self, client, customer, user, others_customer):
        other = make_customer(user, name="Other")
        for n in range(7):
            post(customer, amount=n + 1)
        post(other)
        services_reverse = client.post(f"/api/entries/{Entry.objects.first().pk}/reverse/")
        assert services_reverse.status_code == 201
        post(others_customer)
        mine = Entry.objects.filter(book=book_of(user))

        count, counting = self.counted(client, f"/api/customers/{customer.pk}/entries/")
        assert count == mine.filter(customer=customer).count() and counting == []
        count, counting = self.counted(client, f"/api/entries/?customer={customer.pk}")
        assert count == mine.filter(customer=customer).count() and counting == []
        count, counting = self.counted(client, "/api/entries/")
        assert count == mine.count() and counting == []

    def test_filtered_lists_still_count_their_rows(self, client, customer):
        for n in range(5):
            post(customer, "credit" if n % 2 else "debit", n + 1)
        count, counting = self.counted(client, f"/api/entries/?customer={customer.pk}&type=debit")
        assert count == 3 and len(counting) == 1

    def test_date_ranges_of_a_customer_count_from_the_daily_totals(self, client, customer):
        for day in [D(2026, 1, 31), D(2026, 2, 1), D(2026, 2, 1), D(2026, 2, 28), D(2026, 3, 1)]:
            post(customer, entry_date=day)
        for query, expected in [
            ("start_date=2026-02-01&end_date=2026-02-28", 3),
            ("start_date=2026-02-01", 4),
            ("end_date=2026-02-01", 3),
            ("start_date=2026-04-01", 0),
        ]:
            for url in [
                f"/api/entries/?customer={customer.pk}&{query}",
                f"/api/customers/{customer.pk}/entries/?{query}",
            ]:
                count, counting = self.counted(client, url)
                assert (count, counting) == (expected, []), url

    def test_a_counted_list_counts_entries_without_joining_their_reversals(self, client, customer):
        for n in range(3):
            post(customer, amount=n + 1)
        client.post(f"/api/entries/{Entry.objects.first().pk}/reverse/", {}, format="json")
        count, counting = self.counted(client, f"/api/entries/?customer={customer.pk}&type=credit")
        assert count == 3
        assert len(counting) == 1 and "JOIN" not in counting[0].upper()
