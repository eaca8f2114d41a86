"""Statements: opening, running and closing balances; CSV that parses back exactly; a real PDF."""

import csv
import datetime
import io
import itertools
import json
import logging
import random
import re
import subprocess
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from PIL import Image

from ledger import posting, statements
from ledger.models import Entry
from tests.factories import make_customer, owner_of, post

pytestmark = pytest.mark.django_db
D = datetime.date


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def statement(client, customer, query=""):
    response = client.get(f"/api/customers/{customer.pk}/statement/?{query}")
    assert response.status_code == 200, body_of(response)
    assert response["Content-Type"].startswith("application/json")
    body = body_of(response)
    if response.has_header("Content-Length"):
        assert int(response["Content-Length"]) == len(body)
    return json.loads(body)


@pytest.fixture
def history(customer):
    """A hand-computed history: balances after each entry are in the comments."""
    return {
        "a": post(customer, "credit", "1000.00", entry_date=D(2026, 1, 5)),  # 1000.00
        "b": post(customer, "debit", "250.50", entry_date=D(2026, 1, 31)),  # 749.50
        "c": post(customer, "credit", "0.10", entry_date=D(2026, 2, 1)),  # 749.60
        "d": post(customer, "credit", "99.99", entry_date=D(2026, 2, 1)),  # 849.59
        "e": post(customer, "debit", "900.00", entry_date=D(2026, 2, 28)),  # -50.41
        "f": post(customer, "credit", "50.41", entry_date=D(2026, 3, 15)),  # 0.00
    }


class TestFigures:
    def test_whole_history_without_dates(self, client, customer, history):
        body = statement(client, customer)
        assert body["opening_balance"] == "0.00"
        assert (body["total_credit"], body["total_debit"]) == ("1150.50", "1150.50")
        assert body["closing_balance"] == "0.00"
        assert body["entry_count"] == 6 and body["customer_name"] == "Ravi Kumar"
        assert [e["balance"] for e in body["entries"]] == [
            "1000.00",
            "749.50",
            "749.60",
            "849.59",
            "-50.41",
            "0.00",
        ]
        assert [e["id"] for e in body["entries"]] == [h.pk for h in history.values()]

    def test_a_period_with_boundary_dates_inclusive(self, client, customer, history):
        body = statement(client, customer, "start_date=2026-01-31&end_date=2026-02-28")
        assert body["opening_balance"] == "1000.00"
        assert [e["id"] for e in body["entries"]] == [history[k].pk for k in "bcde"]
        assert [e["balance"] for e in body["entries"]] == ["749.50", "749.60", "849.59", "-50.41"]
        assert (body["total_credit"], body["total_debit"]) == ("100.09", "1150.50")
        assert body["closing_balance"] == "-50.41"
        assert (body["start_date"], body["end_date"]) == ("2026-01-31", "2026-02-28")

    def test_a_period_with_no_entries_carries_the_balance_through(self, client, customer, history):
        body = statement(client, customer, "start_date=2026-02-02&end_date=2026-02-27")
        assert body["entries"] == []
        assert body["opening_balance"] == body["closing_balance"] == "849.59"
        assert (body["total_credit"], body["total_debit"], body["entry_count"]) == (
            "0.00",
            "0.00",
            0,
        )

    def test_either_end_alone(self, client, customer, history):
        assert statement(client, customer, "start_date=2026-03-01")["opening_balance"] == "-50.41"
        assert statement(client, customer, "end_date=2026-01-31")["closing_balance"] == "749.50"

    def test_reversals_inside_and_outside_the_period(self, client, customer, history):
        inside = posting.reverse_entry(
            book=customer.book,
            user=owner_of(customer.book),
            entry=history["c"],
            entry_date=D(2026, 2, 10),
        )
        outside = posting.reverse_entry(
            book=customer.book,
            user=owner_of(customer.book),
            entry=history["a"],
            entry_date=D(2026, 4, 1),
        )
        body = statement(client, customer, "start_date=2026-02-01&end_date=2026-02-28")
        ids = [e["id"] for e in body["entries"]]
        assert inside.pk in ids and outside.pk not in ids
        assert body["total_debit"] == "900.10"
        assert body["closing_balance"] == "-50.51"
        whole = statement(client, customer)
        assert whole["closing_balance"] == "-1000.10"

    @pytest.mark.parametrize("day", ["2026-01-04", "2026-01-31", "2026-02-01", "2026-03-15"])
    def test_closing_balance_agrees_with_as_of_and_summary(self, client, customer, history, day):
        as_of = client.get(f"/api/customers/{customer.pk}/summary/?as_of={day}").json()
        body = statement(client, customer, f"end_date={day}")
        assert body["closing_balance"] == as_of["balance"]
        summary = client.get(f"/api/customers/{customer.pk}/summary/").json()
        assert statement(client, customer)["closing_balance"] == summary["balance"]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("start_date=2026-02-30", "start_date"),
            ("end_date=tomorrow", "end_date"),
            ("start_date=2026-03-01&end_date=2026-02-01", "end_date"),
        ],
    )
    def test_bad_dates_are_a_400_in_every_format(self, client, customer, query, field):
        for file_format in ["json", "csv", "pdf"]:
            response = client.get(
                f"/api/customers/{customer.pk}/statement/?{query}&format={file_format}"
            )
            assert response.status_code == 400
            assert response["Content-Type"] == "application/json"
            assert field in response.json()

    def test_another_users_customer_is_a_404(self, client, others_customer):
        for file_format in ["json", "csv", "pdf"]:
            response = client.get(
                f"/api/customers/{others_customer.pk}/statement/?format={file_format}"
            )
            assert response.status_code == 404
            assert response.json() == {"detail": "No customer matches the given query."}


