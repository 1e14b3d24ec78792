"""Benchmark: POST /api/progress/sync carrying 100 quiz attempts (Django test client, in-process).

Runs on a throw-away test database: SQLite by default, PostgreSQL when DATABASE_URL says so.
Prints median and p95 of a steady-state sync (attempts already stored: the everyday case; each
signature is still checked against its attempt, from a cache of verified signatures) and of a
first sync (every signature verified from scratch). Target: p95 <= 15 ms.

Run: .venv/bin/python bench/sync.py [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from percentiles import percentile

from quiz.results import QuizResult, sign_quiz_result

SLUG = "writing-postmortems-for-ai-system-incidents"
SYNC_URL = "/api/progress/sync"


def document(attempts: int) -> bytes:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    entries = []
    for n in range(attempts):
        result = QuizResult(
            attempt_id=str(uuid.uuid4()),
            lesson_slug=SLUG,
            form=10,
            score=n % 11,
            total=10,
            finished_at=start + timedelta(minutes=n),
            user_id=None,
        )
        entries.append(
            {
                "id": result.attempt_id,
                "form": 10,
                "score": result.score,
                "total": 10,
                "finished_at": result.finished_at_iso,
                "signature": sign_quiz_result(result),
            }
        )
    lesson = {
        "sections_read": {"premise": "2025-01-01T00:00:00.000Z"},
        "checklist": {"share-one-insight": {"done": True, "at": "2025-01-01T00:00:00.000Z"}},
        "reflection": {
            "text": "Keep the timeline apart from the analysis.",
            "at": "2025-01-01T00:00:00.000Z",
        },
        "attempts": entries,
    }
    return json.dumps({"version": 1, "lessons": {SLUG: lesson}}).encode()


def timed_sync(client: Client, body: bytes) -> float:
    start = time.perf_counter()
    response = client.post(SYNC_URL, data=body, content_type="application/json")
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed


def report(label: str, samples: list[float]) -> None:
    median, p95 = statistics.median(samples), percentile(samples, 0.95)
    print(f"  {label:<34} median {median:6.2f} ms   p95 {p95:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=100)
    args = parser.parse_args()

    setup_test_environment()
    logging.disable(logging.INFO)  # one request log line per sync would drown the numbers
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        users = get_user_model().objects
        body = document(args.attempts)

        client = Client()
        client.force_login(users.create_user("bench@example.com"))
        timed_sync(client, body)  # store the attempts once
        steady = [timed_sync(client, body) for _ in range(args.requests)]

        first = []
        for n in range(max(10, args.requests // 10)):
            fresh = Client()
            fresh.force_login(users.create_user(f"bench{n}@example.com"))
            first.append(timed_sync(fresh, body))

        print(
            f"progress sync, {args.attempts} attempts, {len(body) // 1024} KB body, "
            f"{connection.vendor} (Django test client, signed in)"
        )
        report(f"steady state ({len(steady)} syncs)", steady)
        report(f"first sync ({len(first)} syncs)", first)
        print("  target p95 <= 15 ms (steady state)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
