"""What a careless or hostile client sends: each a clear 4xx in JSON at its source, never a 500,
and nothing written."""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from ledger.models import Entry, IdempotencyKey
from tests.factories import post

pytestmark = pytest.mark.django_db

DEEP_LIST = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000


def written():
    return Customer.objects.count(), Entry.objects.count(), IdempotencyKey.objects.count()


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, "[" * 40 + "]" * 40])
@pytest.mark.parametrize(
    "path", ["/api/customers/", "/api/entries/", "/api/auth/login/", "/api/auth/register/"]
)
@pytest.mark.parametrize("signed_in", [True, False])
def test_a_body_nested_past_any_real_request_is_a_400(client, anon, path, body, signed_in):
    before = written()
    response = (client if signed_in else anon).post(path, body, content_type="application/json")
    assert response.status_code in (400, 401)
    assert "nested deeper than 32" in response.json()["detail"] or response.status_code == 401
    assert written() == before


def test_realistic_nesting_still_parses(client):
    body = '{"name": "Ravi", "phone": "+91 98765 43210", "address": "Shop 4"}'
    assert client.post("/api/customers/", body, content_type="application/json").status_code == 201


@pytest.mark.parametrize(
    "amount", ["1e999999999", "1e-999999999", "1E+308", "0." + "0" * 5000 + "1", "9" * 4000]
)
def test_numbers_at_the_decimal_parsers_extremes_are_a_400(client, customer, amount):
    for body in [
        f'{{"customer": {customer.pk}, "type": "credit", "amount": {amount}}}',
        f'{{"customer": {customer.pk}, "type": "credit", "amount": "{amount}"}}',
    ]:
        response = client.post("/api/entries/", body, content_type="application/json")
        assert response.status_code == 400, body[:80]
    for name in ["min_amount", "max_amount"]:
        assert client.get(f"/api/entries/?{name}={amount}").status_code == 400
    assert not Entry.objects.exists()


OTHER_DIGITS = ["٣", "²", "３", "१", "𝟑", "1²"]


@pytest.mark.parametrize("digits", OTHER_DIGITS)
@pytest.mark.parametrize("name", ["page", "page_size", "customer"])
def test_digits_of_other_scripts_in_query_integers_are_a_400(client, customer, digits, name):
    post(customer)
    response = client.get(f"/api/entries/?{name}={digits}")
    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize("digits", OTHER_DIGITS)
def test_digits_of_other_scripts_in_ids_match_nothing(client, customer, digits):
    entry = post(customer)
    for path in [f"/api/customers/{digits}/", f"/api/entries/{digits}/"]:
        assert client.get(path).status_code == 404
    body = {"customer": digits, "type": "credit", "amount": "1"}
    response = client.post("/api/entries/", body, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    assert list(Entry.objects.values_list("pk", flat=True)) == [entry.pk]


BAD_DATES = [
    "2026-W03-4",
    "2026W034",
    "20260115",
    "2026-1-15",
    "2026-01-5",
    "２０２６-０１-１５",
    "٢٠٢٦-٠١-١٥",
    "2026-01-15T00:00",
    "2026-02-30",
    " 2026-01-15x",
]


@pytest.mark.parametrize("text", BAD_DATES)
def test_dates_are_yyyy_mm_dd_only_in_bodies_queries_and_csv(client, customer, text):
    entry = post(customer)
    body = {"customer": customer.pk, "type": "credit", "amount": "1", "entry_date": text}
    assert client.post("/api/entries/", body, format="json").status_code == 400
    reverse = client.post(f"/api/entries/{entry.pk}/reverse/", {"entry_date": text}, format="json")
    assert reverse.status_code == 400
    for query in [
        f"/api/entries/?start_date={text}",
        f"/api/customers/{customer.pk}/entries/?end_date={text}",
        f"/api/customers/{customer.pk}/summary/?as_of={text}",
        f"/api/customers/{customer.pk}/statement/?start_date={text}",
    ]:
        assert client.get(query).status_code == 400, query
    csv = f"type,amount,entry_date\ncredit,5,{text}\n".encode()
    imported = client.post(
        f"/api/customers/{customer.pk}/entries/import/", csv, content_type="text/csv"
    )
    assert imported.status_code == 400
    assert Entry.objects.count() == 1


def test_a_plain_date_is_taken(client, customer):
    body = {"customer": customer.pk, "type": "credit", "amount": "1", "entry_date": "2026-01-15"}
    assert client.post("/api/entries/", body, format="json").json()["entry_date"] == "2026-01-15"


ENTRY = {"type": "credit", "amount": "12.50", "note": "sugar"}


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
def test_every_body_encoding_honours_an_idempotency_key(client, customer, encoding):
    body = {"customer": customer.pk, **ENTRY}

    def send(**changes):
        data = {**body, **changes}
        if encoding == "form":
            return client.post(
                "/api/entries/",
                urlencode(data),
                content_type="application/x-www-form-urlencoded",
                HTTP_IDEMPOTENCY_KEY="k1",
            )
        return client.post("/api/entries/", data, format=encoding, HTTP_IDEMPOTENCY_KEY="k1")

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert send(amount="13").status_code == 422
    assert Entry.objects.count() == 1


def test_a_multipart_body_is_held_to_the_body_size_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    upload = SimpleUploadedFile("big.bin", b"x" * 20_000)
    response = client.post("/api/customers/", {"name": "X", "f": upload}, format="multipart")
    assert response.status_code == 413
    assert "detail" in response.json()
    assert not Customer.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_without_the_trailing_slash_is_a_308_that_keeps_the_method(
    client, customer, method
):
    response = getattr(client, method)(f"/api/customers/{customer.pk}", {"name": "New"})
    assert response.status_code == 308
    assert response["Location"] == f"/api/customers/{customer.pk}/"
    assert "detail" in response.json()
    customer.refresh_from_db()
    assert (customer.name, customer.archived_at) == ("Ravi Kumar", None)


def test_following_the_308_makes_the_write_once(client, customer):
    response = client.post(
        "/api/entries", {"customer": customer.pk, **ENTRY}, format="json", follow=True
    )
    assert response.status_code == 201
    assert Entry.objects.count() == 1


def test_numbers_past_any_id_are_capped_past_the_end_or_matched_by_nothing(client, customer):
    post(customer)
    huge = "9" * 30
    capped = client.get(f"/api/entries/?page_size={huge}")
    assert capped.status_code == 200 and capped.json()["count"] == 1
    assert client.get(f"/api/entries/?page={huge}").status_code == 404
    assert "customer" in client.get(f"/api/entries/?customer={huge}").json()
    body = {"customer": huge, "type": "credit", "amount": "1"}
    assert client.post("/api/entries/", body, format="json").status_code == 400
    assert client.get(f"/api/entries/?page={'9' * 5000}").status_code == 400
