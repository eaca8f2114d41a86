"""The archive jobs: making a book's archive, and restoring one into a new book."""

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from archives import archive, services
from archives.exceptions import InvalidArchive
from jobs import files, runner
from jobs.models import UNFINISHED, Job
from ledger.models import Entry


@runner.handler("book-export")
def export_book(run: runner.JobRun) -> dict:
    """Write the book's archive (archives.archive) for its owner to download."""
    book = run.job.book

    def write(file, tally):
        archive.write(book, file, tally)

    name = f"book-{book.pk}-{timezone.localdate():%Y-%m-%d}.zip"
    total = Entry.objects.of(book).count()
    return files.make_file(run, write, name=name, content_type=archive.CONTENT_TYPE, total=total)


@runner.handler("book-import")
def import_book(run: runner.JobRun) -> dict:
    """Restore the uploaded archive into a new book owned by who uploaded it: all or nothing;
    the book and the job's success commit together."""
    try:
        with runner.input_path(run.job).open("rb") as file, transaction.atomic():
            book = services.restore(archive=archive.read(file), owner=run.job.user)
            result = {
                "book": book.pk,
                "customers": book.customers.count(),
                "entries": Entry.objects.of(book).count(),
            }
            run.finish(result)
    except InvalidArchive as exc:
        raise runner.JobError({"detail": exc.message}) from None
    return result


def queue_export(*, tenant, user) -> Job:
    """Queue the book's archive for `user`; their export of it still unfinished, if any, is
    answered instead of a second."""
    same = Job.objects.of(tenant).filter(user=user, kind="book-export", status__in=UNFINISHED)
    return same.first() or runner.start(tenant=tenant, user=user, kind="book-export", params={})


def queue_import(upload: Path, *, tenant, user) -> Job:
    """Queue the restore of an uploaded archive (import_book)."""
    return runner.start(
        tenant=tenant,
        user=user,
        kind="book-import",
        params={},
        before_run=lambda job: upload.replace(runner.input_path(job)),
    )