def test_figures_agree_with_the_entries_for_any_period(customer):
    # Entries on scattered days, some of them before and after every period asked for; each
    # statement's figures against sums of the entries themselves.
    rng = random.Random(11)
    days = [D(2025, 1, 1) + datetime.timedelta(days=rng.randrange(400)) for _ in range(60)]
    for day in days:
        post(customer, rng.choice(["credit", "debit"]), rng.randrange(1, 10**6) / 100, day)
    entries = list(Entry.objects.filter(customer=customer))
    for start, end in [
        (None, D(2025, 6, 30)),
        (D(2025, 3, 1), None),
        (D(2025, 3, 1), D(2025, 3, 31)),
        (D(2024, 12, 31), D(2025, 1, 1)),
        (D(2026, 6, 1), None),
        (None, D(2024, 1, 1)),
        (days[0], days[0]),
    ]:
        first, last = start or D.min, end or D.max
        before = [e for e in entries if e.entry_date < first]
        within = [e for e in entries if first <= e.entry_date <= last]
        figures = statements.statement(customer, start_date=start, end_date=end)
        assert figures.opening_balance == balance_of(before), (start, end)
        assert figures.total_credit == sum_of(within, "credit"), (start, end)
        assert figures.total_debit == sum_of(within, "debit"), (start, end)
        assert figures.entry_count == len(within), (start, end)


def sum_of(entries, kind):
    return sum((e.amount for e in entries if e.type == kind), Decimal("0.00"))


def balance_of(entries):
    return sum_of(entries, "credit") - sum_of(entries, "debit")


