"""Input the fuzzer taught us to refuse cleanly: every one a 400 {field: [...]}, never a 500."""

import pytest

from customers.models import Customer
from ledger.models import Entry
from tests.factories import post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=", "start_date"),
        ("type=", "type"),
        ("min_amount=", "min_amount"),
        ("customer=", "customer"),
        ("format=", "format"),
        ("format=xml", "format"),
        ("min_amount=1e3", "min_amount"),
    ],
)
def test_empty_or_unknown_query_values_are_a_400(client, customer, query, field):
    response = client.get(f"/api/entries/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("query", ["page_size=true", "page=0", "page=x"])
def test_the_csv_export_refuses_malformed_page_parameters_too(client, customer, query):
    response = client.get(f"/api/entries/?format=csv&{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_an_empty_ordering_is_the_default_order(client, customer):
    assert client.get("/api/entries/?ordering=").status_code == 200


def test_an_empty_archived_value_is_a_400(client, customer):
    response = client.get("/api/customers/?archived=")
    assert response.status_code == 400 and "archived" in response.json()


def test_a_nul_in_search_is_a_400_object(client, customer):
    response = client.get("/api/customers/?search=a%00b")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize("body", ['{"name": "\\ud800"}', '{"name": "ok", "address": "\\udfff"}'])
def test_lone_surrogates_in_json_are_a_400(client, user, body):
    response = client.post("/api/customers/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 0}, "name"),
        ({"name": "ok", "address": 12}, "address"),
        ({"name": "ok", "phone": 5551234}, "phone"),
        ({"name": "ok", "email": 1}, "email"),
    ],
)
def test_numbers_where_text_belongs_are_a_400(client, user, body, field):
    response = client.post("/api/customers/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Customer.objects.exists()


def test_amount_text_must_be_a_plain_decimal_but_a_json_number_is_a_number(client, customer):
    url = f"/api/customers/{customer.pk}/entries/"
    text = client.post(
        url, data='{"type": "credit", "amount": "1e3"}', content_type="application/json"
    )
    assert text.status_code == 400 and "amount" in text.json()
    number = client.post(
        url, data='{"type": "credit", "amount": 1e3}', content_type="application/json"
    )
    assert number.status_code == 201 and number.json()["amount"] == "1000.00"


@pytest.mark.parametrize("key", ["é-key", " padded", "padded ", "x" * 256])
def test_idempotency_keys_are_printable_ascii(client, customer, key):
    response = client.post(
        f"/api/customers/{customer.pk}/entries/",
        {"type": "credit", "amount": "1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Entry.objects.exists()


def test_an_import_with_no_body_is_a_400(client, customer):
    response = client.post(f"/api/customers/{customer.pk}/entries/import/")
    assert response.status_code == 400 and response.json()["line"] == 1


def test_statement_with_an_empty_format_is_a_400(client, customer):
    post(customer)
    response = client.get(f"/api/customers/{customer.pk}/statement/?format=")
    assert response.status_code == 400 and "format" in response.json()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (
            "/api/customers/",
            "archived, format, has_dues, ordering, overdue, page, page_size, search",
        ),
        (
            "/api/entries/",
            "customer, end_date, format, max_amount, min_amount, ordering, page, page_size, "
            "start_date, type",
        ),
        (
            "/api/customers/{c}/entries/",
            "customer, end_date, format, max_amount, min_amount, ordering, page, page_size, "
            "start_date, type",
        ),
        ("/api/auth/tokens/", "format, page, page_size"),
        ("/app/entries/", None),
    ],
)
def test_an_unknown_list_parameter_is_a_400_naming_the_allowed_ones(
    client, customer, path, allowed
):
    post(customer)
    url = path.format(c=customer.pk)
    for query in ["?custmer=1", "?page_size=5&startdate=2026-01-01", "?page=1&colour=red"]:
        response = client.get(url + query)
        assert response.status_code == 400, query
        unknown = next(name for name in response.json())
        assert unknown in {"custmer", "startdate", "colour"}
        if allowed:
            assert response.json()[unknown] == [f"Unknown parameter; this list takes {allowed}."]
    assert client.get(url + "?format=json&page=1").status_code == 200


def test_an_unknown_parameter_on_the_csv_export_is_a_json_400(client, customer):
    response = client.get("/api/entries/?format=csv&custmer=1")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "custmer" in response.json()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/customers/{c}/summary/", "as_of, format"),
        ("/app/customers/{c}/summery/", "as_of, format"),
        ("/api/customers/{c}/statement/", "cursor, end_date, format, page_size, start_date"),
    ],
)
def test_an_unknown_parameter_of_a_customer_route_is_a_400_naming_the_allowed_ones(
    client, customer, path, allowed
):
    # A misspelt `as_of` or `end_date` would otherwise answer for the whole ledger.
    post(customer)
    url = path.format(c=customer.pk)
    response = client.get(f"{url}?asof=2026-01-01")
    assert response.status_code == 400
    assert response.json() == {"asof": [f"Unknown parameter; this route takes {allowed}."]}
    assert client.get(f"{url}?format=json").status_code == 200


def test_an_unknown_parameter_of_the_import_is_a_400_and_imports_nothing(client, customer):
    response = client.post(
        f"/api/customers/{customer.pk}/entries/import/?dryrun=true",
        data=b"type,amount\ncredit,5.00\n",
        content_type="text/csv",
    )
    assert response.status_code == 400 and "dryrun" in response.json()
    assert customer.entries.count() == 0
