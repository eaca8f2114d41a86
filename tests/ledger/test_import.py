"""CSV import: every row or none, errors that name the line, dry runs, limits, idempotency."""

import datetime
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.exceptions import ValidationError

from common.money import parse_amount
from common.serializers import AmountField
from customers.models import Customer
from jobs import runner
from jobs.models import Job
from jobs.worker import drain
from ledger import posting
from ledger.models import Entry, IdempotencyKey, StagedEntry
from ledger.tasks import discard_abandoned_imports
from tests.factories import book_of

pytestmark = pytest.mark.django_db
HEADER = "type,amount,entry_date,note\n"


def send(client, customer, body, query="", **headers):
    return client.post(
        f"/api/customers/{customer.pk}/entries/import/{query}",
        data=body.encode() if isinstance(body, str) else body,
        content_type=headers.pop("content_type", "text/csv"),
        **headers,
    )


def untouched(customer):
    customer.refresh_from_db()
    return not Entry.objects.exists() and customer.entry_count == 0 and customer.total_credit == 0


class TestImport:
    def test_rows_are_posted_and_totals_move(self, client, customer):
        body = HEADER + (
            "credit,5000,2026-01-10,rice\n"
            'debit,1250.50,2026-01-20,"cash, at the shop"\n'
            "credit,0.10,,\n"
        )
        response = send(client, customer, body)
        assert response.status_code == 201
        assert response.json() == {"imported": 3}
        customer.refresh_from_db()
        assert (customer.total_credit, customer.total_debit) == (
            Decimal("5000.10"),
            Decimal("1250.50"),
        )
        assert customer.entry_count == 3
        notes = list(Entry.objects.order_by("id").values_list("note", "entry_date"))
        assert notes == [
            ("rice", datetime.date(2026, 1, 10)),
            ("cash, at the shop", datetime.date(2026, 1, 20)),
            ("", customer.book.today()),  # the book's day (Asia/Kolkata), not the server's
        ]

    def test_columns_in_any_order_optional_ones_left_out_bom_and_blank_lines(
        self, client, customer
    ):
        body = "\ufeffAmount,Type\n\n12.00,CREDIT\n\n3,debit\n"
        response = send(client, customer, body)
        assert response.status_code == 201, response.json()
        customer.refresh_from_db()
        assert customer.balance == Decimal("9.00")

    def test_a_bad_row_at_the_end_leaves_the_database_untouched(self, client, customer):
        rows = "".join(f"credit,{n}.00,2026-01-01,row {n}\n" for n in range(1, 9000))
        response = send(client, customer, HEADER + rows + "credit,12.345,2026-01-01,bad\n")
        assert response.status_code == 400
        body = response.json()
        assert body["line"] == 9001
        assert body["errors"] == {
            "amount": ["Ensure that there are no more than 2 decimal places."]
        }
        assert body["detail"].startswith("Line 9001: amount:")
        assert untouched(customer)

    @pytest.mark.parametrize(
        ("body", "line", "field"),
        [
            (HEADER + "refund,1.00,2026-01-01,x\n", 2, "type"),
            (HEADER + "credit,0,2026-01-01,x\n", 2, "amount"),
            (HEADER + "credit,-1,2026-01-01,x\n", 2, "amount"),
            (HEADER + "credit,NaN,2026-01-01,x\n", 2, "amount"),
            (HEADER + "credit,1e3,2026-01-01,x\n", 2, "amount"),
            (HEADER + "credit,1000000000000,2026-01-01,x\n", 2, "amount"),
            (HEADER + "credit,,2026-01-01,x\n", 2, "amount"),
            (HEADER + "credit,1.00,2026-02-30,x\n", 2, "entry_date"),
            (HEADER + "credit,1.00,01/02/2026,x\n", 2, "entry_date"),
            (HEADER + "credit,1.00,2026-1-1,x\n", 2, "entry_date"),
            (HEADER + "credit,1.00,2026-01-01," + "x" * 501 + "\n", 2, "note"),
            (HEADER + "credit,1.00,2026-01-01,a\x00b\n", 2, "note"),
            (HEADER + "credit,1.00\n", 2, "non_field_errors"),
            (HEADER + "credit,1.00,2026-01-01,x,extra\n", 2, "non_field_errors"),
            (HEADER + 'credit,1.00,2026-01-01,"unclosed\n', 2, "non_field_errors"),
            ("type,amount,colour\ncredit,1,red\n", 1, "non_field_errors"),
            ("type,type,amount\ncredit,credit,1\n", 1, "non_field_errors"),
            ("amount,note\n1,x\n", 1, "non_field_errors"),
            (HEADER, 1, "non_field_errors"),
            ("", 1, "non_field_errors"),
        ],
    )
    def test_bad_files_are_a_400_naming_the_line(self, client, customer, body, line, field):
        response = send(client, customer, body)
        assert response.status_code == 400, response.json()
        assert response.json()["line"] == line
        assert field in response.json()["errors"]
        assert untouched(customer)

    def test_lines_across_the_read_chunks_keep_their_text_and_their_numbers(self, client, customer):
        # The body is read 64 KB at a time: rows, and a two-byte character, straddle the chunks;
        # CRLF line ends stay a row's end; the bad row well past the first chunk is named.
        rows = [f"credit,1.00,2026-01-01,ब{'é' * (n % 97)}\r\n" for n in range(3000)]
        body = HEADER + "".join(rows)
        assert len(body.encode()) > 3 * 64 * 1024
        response = send(client, customer, body)
        assert response.status_code == 201, response.json()
        notes = list(Entry.objects.order_by("id").values_list("note", flat=True))
        assert notes == [row.split(",")[3].rstrip() for row in rows]
        bad = send(client, customer, body + "credit,1.00,2026-13-01,x\r\n" + rows[0])
        assert bad.status_code == 400 and bad.json()["line"] == 3002

    def test_a_file_that_is_not_utf8_is_a_400(self, client, customer):
        response = send(
            client, customer, (HEADER + "credit,1.00,2026-01-01,caf\xe9\n").encode("latin-1")
        )
        assert response.status_code == 400
        assert "UTF-8" in response.json()["detail"]
        assert untouched(customer)

    def test_dry_run_validates_and_writes_nothing(self, client, customer):
        body = HEADER + "credit,1.00,2026-01-01,a\ndebit,2.00,2026-01-02,b\n"
        response = send(client, customer, body, "?dry_run=true")
        assert response.status_code == 200
        assert response.json() == {"imported": 0, "valid_rows": 2, "dry_run": True}
        assert untouched(customer)
        bad = send(client, customer, body + "debit,x,2026-01-03,c\n", "?dry_run=true")
        assert bad.status_code == 400 and bad.json()["line"] == 4
        assert send(client, customer, body, "?dry_run=perhaps").status_code == 400

    def test_the_body_must_be_csv(self, client, customer):
        response = send(client, customer, '{"type": "credit"}', content_type="application/json")
        assert response.status_code == 415
        assert untouched(customer)

    def test_the_import_has_its_own_size_limit(self, client, customer, settings):
        settings.IMPORT_MAX_BYTES = 200
        body = HEADER + "credit,1.00,2026-01-01,x\n" * 20
        response = send(client, customer, body)
        assert response.status_code == 413
        assert "detail" in response.json()
        assert untouched(customer)

    def test_bodies_past_djangos_global_limit_are_accepted_here(self, client, customer, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = send(client, customer, HEADER + "credit,1.00,2026-01-01,x\n" * 100)
        assert response.status_code == 201 and response.json() == {"imported": 100}

    def test_archived_and_other_users_customers(self, client, customer, others_customer):
        Customer.objects.filter(pk=customer.pk).update(
            archived_at=datetime.datetime.now(datetime.UTC)
        )
        assert send(client, customer, HEADER + "credit,1,,\n").status_code == 409
        theirs = send(client, others_customer, HEADER + "credit,1,,\n")
        assert theirs.status_code == 404
        assert not Entry.objects.exists()

    def test_idempotency_key_replays_and_refuses_another_body(self, client, customer):
        body = HEADER + "credit,1.00,2026-01-01,a\n"
        first = send(client, customer, body, HTTP_IDEMPOTENCY_KEY="import-1")
        second = send(client, customer, body, HTTP_IDEMPOTENCY_KEY="import-1")
        assert first.status_code == second.status_code == 201
        assert second["Idempotent-Replayed"] == "true"
        assert Entry.objects.count() == 1
        other = send(client, customer, body + "credit,2,,\n", HTTP_IDEMPOTENCY_KEY="import-1")
        assert other.status_code == 422
        assert Entry.objects.count() == 1 and IdempotencyKey.objects.count() == 1

    def test_a_hundred_thousand_rows_sum_exactly(self, client, customer):
        rng = random.Random(7)
        rows, credit, debit = [], 0, 0
        for n in range(100_000):
            cents = rng.randint(1, 99_999_999)
            kind = "credit" if rng.random() < 0.6 else "debit"
            credit, debit = (credit + cents, debit) if kind == "credit" else (credit, debit + cents)
            rows.append(f"{kind},{cents // 100}.{cents % 100:02d},2026-01-{1 + n % 28:02d},r{n}\n")
        response = send(client, customer, HEADER + "".join(rows))
        assert response.status_code == 202  # a file this big is imported by a job
        assert drain() >= 1
        job = client.get(response["Location"]).json()
        assert (job["status"], job["result"]) == ("succeeded", {"imported": 100_000})
        customer.refresh_from_db()
        assert customer.total_credit == Decimal(credit).scaleb(-2)
        assert customer.total_debit == Decimal(debit).scaleb(-2)
        assert customer.entry_count == 100_000
        as_of = client.get(f"/api/customers/{customer.pk}/summary/?as_of=2026-12-31").json()
        assert Decimal(as_of["balance"]) == Decimal(credit - debit).scaleb(-2)
        out = StringIO()
        call_command("verify_ledger", stdout=out)
        assert "No drift" in out.getvalue()


class TestImportJobs:
    """A file over IMPORT_SYNC_MAX_BYTES is kept and imported by a job on the worker (202)."""

    @pytest.fixture(autouse=True)
    def small_sync_limit(self, settings, tmp_path):
        settings.IMPORT_SYNC_MAX_BYTES = 64
        settings.JOB_FILES_DIR = str(tmp_path)

    BODY = HEADER + "credit,10.00,2026-01-01,a\n" * 3 + "debit,4.00,2026-01-02,b\n"

    def test_a_big_file_answers_202_with_its_job_and_the_worker_imports_it(
        self, client, customer, tmp_path
    ):
        response = send(client, customer, self.BODY)
        assert response.status_code == 202
        job = response.json()
        assert (job["kind"], job["status"], job["result"]) == ("import", "queued", None)
        book = customer.book_id
        assert response["Location"] == f"http://testserver/api/books/{book}/jobs/{job['id']}/"
        assert Entry.objects.count() == 0  # nothing before the job runs
        assert [path.name for path in tmp_path.iterdir()] == [f"job-{job['id']}.input"]
        drain()
        job = client.get(response["Location"]).json()
        assert (job["status"], job["result"]) == ("succeeded", {"imported": 4})
        customer.refresh_from_db()
        assert (customer.total_credit, customer.total_debit) == (Decimal("30"), Decimal("4"))
        assert list(tmp_path.iterdir()) == []  # the file goes with the job

    def test_a_bad_row_fails_the_job_with_the_routes_error_and_writes_nothing(
        self, client, customer
    ):
        response = send(client, customer, self.BODY + "credit,1.2.3,2026-01-03,c\n")
        drain()
        job = client.get(response["Location"]).json()
        assert job["status"] == "failed" and job["result"] is None
        assert job["error"]["line"] == 6 and "amount" in job["error"]["errors"]
        assert untouched(customer)

    def test_a_big_dry_run_is_a_job_too(self, client, customer):
        response = send(client, customer, self.BODY, query="?dry_run=true")
        drain()
        job = client.get(response["Location"]).json()
        assert job["result"] == {"imported": 0, "valid_rows": 4, "dry_run": True}
        assert untouched(customer)

    def test_the_same_key_answers_the_same_job_and_another_body_is_refused(self, client, customer):
        first = send(client, customer, self.BODY, HTTP_IDEMPOTENCY_KEY="big-1")
        again = send(client, customer, self.BODY, HTTP_IDEMPOTENCY_KEY="big-1")
        assert (first.status_code, again.status_code) == (202, 202)
        assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
        other = send(client, customer, self.BODY + "credit,1,,\n", HTTP_IDEMPOTENCY_KEY="big-1")
        assert other.status_code == 422
        assert Job.objects.count() == 1
        drain()
        assert customer.entries.count() == 4

    def test_a_cancelled_import_writes_nothing(self, client, customer, tmp_path):
        response = send(client, customer, self.BODY)
        assert client.delete(response["Location"]).json()["status"] == "cancelled"
        drain()
        assert untouched(customer) and list(tmp_path.iterdir()) == []

    def test_rows_are_staged_in_chunks_with_progress_then_published_at_once(
        self, client, customer, monkeypatch
    ):
        monkeypatch.setattr("ledger.tasks.STAGE_CHUNK", 3)
        seen = []
        real_publish = posting.publish

        def publish(batch, **kwargs):
            # Before publishing: every row staged, none of them an entry yet.
            seen.append((StagedEntry.objects.filter(batch=batch).count(), Entry.objects.count()))
            return real_publish(batch, **kwargs)

        monkeypatch.setattr("ledger.posting.publish", publish)
        response = send(client, customer, self.BODY)
        drain()
        job = client.get(response["Location"]).json()
        assert seen == [(4, 0)] and job["progress"] == {"done": 4, "total": 4}
        assert job["status"] == "succeeded" and StagedEntry.objects.count() == 0
        assert list(Entry.objects.order_by("id").values_list("note", flat=True)) == list("aaab")

    def test_rows_an_earlier_attempt_staged_are_not_published_twice(self, client, customer):
        response = send(client, customer, self.BODY)
        job_id = response.json()["id"]
        # An attempt killed mid-staging left rows behind.
        StagedEntry.objects.create(
            batch=f"job-{job_id}", type="credit", amount=100, entry_date="2026-01-01"
        )
        drain()
        assert client.get(response["Location"]).json()["result"] == {"imported": 4}
        assert customer.entries.count() == 4 and StagedEntry.objects.count() == 0

    def test_a_job_cancelled_while_it_stages_writes_nothing(self, client, customer, monkeypatch):
        monkeypatch.setattr("ledger.tasks.STAGE_CHUNK", 2)
        response = send(client, customer, self.BODY)
        # The cancel arrives after a worker took the job: it stops at its next chunk.
        Job.objects.filter(pk=response.json()["id"]).update(cancel_requested=True)
        drain()
        assert client.get(response["Location"]).json()["status"] == "cancelled"
        assert untouched(customer) and StagedEntry.objects.count() == 0

    def test_rows_of_jobs_no_longer_running_are_discarded_by_the_periodic_task(self, user):
        running = runner.start(tenant=book_of(user), user=user, kind="import", params={})
        failed = runner.start(tenant=book_of(user), user=user, kind="import", params={})
        Job.objects.filter(pk=failed.pk).update(status="failed")
        for job in (running, failed):
            StagedEntry.objects.create(
                batch=f"job-{job.pk}", type="credit", amount=1, entry_date="2026-01-01"
            )
        assert discard_abandoned_imports.call() == 1
        assert list(StagedEntry.objects.values_list("batch", flat=True)) == [f"job-{running.pk}"]

    def test_an_archived_customer_is_refused_before_a_job_is_made(self, client, customer):
        client.delete(f"/api/customers/{customer.pk}/")
        response = send(client, customer, self.BODY)
        assert response.status_code == 409 and Job.objects.count() == 0

    def test_a_customer_archived_before_the_job_runs_fails_it(self, client, customer):
        response = send(client, customer, self.BODY)
        client.delete(f"/api/customers/{customer.pk}/")
        drain()
        job = client.get(response["Location"]).json()
        assert job["status"] == "failed" and "archived" in job["error"]["detail"]
        assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "1.5",
        "0.01",
        "999999999999.99",
        "1000000000000",
        "0",
        "-1",
        "0.001",
        "1.000",
        "NaN",
        "Infinity",
        "1e3",
        "1e-2",
        "abc",
        "",
        " 2.50 ",
        "1" * 20,
        "+3",
        "12,50",
    ],
)
def test_csv_amounts_follow_the_same_rules_as_json_amounts(text):
    try:
        json_value = AmountField().run_validation(text)
    except ValidationError:
        json_value = None
    try:
        csv_value = parse_amount(text)
    except ValueError:
        csv_value = None
    assert csv_value == json_value


