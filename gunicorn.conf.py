"""gunicorn's settings for Mini Ledger, from the environment (see the README's table)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Load the app once in the master: a settings error (such as a missing secret key) stops the
# server with its own one-line message, and workers share the imported code.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The longest request line gunicorn accepts (its maximum); longer is a 414.
limit_request_line = 8190
# No control socket (gunicornc): nothing uses it, and its one default path per user would be
# shared by every gunicorn on the machine.
control_socket_disable = True


# The job workers (see jobs.supervisor): started when the server is ready, stopped with it.
_job_workers = int(os.environ.get("JOB_WORKERS", "1"))
_supervisor = None


def when_ready(server):
    global _supervisor
    from jobs import supervisor

    _supervisor = supervisor.start(_job_workers)
    # The master calls manage_workers() at every turn of its loop (at least once a second, in
    # its main thread): the supervisor is looked after there too, like the web workers.
    manage_workers = server.manage_workers

    def manage_workers_and_the_job_supervisor():
        global _supervisor
        manage_workers()
        _supervisor = supervisor.keep(_supervisor, _job_workers)

    server.manage_workers = manage_workers_and_the_job_supervisor


def on_exit(server):
    from jobs import supervisor

    supervisor.stop(_supervisor)


def write_json_error(sock, status_int, reason, mesg):
    """Answer the requests gunicorn refuses before Django sees them (a malformed request line,
    a URL or headers over the limits) in JSON like every other answer, not gunicorn's HTML."""
    import json

    from gunicorn import util

    body = json.dumps({"detail": f"{reason}: {mesg}" if mesg else reason}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def _answer_gunicorn_errors_in_json():
    from gunicorn import util

    util.write_error = write_json_error


_answer_gunicorn_errors_in_json()
