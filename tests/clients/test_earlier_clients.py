"""The two earlier backends' clients (v1 and v2), each driven through a whole session
exactly as its document describes, against this server unchanged."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "khata-password-2026"


def test_a_v1_client_session():
    """Seed 000: /app/register/, JWT from /api/token/ sent as Bearer, /app/ business routes,
    flat /app/entries/ with `customer` in the body, filters, and the /summery/ spelling."""
    client = APIClient()
    registered = client.post("/app/register/", {"username": "v1shop", "password": PASSWORD})
    assert registered.status_code == 201

    tokens = client.post("/api/token/", {"username": "v1shop", "password": PASSWORD}).json()
    assert {"access", "refresh"} <= set(tokens)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    created = client.post("/app/customers/", {"name": "Ramesh", "phone": "9876543210"})
    assert created.status_code == 201
    customer = created.json()["id"]
    other = client.post("/app/customers/", {"name": "Suresh"}).json()["id"]
    listed = client.get("/app/customers/").json()
    assert {c["id"] for c in listed["results"]} == {customer, other}
    updated = client.put(f"/app/customers/{customer}/", {"name": "Ramesh K", "phone": "9876543210"})
    assert updated.status_code == 200 and updated.json()["name"] == "Ramesh K"

    for body in [
        {
            "customer": customer,
            "type": "credit",
            "amount": "5000",
            "note": "rice",
            "entry_date": "2026-01-05",
        },
        {
            "customer": customer,
            "type": "debit",
            "amount": "2000",
            "note": "cash",
            "entry_date": "2026-01-20",
        },
        {"customer": other, "type": "credit", "amount": "75.50", "entry_date": "2026-01-07"},
    ]:
        assert client.post("/app/entries/", body).status_code == 201

    by_customer = client.get(f"/app/entries/?customer={customer}").json()
    assert by_customer["count"] == 2
    credits = client.get(f"/app/entries/?customer={customer}&type=credit").json()
    assert [e["amount"] for e in credits["results"]] == ["5000.00"]
    since = client.get("/app/entries/?start_date=2026-01-06").json()
    assert sorted(e["amount"] for e in since["results"]) == ["2000.00", "75.50"]

    summery = client.get(f"/app/customers/{customer}/summery/").json()
    summary = client.get(f"/app/customers/{customer}/summary/").json()
    assert summery == summary
    assert (Decimal(summery["total_credit"]), Decimal(summery["total_debit"])) == (5000, 2000)
    assert Decimal(summery["balance"]) == 3000

    refreshed = client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200 and "access" in refreshed.json()

    assert client.delete(f"/app/customers/{other}/").status_code == 204
    assert [c["id"] for c in client.get("/app/customers/").json()["results"]] == [customer]

    # Another v1 user sees none of it.
    stranger = APIClient()
    stranger.post("/app/register/", {"username": "v1other", "password": PASSWORD})
    token = stranger.post("/api/token/", {"username": "v1other", "password": PASSWORD}).json()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    assert stranger.get("/app/customers/").json()["count"] == 0
    assert stranger.get(f"/app/customers/{customer}/summery/").status_code == 404


def test_a_v2_client_session():
    """Seed 001: /api/auth/register/ and /api/auth/login/, the `token` field sent as
    `Authorization: Token <token>`, /api/customers/, nested entries with filters, summary."""
    client = APIClient()
    assert (
        client.post("/api/auth/register/", {"username": "v2shop", "password": PASSWORD}).status_code
        == 201
    )
    login = client.post("/api/auth/login/", {"username": "v2shop", "password": PASSWORD}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {login['token']}")

    customer = client.post("/api/customers/", {"name": "Anita"}).json()["id"]
    assert client.get("/api/customers/").json()["count"] == 1
    assert client.put(f"/api/customers/{customer}/", {"name": "Anita S"}).status_code == 200

    entries = f"/api/customers/{customer}/entries/"
    assert (
        client.post(
            entries, {"type": "credit", "amount": "5000", "entry_date": "2026-02-01"}
        ).status_code
        == 201
    )
    assert (
        client.post(
            entries, {"type": "debit", "amount": "2000", "entry_date": "2026-02-10"}
        ).status_code
        == 201
    )
    assert (
        client.post(
            entries, {"type": "credit", "amount": "10", "entry_date": "2026-03-01"}
        ).status_code
        == 201
    )

    assert client.get(f"{entries}?type=credit").json()["count"] == 2
    assert client.get(f"{entries}?type=debit").json()["count"] == 1
    february = client.get(f"{entries}?start_date=2026-02-01&end_date=2026-02-28").json()
    assert sorted(e["amount"] for e in february["results"]) == ["2000.00", "5000.00"]

    summary = client.get(f"/api/customers/{customer}/summary/").json()
    assert {"total_credit", "total_debit", "balance"} <= set(summary)
    assert (summary["total_credit"], summary["total_debit"], summary["balance"]) == (
        "5010.00",
        "2000.00",
        "3010.00",
    )
    assert client.delete(f"/api/customers/{customer}/").status_code == 204
    assert client.get("/api/customers/").json()["count"] == 0
