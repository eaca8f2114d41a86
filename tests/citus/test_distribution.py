"""On Citus (make test-citus): the tables are distributed by book as common/citus.py says, and
each request of a book is routed to one shard, shown with EXPLAIN of the queries it ran."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.citus import DISTRIBUTED, REFERENCE
from reminders.services import enabled_books
from tests.factories import make_customer, make_user, post

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("CITUS_NODES"), reason="on a Citus cluster only (make test-citus)"
    ),
]


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_every_book_table_is_distributed_by_book_in_one_colocation_group():
    kinds = dict(rows("SELECT table_name::text, citus_table_type FROM citus_tables"))
    assert {table: kinds.get(table) for table in DISTRIBUTED} == dict.fromkeys(
        DISTRIBUTED, "distributed"
    )
    assert {table: kinds.get(table) for table in REFERENCE} == dict.fromkeys(REFERENCE, "reference")
    groups = rows(
        "SELECT DISTINCT colocation_id, distribution_column FROM citus_tables "
        "WHERE citus_table_type = 'distributed'"
    )
    assert len(groups) == 1 and groups[0][1] == "book_id"
    # Global, often-written state stays on the coordinator (never on a worker's shard): plain
    # tables, or Citus local tables where they point at a reference table.
    for table in ("accounts_authtoken", "common_throttlebucket", "jobs_job", "django_session"):
        assert kinds.get(table) in (None, "local"), (table, kinds.get(table))
    placements = dict(
        rows(
            "SELECT DISTINCT s.logicalrelid::text, n.groupid FROM pg_dist_shard s "
            "JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid) "
            "WHERE s.logicalrelid::text = ANY(%s)",
            [["accounts_authtoken", "common_throttlebucket", "jobs_job"]],
        )
    )
    assert set(placements.values()) <= {0}  # group 0: the coordinator


def test_keys_carry_the_book():
    def definition(name):
        return rows(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", [name]
        )[0][0]

    assert definition("ledger_entry_pkey") == "PRIMARY KEY (book_id, id)"
    keys = rows(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'ledger_entry'::regclass AND contype = 'f' ORDER BY 1"
    )
    assert (
        "FOREIGN KEY (book_id, customer_id) REFERENCES customers_customer(book_id, id) "
        "DEFERRABLE INITIALLY DEFERRED",
    ) in keys
    assert (
        "FOREIGN KEY (book_id, reverses_id) REFERENCES ledger_entry(book_id, id) "
        "DEFERRABLE INITIALLY DEFERRED",
    ) in keys
    unique = rows(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = 'reminders_reminder'::regclass AND indisunique AND indpred IS NOT NULL"
    )[0][0]
    assert "(book_id, customer_id, day) WHERE" in unique


def explained(queries):
    """EXPLAIN of each statement a request ran that Citus ran (on distributed or reference
    tables)."""
    plans = []
    for query in queries:
        sql = query["sql"]
        if not sql.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            continue
        plan = "\n".join(row[0] for row in rows("EXPLAIN " + sql))
        if "Task Count" in plan:  # Citus ran it (a local table's plan is PostgreSQL's own)
            plans.append((sql, plan))
    return plans


@pytest.fixture
def busy_book(user):
    """A book with entries, beside other books (so that routing has a choice to make)."""
    for n in range(6):
        other = make_customer(make_user(f"other{n}"), name=f"Other {n}")
        post(other, "credit", "5.00")
    customer = make_customer(user, name="Routed")
    for amount in ("10.00", "20.00", "30.00"):
        post(customer, "credit", amount)
    return customer


@pytest.mark.parametrize(
    "request_of",
    [
        pytest.param(lambda c, k: c.get(f"/api/customers/{k.pk}/summary/"), id="summary"),
        pytest.param(lambda c, k: c.get(f"/api/customers/{k.pk}/entries/"), id="entry list"),
        pytest.param(
            lambda c, k: c.post(
                f"/api/customers/{k.pk}/entries/", {"type": "debit", "amount": "7.50"}
            ),
            id="posting",
        ),
        pytest.param(lambda c, k: c.get("/api/customers/?ordering=-overdue"), id="customer list"),
        pytest.param(lambda c, k: c.get("/api/summary/"), id="dashboard"),
        pytest.param(lambda c, k: c.get(f"/api/customers/{k.pk}/ageing/"), id="ageing"),
        pytest.param(lambda c, k: c.get(f"/api/customers/{k.pk}/statement/"), id="statement"),
        pytest.param(lambda c, k: c.get(f"/api/customers/{k.pk}/"), id="customer"),
        pytest.param(lambda c, k: c.get(f"/api/customers/{k.pk}/reminders/"), id="reminders"),
        pytest.param(lambda c, k: c.get(f"/api/entries/?customer={k.pk}"), id="all entries"),
        pytest.param(lambda c, k: c.post(f"/api/customers/{k.pk}/links/", {}), id="statement link"),
        pytest.param(lambda c, k: c.get(f"/api/books/{k.book_id}/activity/"), id="activity"),
        pytest.param(lambda c, k: c.get(f"/api/books/{k.book_id}/webhooks/"), id="webhooks"),
    ],
)
def test_a_request_of_a_book_goes_to_one_shard(client, busy_book, request_of):
    with CaptureQueriesContext(connection) as captured:
        response = request_of(client, busy_book)
    assert response.status_code in (200, 201), response.content
    plans = explained(captured.captured_queries)
    assert plans, "the request touched no distributed table"
    for sql, plan in plans:
        assert "Task Count: 1\n" in plan + "\n", f"{sql}\n{plan}"


def test_the_reminder_scheduler_is_the_cross_shard_read_it_says_it_is(busy_book):
    sql = str(enabled_books().query)
    plan = "\n".join(row[0] for row in rows("EXPLAIN " + sql))
    shards = rows(
        "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'ledger_entry'::regclass"
    )
    assert f"Task Count: {shards[0][0]}" in plan, plan
