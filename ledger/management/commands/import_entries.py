"""Import a large CSV of entries into one customer's ledger, with a progress bar."""

import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from books.models import MembershipStatus
from customers.models import Customer
from ledger import posting
from ledger.exceptions import LedgerError
from ledger.imports import read_entries_csv


class Command(BaseCommand):
    help = (
        "Import entries from a CSV file (header type,amount,entry_date,note) into one customer's "
        "ledger: every row or none, through the same posting service as the API."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument(
            "--user", required=True, help="who posts them: a member of the customer's book"
        )
        parser.add_argument("--customer", required=True, type=int, help="the customer's id")
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")

    def handle(self, *args, file, user, customer, dry_run, **options):
        try:
            owner = get_user_model().objects.get_by_natural_key(user)
            target = Customer.objects.select_related("book").get(
                pk=customer,
                book__memberships__user=owner,
                book__memberships__status=MembershipStatus.ACTIVE,
            )
        except (get_user_model().DoesNotExist, Customer.DoesNotExist):
            raise CommandError(
                f"No customer {customer} is in a book user {user!r} is a member of."
            ) from None
        try:
            handle = open(file, encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        progress = Progress(os.fstat(handle.fileno()).st_size, self.stderr)
        with handle:
            drafts = read_entries_csv(
                progress.track(handle), today=target.book.today(), customer=target
            )
            try:
                count = posting.post_entries(
                    book=target.book, user=owner, customer=target, drafts=drafts, dry_run=dry_run
                )
            except LedgerError as exc:
                progress.finish()
                raise CommandError(exc.message) from None
        progress.finish()
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} entries into customer {customer}"))


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, total_bytes: int, out):
        self.total, self.out, self.done, self.lines = max(total_bytes, 1), out, 0, 0
        self.started = self.drawn = time.monotonic()

    def track(self, lines):
        for line in lines:
            self.done += len(line.encode())
            self.lines += 1
            if time.monotonic() - self.drawn > 0.1:
                self.draw()
            yield line

    def draw(self, end=""):
        self.drawn = time.monotonic()
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * self.WIDTH)
        rate = self.lines / max(self.drawn - self.started, 1e-9)
        self.out.write(
            f"\r[{bar:<{self.WIDTH}}] {share:6.1%} {self.lines:,} lines {rate:,.0f} lines/s{end}",
            ending="",
        )
        self.out.flush()

    def finish(self):
        self.draw(end="\n")
