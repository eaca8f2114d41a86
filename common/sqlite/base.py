"""Django's SQLite backend, with writers queued by the kernel instead of SQLite's polling.

SQLite lets one writer in at a time. Another that finds the database busy does not wait on the
lock: it sleeps 1, 2, 5, 10 ... ms and tries again, so two gunicorn workers writing at once
lose most of their time asleep. Here a write transaction first takes an exclusive flock on a
file beside the database, and the kernel hands it to the next waiter the moment it is let go.
The flock only orders the writers; SQLite's own lock still guards the data, and its busy
timeout still covers writers that do not queue (a sqlite3 shell, another program).
"""

import fcntl

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    writer_queue = None  # the open queue file, for a database on disk
    in_queue = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db() and self.transaction_mode in {"IMMEDIATE", "EXCLUSIVE"}:
            self.writer_queue = open(f"{self.settings_dict['NAME']}-writers", "a")  # noqa: SIM115
        return connection

    def _start_transaction_under_autocommit(self):
        if self.writer_queue is not None:
            fcntl.flock(self.writer_queue, fcntl.LOCK_EX)
            self.in_queue = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
            if self.writer_queue is not None:
                self.writer_queue.close()
                self.writer_queue = None

    def _leave_queue(self):
        if self.in_queue:
            self.in_queue = False
            fcntl.flock(self.writer_queue, fcntl.LOCK_UN)
