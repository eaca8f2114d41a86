"""A book taken away whole and restored: the export job's archive, restored into a new book by
the import job, reproduces every figure; a file that is not an archive, or one whose figures do
not add up, writes nothing."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.test import override_settings

from books import members
from books.models import Activity, Book, Membership, Role
from customers.models import Customer
from jobs.models import Job
from jobs.worker import drain
from ledger import dues, posting
from ledger.models import Entry
from tests.factories import book_of, client_for, make_customer, make_user, post

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.JOB_FILES_DIR = str(tmp_path / "jobs")
    settings.PERIODIC_TASKS = {}


@pytest.fixture
def shop():
    """Asha's book with a clerk, customers (one archived), entries, a reversal of each kind."""
    asha = make_user("asha")
    book = book_of(asha)
    meena = make_user("meena")
    members.add_member(book=book, user=meena, role=Role.CLERK)
    ravi = make_customer(book, name="Ravi", phone="+91 98765 43210")
    sita = make_customer(book, name='Sita, "the baker"', address="12 MG Road\nBengaluru")
    gone = make_customer(book, name="Gone")
    post(ravi, "credit", "1200.50", entry_date=D(2026, 1, 5), note="rice, 20kg", by=meena)
    paid = post(ravi, "debit", "200.25", entry_date=D(2026, 1, 9), note="=cash", by=asha)
    posting.reverse_entry(book=book, user=asha, entry=paid, note="bounced")
    wrong = post(sita, "credit", "99.99", entry_date=D(2026, 2, 1), by=meena)
    posting.reverse_entry(book=book, user=asha, entry=wrong)
    post(sita, "credit", "0.01", entry_date=D(2026, 2, 2), note="चावल", by=meena)
    post(gone, "credit", "5.00", entry_date=D(2025, 12, 31), by=asha)
    client_for(asha).delete(f"/api/customers/{gone.pk}/")
    mill = make_customer(
        book,
        name="Mill",
        kind="supplier",
        payment_terms_days=15,
        credit_limit=Decimal("900.00"),
        credit_limit_policy="block",
        locale="hi-IN",
        reminders_enabled=False,
    )
    post(mill, "debit", "800.00", entry_date=D(2026, 1, 2), by=asha)
    post(mill, "debit", "50.00", entry_date=D(2026, 1, 3), due_date=D(2026, 3, 1), by=asha)
    post(mill, "credit", "300.00", entry_date=D(2026, 1, 20), by=asha)
    # Lowered below what is owed since: the restore keeps the history and the limit as they are.
    Customer.objects.filter(pk=mill.pk).update(credit_limit=Decimal("100.00"))
    return asha, book


