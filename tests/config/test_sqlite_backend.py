"""The SQLite backend: a transaction waiting for another's write lock starts as soon as it is
free; every other statement, and the deadline, behave as with Django's own backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.utils import load_backend

import config.sqlite_backend.base as sqlite_backend

pytestmark = pytest.mark.django_db


@contextmanager
def file_database(path: Path, *, timeout: float) -> Iterator[Any]:
    """A connection to a SQLite file, configured as config/settings.py configures production's,
    under the alias "file" for this thread."""
    settings = {
        **connections.settings[DEFAULT_DB_ALIAS],
        "ENGINE": "config.sqlite_backend",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
    wrapper = load_backend("config.sqlite_backend").DatabaseWrapper(settings, "file")
    connections["file"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections["file"]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(path)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY)")
    return path


@pytest.fixture
def other_writer(database: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection, holding the write lock until it commits."""
    writer = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    yield writer
    writer.close()


def busy_timeout_ms(wrapper: Any) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        return int(cursor.fetchone()[0])


def test_a_writer_waiting_for_the_lock_retries_every_millisecond_and_then_writes(
    database: Path, other_writer: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    def wait(seconds: float) -> None:
        # The other writer commits while this one waits: its next try must take the lock.
        waits.append(seconds)
        if len(waits) == 2:
            other_writer.execute("COMMIT")

    monkeypatch.setattr(sqlite_backend, "sleep", wait)
    with (
        file_database(database, timeout=20) as wrapper,
        transaction.atomic(using="file"),
        wrapper.cursor() as cursor,
    ):
        cursor.execute("INSERT INTO answer DEFAULT VALUES")
    # SQLite's own busy handler would have slept 1 ms, then 2 ms (and 5, 10 … 100 ms).
    assert waits == [0.001, 0.001]
    assert other_writer.execute("SELECT count(*) FROM answer").fetchone() == (1,)


def test_statements_outside_a_transaction_keep_the_busy_timeout(database: Path) -> None:
    with file_database(database, timeout=20) as wrapper:
        with transaction.atomic(using="file"), wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO answer DEFAULT VALUES")
        assert busy_timeout_ms(wrapper) == 20_000


def test_a_writer_that_never_gets_the_lock_fails_at_its_timeout(
    database: Path, other_writer: sqlite3.Connection
) -> None:
    with file_database(database, timeout=0.05) as wrapper:
        with (
            pytest.raises(OperationalError, match="database is locked"),
            transaction.atomic(using="file"),
        ):
            pass
        assert busy_timeout_ms(wrapper) == 50
