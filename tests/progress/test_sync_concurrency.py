"""Three devices of one learner syncing at once must not lose anything (real PostgreSQL)."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from progress.compaction import KEEP_RECENT_ATTEMPTS
from progress.document import format_timestamp, validate_document
from progress.sync import stored_progress, sync_progress
from tests.conftest import LESSON_SLUG
from tests.progress.conftest import signed_attempt

DEVICES = 3
ROUNDS = 50
SHARED_ITEM = "run-on-live-project"
BASE = datetime(2025, 1, 1, tzinfo=UTC)

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL: set DATABASE_URL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_three_devices_syncing_fifty_rounds_at_once_lose_nothing(learner) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL points elsewhere")
    clock = iter(range(1, 10_000))
    clock_lock = threading.Lock()
    writes: list[tuple[datetime, bool]] = []
    sent_attempts: set[str] = set()
    sent_at: dict[str, str] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(DEVICES)

    def tick() -> datetime:
        with clock_lock:
            return BASE + timedelta(milliseconds=next(clock))

    def device(number: int) -> None:
        try:
            start.wait()
            for round_number in range(ROUNDS):
                # Each round sends only what is new, so a lost update could never be re-sent
                # later: only the row lock keeps it.
                entry: dict = {"checklist": {}, "attempts": []}
                local = {"version": 1, "lessons": {LESSON_SLUG: entry}}
                attempt = signed_attempt(
                    user_id=learner.pk, score=round_number % 11, finished_at=tick()
                )
                entry["attempts"].append(attempt)
                at = tick()
                done = (round_number + number) % 2 == 0
                entry["checklist"][SHARED_ITEM] = {"done": done, "at": format_timestamp(at)}
                entry["checklist"][f"device-{number}"] = {"done": True, "at": format_timestamp(at)}
                with clock_lock:
                    writes.append((at, done))
                    sent_attempts.add(attempt["id"])
                    sent_at[attempt["id"]] = attempt["finished_at"]
                result = sync_progress(user_id=learner.pk, incoming=validate_document(local))
                assert attempt["id"] in {
                    a.id for a in result.document.lessons[LESSON_SLUG].attempts
                }
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=device, args=(n,)) for n in range(DEVICES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    entry = stored_progress(user_id=learner.pk).lessons[LESSON_SLUG]
    # Compaction keeps the latest attempts (and each form's best) in full and counts older
    # ones: no attempt among the latest is lost to a concurrent sync, and older ones are counted.
    kept = {a.id for a in entry.attempts}
    latest = sorted(sent_attempts, key=lambda attempt_id: sent_at[attempt_id])
    assert set(latest[-KEEP_RECENT_ATTEMPTS:]) <= kept <= sent_attempts
    assert sum((entry.earlier_attempts or {}).values()) >= 1
    assert len(sent_attempts) == DEVICES * ROUNDS
    latest_at, latest_done = max(writes)
    assert entry.checklist[SHARED_ITEM].at == latest_at
    assert entry.checklist[SHARED_ITEM].done is latest_done
    assert all(entry.checklist[f"device-{n}"].done for n in range(DEVICES))