def follow(client, url):
    """Every page of a statement from its first URL: (pages, all entries)."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1]["next"]
    return pages, [entry for page in pages for entry in page["entries"]]


class TestPages:
    """A JSON statement comes a page at a time; the pages together are the whole period."""

    @pytest.fixture
    def long_history(self, customer):
        rng = random.Random(5)
        for n in range(23):
            day = D(2026, 1, 1) + datetime.timedelta(days=n // 3)  # several entries a day
            post(customer, rng.choice(["credit", "debit"]), rng.randrange(1, 10**5) / 100, day)

    def test_the_pages_join_up_to_the_whole_period_with_its_balances(
        self, client, customer, long_history
    ):
        path = f"/api/customers/{customer.pk}/statement/?start_date=2026-01-02"
        pages, entries = follow(client, f"{path}&page_size=5")
        assert [len(page["entries"]) for page in pages] == [5, 5, 5, 5]  # 20 from Jan 2 on
        whole = list(
            csv.DictReader(io.StringIO(body_of(client.get(f"{path}&format=csv")).decode()))
        )
        assert [(e["id"], e["balance"]) for e in entries] == [
            (int(row["entry_id"]), row["balance"]) for row in whole[1:-1]
        ]
        assert pages[0]["page_opening_balance"] == pages[0]["opening_balance"]
        for previous, page in itertools.pairwise(pages):
            assert page["page_opening_balance"] == previous["entries"][-1]["balance"]
            assert page["opening_balance"] == pages[0]["opening_balance"]  # the period's figures
        assert pages[-1]["next"] is None
        assert entries[-1]["balance"] == pages[0]["closing_balance"]

    def test_a_hundred_lines_by_default_and_at_most_a_thousand(self, client, customer):
        posting.post_entries(
            book=customer.book,
            user=owner_of(customer.book),
            customer=customer,
            drafts=[posting.EntryDraft("credit", Decimal("1.00"), D(2026, 1, 1))] * 1005,
        )
        path = f"/api/customers/{customer.pk}/statement/"
        first = client.get(path).json()
        assert len(first["entries"]) == 100 and first["entries"][-1]["balance"] == "100.00"
        assert first["entry_count"] == 1005
        assert len(client.get(f"{path}?page_size=5000").json()["entries"]) == 1000
        pages, entries = follow(client, f"{path}?page_size=1000")
        assert len(pages) == 2 and entries[-1]["balance"] == "1005.00"

    def test_the_first_page_costs_a_few_queries_however_long_the_history(
        self, client, customer, long_history, django_assert_max_num_queries
    ):
        # The user, the customer, the figures, the page's lines.
        with django_assert_max_num_queries(4):
            assert statement(client, customer, "page_size=2")["next"]

    @pytest.mark.parametrize("size", ["0", "-1", "ten", "1.5", "٣"])
    def test_a_malformed_page_size_is_a_400(self, client, customer, size):
        response = client.get(f"/api/customers/{customer.pk}/statement/?page_size={size}")
        assert response.status_code == 400 and "page_size" in response.json()

    def test_a_forged_or_borrowed_cursor_is_a_400(self, client, customer, user, long_history):
        path = f"/api/customers/{customer.pk}/statement/"
        cursor = parse_qs(urlsplit(statement(client, customer, "page_size=2")["next"]).query)[
            "cursor"
        ][0]
        other = make_customer(user, name="Other")
        for url in [
            f"{path}?cursor={cursor[:-1]}x",  # its signature broken
            f"{path}?cursor=abc",
            f"{path}?cursor={cursor}&start_date=2026-01-01",  # another period's
            f"/api/customers/{other.pk}/statement/?cursor={cursor}",  # another customer's
        ]:
            response = client.get(url)
            assert response.status_code == 400, url
            assert "cursor" in response.json()

    def test_another_user_with_a_next_link_gets_a_404(
        self, client, other_client, customer, long_history
    ):
        following = statement(client, customer, "page_size=2")["next"]
        assert other_client.get(following).status_code == 404

    def test_an_entry_posted_meanwhile_into_a_later_page_is_on_it(self, client, customer, history):
        first = statement(client, customer, "page_size=2")
        late = post(customer, "debit", "3.00", entry_date=D(2026, 3, 1))
        _, rest = follow(client, first["next"])
        assert late.pk in [entry["id"] for entry in rest]
        assert [e["id"] for e in first["entries"] + rest] == [
            *(history[k].pk for k in "abcde"),
            late.pk,
            history["f"].pk,
        ]

    def test_the_customers_name_is_read_fresh(self, client, customer, history):
        statement(client, customer)
        response = client.patch(f"/api/customers/{customer.pk}/", {"name": "Ravi K."})
        assert response.status_code == 200
        assert statement(client, customer)["customer_name"] == "Ravi K."

    def test_another_user_still_gets_a_404(self, client, other_client, customer, history):
        response = other_client.get(f"/api/customers/{customer.pk}/statement/")
        assert response.status_code == 404


class TestCSV:
    def rows(self, response):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        return list(csv.DictReader(io.StringIO(body_of(response).decode())))

    def test_statement_csv_parses_back_to_the_json_figures(self, client, customer, history):
        query = "start_date=2026-01-31&end_date=2026-02-28"
        body = statement(client, customer, query)
        rows = self.rows(client.get(f"/api/customers/{customer.pk}/statement/?{query}&format=csv"))
        opening, *lines, closing = rows
        assert opening["type"] == "opening_balance"
        assert Decimal(opening["balance"]) == Decimal(body["opening_balance"])
        assert [
            (int(r["entry_id"]), r["date"], r["type"], r["credit"] or r["debit"], r["balance"])
            for r in lines
        ] == [
            (e["id"], e["entry_date"], e["type"], e["amount"], e["balance"])
            for e in body["entries"]
        ]
        assert closing["type"] == "closing_balance"
        assert (closing["credit"], closing["debit"], closing["balance"]) == (
            body["total_credit"],
            body["total_debit"],
            body["closing_balance"],
        )

    def test_export_parses_back_to_the_entries(self, client, customer, history, user):
        post(make_customer(user, name="=HYPERLINK(evil)"), "debit", "1.00", note="+cmd|calc")
        exported = self.rows(client.get("/api/entries/?format=csv&ordering=entry_date"))
        listed = client.get("/api/entries/?ordering=entry_date&page_size=200").json()["results"]
        assert [(int(r["id"]), r["amount"], r["entry_date"], r["type"]) for r in exported] == [
            (e["id"], e["amount"], e["entry_date"], e["type"]) for e in listed
        ]
        evil = next(r for r in exported if r["note"].endswith("calc"))
        assert evil["note"] == "'+cmd|calc" and evil["customer_name"] == "'=HYPERLINK(evil)"

    def test_export_honours_filters_and_is_not_paginated(self, client, customer, user):
        for n in range(205):
            post(customer, "credit", "1.00", entry_date=D(2026, 1, 1 + n % 28))
        post(customer, "debit", "5.00")
        rows = self.rows(client.get(f"/api/entries/?format=csv&customer={customer.pk}&type=credit"))
        assert len(rows) == 205
        nested = self.rows(
            client.get(f"/api/customers/{customer.pk}/entries/?format=csv&type=debit")
        )
        assert [r["amount"] for r in nested] == ["5.00"]

    @pytest.mark.parametrize("file_format", ["json", "csv", "pdf"])
    def test_a_malformed_page_size_is_a_json_400_in_every_format(
        self, client, customer, file_format
    ):
        path = f"/api/customers/{customer.pk}/statement/?format={file_format}&page_size=null"
        response = client.get(path)
        assert response.status_code == 400
        assert response.json() == {"page_size": ["Enter a whole number from 1."]}

    def test_export_with_a_bad_filter_is_a_json_400(self, client, customer):
        response = client.get("/api/entries/?format=csv&start_date=soon")
        assert response.status_code == 400
        assert "start_date" in response.json()

    def test_export_shows_only_ones_own_entries(self, client, customer, others_customer):
        post(customer)
        post(others_customer)
        assert len(self.rows(client.get("/api/entries/?format=csv"))) == 1


@pytest.fixture
def entry_posted_between_figures_and_lines(customer, monkeypatch):
    """An entry of the period posted after the statement's figures are read, before its lines
    are: the race two reads leave open."""
    read_lines = statements.Statement.lines

    def lines(statement, **kwargs):
        if not Entry.objects.filter(note="late").exists():
            post(customer, "credit", "7.00", entry_date=D(2026, 2, 10), note="late")
        return read_lines(statement, **kwargs)

    monkeypatch.setattr(statements.Statement, "lines", lines)


@pytest.mark.usefixtures("history", "entry_posted_between_figures_and_lines")
class TestFilesAgreeWithTheirLines:
    """A file that holds the whole period sums its totals from its own lines."""

    def test_a_csvs_closing_row_adds_up_its_lines(self, client, customer):
        path = f"/api/customers/{customer.pk}/statement/?start_date=2026-02-01&format=csv"
        opening, *lines, closing = csv.DictReader(io.StringIO(body_of(client.get(path)).decode()))
        assert [line["note"] for line in lines].count("late") == 1
        credit = sum(Decimal(line["credit"] or 0) for line in lines)
        debit = sum(Decimal(line["debit"] or 0) for line in lines)
        assert (Decimal(closing["credit"]), Decimal(closing["debit"])) == (credit, debit)
        assert closing["balance"] == lines[-1]["balance"]
        assert Decimal(closing["balance"]) == Decimal(opening["balance"]) + credit - debit

    def test_a_pdfs_totals_add_up_its_lines(self, customer):
        figures = statements.statement(customer, start_date=D(2026, 2, 1))
        whole, lines = statements.read_whole(figures)
        assert [line.note for line in lines].count("late") == 1
        assert whole.total_credit == figures.total_credit + Decimal("7.00")
        assert whole.entry_count == len(lines) == figures.entry_count + 1
        assert whole.closing_balance == lines[-1].balance


class TestPDF:
    def pdf(self, client, customer, query=""):
        response = client.get(f"/api/customers/{customer.pk}/statement/?format=pdf&{query}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        return response.content

    def text_of(self, pdf: bytes, tmp_path) -> str:
        path = tmp_path / "statement.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        )
        return result.stdout

    def test_pdf_renders_a_page_with_content(self, client, customer, history, tmp_path):
        path = tmp_path / "statement.pdf"
        path.write_bytes(self.pdf(client, customer))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
            check=True,
        )
        page = Image.open(tmp_path / "p-1.png").convert("L")
        dark = sum(page.histogram()[:128])
        assert dark > 2000, "the first page is (nearly) blank"

    def test_pdf_says_who_when_and_how_much(self, client, customer, history, tmp_path):
        customer.book.name = "Asha Traders"  # the business's name heads it
        customer.book.save()
        text = self.text_of(self.pdf(client, customer, "start_date=2026-02-01"), tmp_path)
        for expected in [
            "Asha Traders",
            "Ravi Kumar",
            "1 Feb 2026",  # the period, in the locale's style (the book's: en-IN)
            "Opening balance",
            "749.50",
            "Closing balance",
            "0.00",
            "Page 1 of 1",
        ]:
            assert expected in text, expected

    def test_long_statements_number_their_pages(self, client, customer, tmp_path):
        posting.post_entries(
            book=customer.book,
            user=owner_of(customer.book),
            customer=customer,
            drafts=[posting.EntryDraft("credit", Decimal("1.00"), D(2026, 1, 1))] * 150,
        )
        text = self.text_of(self.pdf(client, customer), tmp_path)
        pages = text.count("\f") + (0 if text.endswith("\f") else 1)
        assert pages >= 3
        assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
        assert "150.00" in text

    def test_names_in_indian_scripts_are_drawn(self, client, user, tmp_path):
        customer = make_customer(user, name="रवि कुमार")
        post(customer)
        assert "रवि कुमार" in self.text_of(self.pdf(client, customer), tmp_path)

    def test_notes_in_indian_scripts_are_shaped_beside_ascii_ones(self, client, customer, tmp_path):
        post(customer, note="चीनी 5 kg")
        post(customer, note="sugar 5 kg")
        text = self.text_of(self.pdf(client, customer), tmp_path)
        assert "चीनी 5 kg" in text and "sugar 5 kg" in text

    def test_a_pdf_is_ready_to_send_with_the_due_amount_and_a_payment_code_where_expected(
        self, client, customer, tmp_path
    ):
        book = customer.book
        book.name, book.address, book.phone = "Asha Traders", "12 MG Road, Pune", "+91 20 1234 5678"
        book.payment_details = "asha.traders@okbank"
        book.save()
        post(customer, "credit", "123456.50", entry_date=D(2026, 1, 5), note="rice")
        path = tmp_path / "statement.pdf"
        path.write_bytes(self.pdf(client, customer))
        text = self.text_of(path.read_bytes(), tmp_path)
        for expected in [
            "12 MG Road, Pune",
            "Phone: +91 20 1234 5678",
            "Amount due from you",
            "₹1,23,456.50",  # the book's currency, grouped as en-IN groups it
            "90+ days overdue",
            "Scan to pay (UPI)",
            "made on",
            "Page 1 of 1",
        ]:
            assert expected in text, expected
        # Where each is drawn: words' boxes from pdftotext, the code's pixels from pdftoppm.
        boxes = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        words = {}  # each word's first box
        for m in re.finditer(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', boxes
        ):
            words.setdefault(m.group(5), tuple(float(m.group(n)) for n in range(1, 5)))
        page_width = 595.28  # A4, in points
        x_min, y_min, _, _ = words["Asha"]
        assert x_min < 60 and y_min < 60, "the business's name heads the page, on the left"
        x_min, y_min, x_max, _ = words["₹1,23,456.50"]
        assert y_min < 300 and x_max < page_width - 100, "the amount due is near the top"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
            check=True,
        )
        page = Image.open(tmp_path / "p-1.png").convert("L")
        # The code: 32 mm square at the top right, inside the 10 mm margins (72 dpi).
        mm = 72 / 25.4
        square = page.crop(
            (
                round(page.width - 10 * mm - 32 * mm),
                round(10 * mm),
                round(page.width - 10 * mm),
                round(42 * mm),
            )
        )
        dark = sum(square.histogram()[:128]) / (square.width * square.height)
        assert 0.25 < dark < 0.75, f"a QR code's modules are drawn there ({dark:.2f} dark)"

    def test_a_pdf_without_a_upi_id_or_anything_due_draws_no_code(self, client, customer, tmp_path):
        post(customer, "credit", "10.00")
        assert "Scan to pay" not in self.text_of(self.pdf(client, customer), tmp_path)

    def test_a_pdf_writes_nothing_to_the_log(self, client, customer, history, caplog):
        with caplog.at_level(logging.DEBUG):
            self.pdf(client, customer)
        assert [record.getMessage() for record in caplog.records if record.levelno >= 20] == []

    def test_too_many_entries_for_a_pdf_is_a_400(self, client, customer, settings):
        settings.STATEMENT_PDF_MAX_ENTRIES = 2
        for _ in range(3):
            post(customer)
        response = client.get(f"/api/customers/{customer.pk}/statement/?format=pdf")
        assert response.status_code == 400
        assert "format" in response.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's cursors")
@pytest.mark.parametrize(
    ("path", "lines_before_entries"),
    [
        ("/api/customers/{id}/statement/?format=csv", 1),  # the opening balance
        ("/api/entries/?customer={id}&format=csv", 0),
    ],
)
def test_streamed_reads_keep_no_cursor_in_the_session(
    client, customer, path, lines_before_entries, monkeypatch
):
    # A WITH HOLD cursor outlives its transaction in the session, where a transaction-pooling
    # PgBouncer would lose it: streamed reads hold a transaction and an ordinary cursor instead.
    monkeypatch.setattr("common.renderers.CSV_BATCH", 1)  # a chunk per row (the first: header too)
    for n in range(3):
        post(customer, amount=n + 1)
    chunks = iter(client.get(path.format(id=customer.pk)).streaming_content)
    for _ in range(lines_before_entries + 1):  # up to the first entry: the cursor is open now
        next(chunks)
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable FROM pg_cursors")
        cursors = [holdable for (holdable,) in cursor.fetchall()]
    assert cursors == [False]
    assert len(list(chunks)) >= 2