def export(client, book) -> bytes:
    started = client.get(f"/api/books/{book.pk}/export/")
    assert started.status_code == 202, started.json()
    drain()
    job = client.get(f"/api/books/{book.pk}/jobs/{started.json()['id']}/").json()
    assert job["status"] == "succeeded", job
    download = client.get(job["result_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return b"".join(download.streaming_content)


def restore(client, body: bytes, **headers):
    return client.post("/api/books/import/", body, content_type="application/zip", headers=headers)


def figures(book: Book) -> dict:
    """Everything a merchant reads of a book's money, by customer name."""
    customers = Customer.objects.filter(book=book).order_by("name")
    return {
        "customers": [
            (c.name, c.phone, c.address, c.total_credit, c.total_debit, c.entry_count,
             c.last_entry_date, c.is_archived, c.kind, c.locale, c.credit_limit,
             c.credit_limit_policy, c.payment_terms_days, c.reminders_enabled,
             dues.open_as_of(c, as_of=D.max), dues.ageing(c, as_of=D(2026, 2, 1)))
            for c in customers
        ],
        "entries": [
            (e.customer.name, e.type, e.amount, e.entry_date, e.due_date, e.note,
             e.created_by_name, e.reverses.note if e.reverses else None)
            for e in Entry.objects.filter(book=book)
            .select_related("customer", "reverses", "created_by")
            .order_by("id")
        ],
    }  # fmt: skip


def test_a_book_exported_then_restored_has_every_figure_and_author(shop):
    asha, book = shop
    client = client_for(asha)
    body = export(client, book)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == [
            "activity.jsonl", "customers.csv", "entries.csv", "manifest.json",
        ]  # fmt: skip
        manifest = json.loads(archive.read("manifest.json"))
    activity = Activity.objects.filter(book=book).count()
    assert manifest["counts"] == {"customers": 4, "entries": 10, "activity": activity}
    started = restore(client, body)
    assert started.status_code == 202, started.json()
    drain()
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == "succeeded", job.error
    new = Book.objects.get(pk=job.result["book"])
    assert new.pk != book.pk and new.name == book.name
    assert figures(new) == figures(book)
    # Members are not re-created: the restorer alone owns it; authors stay as recorded names.
    assert list(Membership.objects.filter(book=new).values_list("user__username", "role")) == [
        ("asha", "owner")
    ]
    assert {e.created_by.username for e in Entry.objects.filter(book=new)} == {"asha"}
    assert (
        client.get(f"/api/books/{new.pk}/summary/").json()
        == client.get(f"/api/books/{book.pk}/summary/").json()
    )
    trail = client.get(f"/api/books/{new.pk}/activity/?page_size=200").json()["results"]
    assert trail[0]["action"] == "book.imported"
    assert {"customer.archived", "member.joined"} <= {r["action"] for r in trail}


def test_a_hundred_thousand_entries_come_back_exactly(shop, settings):
    asha, book = shop
    customers = [make_customer(book, name=f"Bulk {n}") for n in range(4)]
    for n, customer in enumerate(customers):
        drafts = (
            posting.EntryDraft(
                "credit" if i % 3 else "debit",
                Decimal(f"{(i * 7919 + n) % 100000}.{i % 100:02d}") + Decimal("0.01"),
                D(2020, 1, 1) + datetime.timedelta(days=i % 2000),
                f"row {i}",
            )
            for i in range(25_000)
        )
        posting.post_entries(book=book, user=asha, customer=customer, drafts=drafts)
    client = client_for(asha)
    body = export(client, book)
    started = restore(client, body)
    drain()
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == "succeeded", job.error
    new = Book.objects.get(pk=job.result["book"])
    assert job.result["entries"] == Entry.objects.filter(book=book).count() == 100_010
    old_sum, new_sum = (client.get(f"/api/books/{b.pk}/summary/").json() for b in (book, new))
    assert old_sum == new_sum
    for name in ("Bulk 0", "Bulk 3", "Ravi"):
        old, restored = (Customer.objects.get(book=b, name=name) for b in (book, new))
        assert (restored.total_credit, restored.total_debit, restored.entry_count) == (
            old.total_credit, old.total_debit, old.entry_count,
        )  # fmt: skip
        period = "?start_date=2021-01-01&end_date=2021-06-30&format=csv"
        statements = [
            client.get(f"/api/books/{b.pk}/customers/{c.pk}/statement/{period}")
            for b, c in ((book, old), (new, restored))
        ]
        texts = [b"".join(s.streaming_content).decode() for s in statements]
        # The same lines and balances (entry ids differ: they are the new book's).
        assert [line.split(",")[2:] for line in texts[0].splitlines()] == [
            line.split(",")[2:] for line in texts[1].splitlines()
        ]


def test_a_file_that_is_not_an_archive_is_a_400_and_starts_nothing(shop):
    asha, _ = shop
    client = client_for(asha)
    books = Book.objects.count()
    for body in (b"", b"not a zip", _zip({"manifest.json": b"{}"}), _zip({"x.txt": b"x"})):
        response = restore(client, body)
        assert response.status_code == 400, response.content
        assert "detail" in response.json()
    assert client.post("/api/books/import/", {"a": 1}, format="json").status_code == 415
    assert Book.objects.count() == books and not Job.objects.filter(kind="book-import").exists()


def test_an_archive_whose_figures_do_not_add_up_restores_nothing(shop):
    asha, book = shop
    client = client_for(asha)
    body = export(client, book)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("manifest.json"))
    first = next(iter(manifest["totals"]))
    manifest["totals"][first]["total_credit"] = "1.00"
    tampered = _rezip(body, {"manifest.json": json.dumps(manifest).encode()})
    started = restore(client, tampered)
    assert started.status_code == 202
    drain()
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == "failed" and "add up" in job.error["detail"]
    assert Book.objects.count() == 2  # asha's and meena's own: nothing of the restore stayed


def test_a_bad_entry_line_fails_the_job_naming_it(shop):
    asha, book = shop
    client = client_for(asha)
    body = export(client, book)
    lines = zipfile.ZipFile(io.BytesIO(body)).read("entries.csv").decode().splitlines()
    lines[3] = lines[3].replace(",credit,", ",refund,").replace(",debit,", ",refund,")
    started = restore(client, _rezip(body, {"entries.csv": "\n".join(lines).encode()}))
    drain()
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == "failed" and "Line 4" in job.error["detail"], job.error
    assert Book.objects.count() == 2


def test_the_same_key_answers_the_same_job(shop):
    asha, book = shop
    client = client_for(asha)
    body = export(client, book)
    first = restore(client, body, **{"Idempotency-Key": "restore-1"})
    again = restore(client, body, **{"Idempotency-Key": "restore-1"})
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Job.objects.filter(kind="book-import").count() == 1


def test_only_managers_and_owners_export(shop):
    _, book = shop
    meena = client_for(Membership.objects.get(book=book, role="clerk").user)
    response = meena.get(f"/api/books/{book.pk}/export/")
    assert response.status_code == 403 and "manager" in response.json()["detail"]


@override_settings(IMPORT_MAX_BYTES=100)
def test_an_archive_over_the_limit_is_a_413(shop):
    asha, _ = shop
    assert restore(client_for(asha), b"x" * 200).status_code == 413


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _rezip(body: bytes, replace: dict) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(body))
    return _zip({name: replace.get(name, source.read(name)) for name in source.namelist()})


