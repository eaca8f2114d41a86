"""Job kinds for the tests: registered when this module is imported (tests/jobs/conftest.py)."""

from jobs import files, runner
from jobs.models import Job

SEEN = []


@runner.handler("test-count")
def count_to(run):
    """Counts to params["to"] in steps, reporting progress; fails on params["fail_at"]."""
    to = run.params["to"]
    for done in range(1, to + 1):
        if done == run.params.get("fail_at"):
            raise runner.JobError({"detail": "Bad row.", "line": done})
        run.progress(done, to)
        SEEN.append((run.job.pk, run.job.attempts, done))
        if done == run.params.get("cancel_at"):
            Job.objects.filter(pk=run.job.pk).update(cancel_requested=True)
    return {"counted": to}


@runner.handler("test-crash")
def crash(run):
    raise ZeroDivisionError("boom")


@runner.handler("test-file")
def write_lines(run):
    """Writes params["lines"] lines to the job's file; fails at, or is cancelled at, a line."""
    params = run.params

    def write(file, tally):
        for n in tally.count(range(params["lines"])):
            if n == params.get("fail_at"):
                raise runner.JobError({"detail": "Bad line.", "line": n})
            if n == params.get("cancel_at"):
                Job.objects.filter(pk=run.job.pk).update(cancel_requested=True)
                assert tally.stopping.wait(10)  # the job's thread saw the cancel
            file.write(f"line {n}\n".encode())

    return files.make_file(
        run, write, name="lines.txt", content_type="text/plain", total=params["lines"]
    )
