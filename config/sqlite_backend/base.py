"""Django's SQLite backend, waiting for the write lock in short steps instead of SQLite's own.

Every write transaction starts with BEGIN IMMEDIATE (settings: `transaction_mode`), so a second
writer waits at BEGIN for the one holding the lock. SQLite's built-in busy handler sleeps in
growing steps (1, 2, 5, 10 … 50, 100 ms) and retries only when a sleep ends: a writer that has
already waited sleeps longest, while one that just arrived takes the lock as soon as it is
free. Under load from several server threads the lock is free most of the time (each answer
holds it for a few milliseconds), yet one check in twenty waited 130 ms to 1 s for it. Here the
BEGIN is retried every millisecond, so a waiting writer starts within about a millisecond of
the lock coming free, whoever arrived first; the deadline stays the `timeout` option.
(The same change as the fixed-interval busy handler Rails adopted for SQLite.)

Everything else, including the busy timeout of statements outside a transaction, is Django's.
"""

from __future__ import annotations

from sqlite3 import SQLITE_BUSY
from time import monotonic, sleep
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Python's default for sqlite3.connect(timeout=...), which Django uses when OPTIONS has none.
DEFAULT_TIMEOUT_SECONDS = 5.0
RETRY_INTERVAL_SECONDS = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    # Set from OPTIONS by Django's backend (django-stubs does not declare it).
    transaction_mode: str | None

    def _start_transaction_under_autocommit(self) -> None:
        begin = f"BEGIN {self.transaction_mode}" if self.transaction_mode else "BEGIN"
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT_SECONDS))
        deadline = monotonic() + timeout
        # Only this BEGIN waits here; every other statement keeps SQLite's busy timeout.
        self._set_busy_timeout(0)
        try:
            while True:
                try:
                    # Through Django's cursor, so query logging and execute wrappers see it.
                    self.cursor().execute(begin)
                    return
                except OperationalError as error:
                    busy = getattr(error.__cause__, "sqlite_errorcode", None) == SQLITE_BUSY
                    if not busy or monotonic() >= deadline:
                        raise
                sleep(RETRY_INTERVAL_SECONDS)
        finally:
            self._set_busy_timeout(timeout)

    def _set_busy_timeout(self, seconds: float) -> None:
        connection: Any = self.connection
        with self.wrap_database_errors:
            connection.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")
