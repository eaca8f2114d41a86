"""Citus under trouble (make reliability's Citus run, scripts/with-citus): a stopped worker
takes down only the books on its shards, and a third worker added and rebalanced onto takes
its share of the books with nothing lost."""

import os
import secrets
import shlex
import subprocess
import time
from decimal import Decimal
from urllib.parse import urlparse

import psycopg
import pytest
import requests

from tests.live.server import citus_nodes, register
from tests.reliability.conftest import wait_for

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.live,
    pytest.mark.citus,
    pytest.mark.skipif(
        not os.environ.get("CITUS_NODES"), reason="on a Citus cluster only (scripts/with-citus)"
    ),
]


def pg_ctl(node: str, *args: str):
    data = f"{os.environ['CITUS_DIR']}/{node}/data"
    command = [*shlex.split(os.environ["PG_CTL_AS_OWNER"]), "-D", data, "-w", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def start_node(node: str):
    log = f"{os.environ['CITUS_DIR']}/{node}/server.log"
    pg_ctl(node, "-l", log, "-o", os.environ["CITUS_START_OPTIONS"], "start")


def sql(database_url: str, statement: str, params=(), port: int | None = None):
    parsed = urlparse(database_url)
    with psycopg.connect(
        host="127.0.0.1",
        port=port or parsed.port,
        user=parsed.username,
        dbname=parsed.path.lstrip("/"),
        autocommit=True,
    ) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def node_of(server, book: int) -> int:
    """The port of the worker holding the book's shard."""
    return sql(
        server.database_url,
        "SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) "
        "WHERE p.shardid = get_shard_id_for_distribution_column('customers_customer', %s)",
        [book],
    )[0][0]


class Merchant:
    """A registered merchant with one customer in their book, through the live server."""

    def __init__(self, server):
        self.server = server
        self.username = f"citus{secrets.token_hex(4)}"
        tokens = register(server.url, self.username)
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Token {tokens['token']}"
        self.book = self.api.get(f"{server.url}/api/auth/me/", timeout=10).json()["default_book"]
        self.customer = self.api.post(
            f"{server.url}/api/customers/", json={"name": "Ravi"}, timeout=10
        ).json()["id"]
        self.posted = Decimal(0)

    def post(self, amount: str):
        response = self.api.post(
            f"{self.server.url}/api/customers/{self.customer}/entries/",
            json={"type": "credit", "amount": amount},
            timeout=60,
        )
        if response.status_code == 201:
            self.posted += Decimal(amount)
        return response

    def summary(self):
        return self.api.get(f"{self.server.url}/api/customers/{self.customer}/summary/", timeout=60)


def verify_ledger(server):
    verify = server.verify_ledger()
    assert verify.returncode == 0, verify.stdout + verify.stderr


def merchants_on_each_worker(server):
    """Register merchants until each of the two workers holds at least one of their books."""
    found: dict[int, Merchant] = {}
    for _ in range(40):
        merchant = Merchant(server)
        found.setdefault(node_of(server, merchant.book), merchant)
        if len(found) == 2:
            return found
    raise AssertionError("every book landed on one worker")


def test_a_stopped_worker_takes_down_only_the_books_on_its_shards(start_server):
    server = start_server(workers=2, DATABASE_POOL_TIMEOUT="2")
    ports = citus_nodes()
    on = merchants_on_each_worker(server)
    down, up = on[ports["worker1"]], on[ports["worker2"]]
    for merchant in (down, up):
        assert merchant.post("10.00").status_code == 201

    pg_ctl("worker1", "-m", "immediate", "stop")
    try:
        # The book on the stopped worker: a clean 503 in JSON, for reads and writes.
        for response in (down.summary(), down.post("1.00")):
            assert response.status_code == 503, response.text
            assert response.headers["Content-Type"] == "application/json"
            assert "detail" in response.json()
        # The book on the other worker, and logging in (users and tokens live on the
        # coordinator), carry on as if nothing happened.
        assert up.post("5.00").status_code == 201
        assert Decimal(up.summary().json()["total_credit"]) == up.posted
        assert up.api.get(f"{server.url}/api/customers/", timeout=30).status_code == 200
        again = requests.post(
            f"{server.url}/api/auth/login/",
            json={"username": up.username, "password": "a-long-live-password-9"},
            timeout=30,
        )
        assert again.status_code == 200, again.text
    finally:
        start_node("worker1")

    # Back: the same server, not restarted, serves the book again.
    assert wait_for(lambda: down.summary().status_code == 200, 60)
    assert down.post("2.00").status_code == 201
    for merchant in (down, up):
        assert Decimal(merchant.summary().json()["total_credit"]) == merchant.posted
    verify_ledger(server)


def test_a_third_worker_added_and_rebalanced_onto_takes_books_and_loses_nothing(start_server):
    server = start_server(workers=2)
    ports = citus_nodes()
    merchants = [Merchant(server) for _ in range(8)]
    for n, merchant in enumerate(merchants):
        for amount in ("10.00", f"{n + 1}.25"):
            assert merchant.post(amount).status_code == 201
    database = urlparse(server.database_url).path.lstrip("/")
    spare = ports["spare"]
    sql(
        server.database_url.replace(database, "postgres"),
        f'CREATE DATABASE "{database}"',
        port=spare,
    )
    sql(server.database_url, "CREATE EXTENSION citus", port=spare)
    sql(server.database_url, "SELECT citus_add_node('127.0.0.1', %s)", [spare])
    # Online: shards move with logical replication while the books keep taking entries.
    sql(server.database_url, "SELECT citus_rebalance_start()")
    while sql(server.database_url, "SELECT state FROM citus_rebalance_status()")[0][0] not in (
        "finished",
        "failed",
        "cancelled",
    ):
        for merchant in merchants[:2]:
            assert merchant.post("1.00").status_code == 201
        time.sleep(0.2)
    assert sql(server.database_url, "SELECT state FROM citus_rebalance_status()")[0][0] == (
        "finished"
    )
    shards = sql(
        server.database_url, "SELECT count(*) FROM citus_shards WHERE nodeport = %s", [spare]
    )[0][0]
    assert shards > 0, "nothing moved to the new worker"

    # Every book answers with exactly what it was given, wherever its shard now is; a book
    # on the new worker takes entries (the ledger's trigger moved with its shard).
    while not any(node_of(server, merchant.book) == spare for merchant in merchants):
        assert len(merchants) < 60, "no book lands on the new worker"
        merchants.append(Merchant(server))
    for merchant in merchants:
        assert merchant.post("0.50").status_code == 201
        summary = merchant.summary().json()
        assert Decimal(summary["total_credit"]) == merchant.posted, merchant.book
    verify_ledger(server)