class TestCommand:
    def write(self, tmp_path, text):
        path = tmp_path / "entries.csv"
        path.write_text(text)
        return str(path)

    def test_command_imports_through_the_same_service(self, tmp_path, customer):
        path = self.write(tmp_path, HEADER + "credit,10.00,2026-01-01,a\ndebit,4.00,,b\n")
        out, err = StringIO(), StringIO()
        call_command(
            "import_entries", path, user="asha", customer=customer.pk, stdout=out, stderr=err
        )
        assert "imported 2 entries" in out.getvalue()
        assert "100.0%" in err.getvalue()
        customer.refresh_from_db()
        assert customer.balance == Decimal("6.00") and customer.entry_count == 2

    def test_command_reports_the_bad_line_and_writes_nothing(self, tmp_path, customer):
        path = self.write(tmp_path, HEADER + "credit,10.00,2026-01-01,a\ncredit,ten,,b\n")
        with pytest.raises(CommandError, match="Line 3: amount"):
            call_command(
                "import_entries",
                path,
                user="asha",
                customer=customer.pk,
                stdout=StringIO(),
                stderr=StringIO(),
            )
        assert untouched(customer)

    def test_command_dry_run(self, tmp_path, customer):
        path = self.write(tmp_path, HEADER + "credit,10.00,2026-01-01,a\n")
        out = StringIO()
        call_command(
            "import_entries",
            path,
            user="asha",
            customer=customer.pk,
            dry_run=True,
            stdout=out,
            stderr=StringIO(),
        )
        assert "would import 1 entries" in out.getvalue()
        assert untouched(customer)

    def test_command_refuses_another_users_customer_and_missing_files(
        self, tmp_path, customer, other_user
    ):
        path = self.write(tmp_path, HEADER + "credit,1,,\n")
        with pytest.raises(CommandError, match="is a member of"):
            call_command("import_entries", path, user=other_user.username, customer=customer.pk)
        with pytest.raises(CommandError, match="Cannot read"):
            call_command(
                "import_entries", str(tmp_path / "nope.csv"), user="asha", customer=customer.pk
            )


def test_a_dry_run_and_the_real_import_are_different_requests(client, customer):
    body = "type,amount\ncredit,5\n"
    dry = send(client, customer, body, "?dry_run=true", HTTP_IDEMPOTENCY_KEY="import-2")
    assert dry.status_code == 200 and not Entry.objects.exists()
    real = send(client, customer, body, HTTP_IDEMPOTENCY_KEY="import-2")
    assert real.status_code == 422, "the key named the dry run, not this import"
    assert not Entry.objects.exists()
    fresh = send(client, customer, body, HTTP_IDEMPOTENCY_KEY="import-3")
    assert fresh.status_code == 201 and Entry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's unlogged tables")
@pytest.mark.django_db
def test_staged_rows_skip_postgresqls_write_ahead_log():
    """Staged rows live for one import's run: written to the log once, as entries, not twice."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [StagedEntry._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)
