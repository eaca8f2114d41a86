"""The ledger's background work: its periodic tasks (settings.PERIODIC_TASKS) and its jobs."""

import datetime
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404
from django_tasks import task

from common.renderers import csv_chunks
from customers.selectors import customer_of
from jobs import files, runner
from jobs.models import UNFINISHED, Job
from ledger import exports, posting, statements
from ledger.exceptions import LedgerError
from ledger.idempotency import purge_expired
from ledger.imports import CSVBody, read_entries_csv
from ledger.models import StagedEntry


@task()
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than IDEMPOTENCY_KEY_RETENTION_HOURS."""
    return purge_expired()


@task()
def discard_abandoned_imports() -> int:
    """Forget rows staged by import jobs that are no longer queued or running (an attempt
    killed while staging, whose job then failed); answer how many went."""
    live = Job.objects.filter(status__in=UNFINISHED).values_list("pk", flat=True)
    batches = set(StagedEntry.objects.values_list("batch", flat=True).distinct())
    abandoned = batches - {f"job-{pk}" for pk in live}
    deleted, _ = StagedEntry.objects.filter(batch__in=abandoned).delete()
    return deleted


# Rows staged per transaction: about a tenth of a second of SQLite's write lock at a time.
STAGE_CHUNK = 20_000


@runner.handler("import")
def import_entries(run: runner.JobRun) -> dict:
    """A CSV import too big to answer at once (the import route queued it, with the file).

    The rows are parsed, checked and staged in short transactions (reporting progress, and
    stopping there if the job is cancelled), then published as entries in one transaction that
    also marks the job done: all rows or none, and other merchants' writes wait only for a
    chunk, or for the publishing statement. A bad row fails the job with the error the route
    would have answered; staged rows never outlive the attempt.
    """
    params, tenant, batch = run.params, run.job.book, f"job-{run.job.pk}"
    try:
        customer = customer_of(tenant, params["customer"])
    except Http404:
        raise runner.JobError({"detail": "The customer no longer exists."}) from None
    path = runner.input_path(run.job)
    run.progress(0, total=_line_count(path) - 1)
    posting.discard(batch)  # what an attempt before this one staged, if it was killed
    try:
        with path.open("rb") as file:
            lines = CSVBody(file, limit=settings.IMPORT_MAX_BYTES).lines()
            today = datetime.date.fromisoformat(params["today"])
            drafts = read_entries_csv(lines, today=today, customer=customer)
            staged = posting.stage(batch, drafts, chunk=STAGE_CHUNK, progress=run.progress)
        run.progress(staged, total=staged)
        totals = posting.staged_totals(batch)
        with transaction.atomic():
            # The staged rows are cleared after this transaction (below), not inside it:
            # deleting a million of them held SQLite's one write lock another second or two.
            count = posting.publish(
                batch,
                book=tenant,
                user=run.job.user,
                customer=customer,
                dry_run=params["dry_run"],
                discards=False,
                totals=totals,
            )
            result = import_result(count, dry_run=params["dry_run"])
            if not params["dry_run"]:
                run.finish(result)  # the entries and the job's success commit together
    except LedgerError as exc:
        raise runner.JobError({"detail": exc.message, **exc.extra()}) from None
    finally:
        posting.discard(batch)
    return result


def _line_count(path: Path) -> int:
    """Lines in the file (rows and header, near enough for a progress bar's total)."""
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


@contextmanager
def upload(chunks) -> Iterator[Path]:
    """Keep a request's file on disk for a job (in JOB_FILES_DIR); it is removed after the
    block unless a job took it (queue_import)."""
    files = Path(settings.JOB_FILES_DIR)
    files.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=files, prefix="upload-", delete=False) as file:
        path = Path(file.name)
        for chunk in chunks:
            file.write(chunk)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def queue_import(upload: Path, *, tenant, user, customer, dry_run: bool) -> Job:
    """Queue the import, by `user`, of an uploaded file into the customer's ledger
    (import_entries)."""
    params = {
        "customer": customer.pk,
        "dry_run": dry_run,
        "today": tenant.today().isoformat(),
    }
    return runner.start(
        tenant=tenant,
        user=user,
        kind="import",
        params=params,
        before_run=lambda job: upload.replace(runner.input_path(job)),
    )


@runner.handler("export")
def export(run: runner.JobRun) -> dict:
    """A CSV export too big to stream at once (the entries list or a statement queued it): the
    worker writes the file, and its owner downloads it from the job's result_url."""
    tenant, params = run.job.book, run.params

    def write(file, tally):
        header, rows = _export_source(tenant, params)
        for chunk in csv_chunks(header, tally.count(rows)):
            file.write(chunk)

    return files.make_file(
        run, write, name=params["filename"], content_type=CSV, total=params["total"]
    )


CSV = "text/csv; charset=utf-8"


def _export_source(tenant, params: dict):
    """The header and rows of the export the request asked for, read now."""
    if "entries" in params:
        try:
            entries = exports.unseal(params["entries"])
        except signing.BadSignature:  # the server's secret key changed since the request
            detail = "This export can no longer be read; ask for it again."
            raise runner.JobError({"detail": detail}) from None
        return exports.HEADER, exports.rows(entries)
    period = params["statement"]
    try:
        customer = customer_of(tenant, period["customer"])
    except Http404:
        raise runner.JobError({"detail": "The customer no longer exists."}) from None
    statement = statements.statement(
        customer,
        start_date=period["start_date"] and datetime.date.fromisoformat(period["start_date"]),
        end_date=period["end_date"] and datetime.date.fromisoformat(period["end_date"]),
    )
    return statements.CSV_HEADER, statements.csv_rows(statement)


def entries_export(entries) -> dict:
    """What an export job of the entries list reads: its request's query (exports.seal)."""
    return {"entries": exports.seal(entries)}


def statement_export(statement: statements.Statement) -> dict:
    """What an export job of a statement reads: the customer and the period."""
    return {
        "statement": {
            "customer": statement.customer.pk,
            "start_date": statement.start_date and statement.start_date.isoformat(),
            "end_date": statement.end_date and statement.end_date.isoformat(),
        }
    }


def queue_export(*, tenant, user, source: dict, filename: str, total: int, request: str) -> Job:
    """Queue a CSV export (export()) of `source` for `user`; if the same request of theirs is
    still queued or running, answer that job instead of starting another."""
    same = Job.objects.of(tenant).filter(
        user=user, kind="export", status__in=UNFINISHED, params__request=request
    )
    params = {**source, "filename": filename, "total": total, "request": request}
    return same.first() or runner.start(tenant=tenant, user=user, kind="export", params=params)


def import_result(count: int, *, dry_run: bool) -> dict:
    """What an import answers: how many rows it posted, or, for a dry run, found valid."""
    if dry_run:
        return {"imported": 0, "valid_rows": count, "dry_run": True}
    return {"imported": count}
