"""The API's shape: one router whose root lists the routes, mounted again for the v1 clients,
and apps that depend one way (accounts <- books <- customers <- ledger <- archives; jobs <- the
others)."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("prefix", ["/api/", "/app/"])
def test_the_api_root_lists_every_top_level_route(client, prefix):
    response = client.get(prefix)
    assert response.status_code == 200
    routes = response.json()
    expected = {"auth/tokens", "auth/invitations", "customers", "entries", "summary", "jobs"}
    assert set(routes) == expected | {"books", "books/import"}
    assert routes["customers"] == f"http://testserver{prefix}customers/"


def test_the_browsable_api_root_is_a_page(client):
    response = client.get("/api/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"/api/customers/" in response.content


def test_the_api_root_needs_a_sign_in(anon):
    assert anon.get("/api/").status_code == 401


@pytest.mark.parametrize("path", ["summary", "summery"])
def test_the_customer_summary_is_an_action_at_both_spellings(client, customer, path):
    for prefix in ["/api/", "/app/"]:
        response = client.get(f"{prefix}customers/{customer.pk}/{path}/")
        assert response.status_code == 200
        assert response.json()["customer"] == customer.pk


def imported_apps(app: str) -> set[str]:
    """The first-party apps that the app's modules import."""
    names = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
    return names & {"accounts", "books", "customers", "ledger", "archives", "jobs"}


@pytest.mark.parametrize(
    ("app", "may_import"),
    [
        ("accounts", {"accounts"}),
        ("books", {"accounts", "books"}),
        ("customers", {"accounts", "books", "customers"}),
        ("ledger", {"accounts", "books", "customers", "ledger", "jobs"}),
        ("jobs", {"jobs"}),  # the queue knows no app: the apps register their job kinds with it
    ],
)
def test_apps_depend_one_way(app, may_import):
    assert imported_apps(app) <= may_import


def test_the_browsable_api_names_the_customer_list_as_such(client):
    response = client.get("/api/customers/", HTTP_ACCEPT="text/html")
    assert b"<h1>Customer List</h1>" in response.content