def test_the_archive_downloads_when_asked_for_as_a_zip_and_errors_stay_json(shop):
    asha, book = shop
    client = client_for(asha)
    started = client.get(f"/api/books/{book.pk}/export/").json()
    url = f"/api/books/{book.pk}/jobs/{started['id']}/download/"
    early = client.get(url, HTTP_ACCEPT="application/zip")
    assert early.status_code == 409 and early["Content-Type"] == "application/json"
    drain()
    ready = client.get(url, HTTP_ACCEPT="application/zip")
    assert ready.status_code == 200 and ready["Content-Type"] == "application/zip"
    assert b"".join(ready.streaming_content)[:2] == b"PK"


def test_an_archive_made_before_dues_still_restores(shop):
    """Version 1 had no dues columns: its credits fall due on their dates."""
    asha, book = shop
    client = client_for(asha)
    body = export(client, book)
    source = zipfile.ZipFile(io.BytesIO(body))
    manifest = json.loads(source.read("manifest.json"))
    manifest["version"] = 1

    def first_columns(name: str, count: int) -> str:
        lines = source.read(name).decode().splitlines(keepends=True)
        rows = csv.reader(lines)
        out = io.StringIO()
        csv.writer(out).writerows(row[:count] for row in rows)
        return out.getvalue()

    old = _rezip(
        body,
        {
            "manifest.json": json.dumps(manifest),
            "customers.csv": first_columns("customers.csv", 7),
            "entries.csv": first_columns("entries.csv", 9),
        },
    )
    started = restore(client, old)
    assert started.status_code == 202, started.json()
    drain()
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == "succeeded", job.error
    new = Book.objects.get(pk=job.result["book"])
    ravi = Customer.objects.get(book=new, name="Ravi")
    assert ravi.kind == "customer" and ravi.credit_limit is None
    credit = Entry.objects.get(customer=ravi, type="credit", reverses=None)
    assert credit.due_date == credit.entry_date
    restored = Customer.objects.get(book=book, name="Ravi")
    assert dues.open_as_of(ravi, as_of=D.max) == dues.open_as_of(restored, as_of=D.max)
