"""Benchmark: server time of the lesson page (Django test client) and its SQL query count.

Run: .venv/bin/python bench/lesson_page.py [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from percentiles import percentile

LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    setup_test_environment()
    # A throwaway test database: the returning visitor below gets a session row.
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        measure(args.requests)
    finally:
        teardown_databases(databases, verbosity=0)


def count_queries(get: Callable[[], object]) -> int:
    """SQL statements run by one request (an execute wrapper sees every one, DEBUG or not)."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        get()
    return len(statements)


def measure(requests: int) -> None:
    client = Client()
    assert client.get(LESSON_URL).status_code == 200  # warm caches
    queries = count_queries(lambda: client.get(LESSON_URL))

    # A returning visitor who has answered a quiz question carries a session cookie (a quiz
    # page view alone stores nothing).
    returning = Client()
    step = returning.get(LESSON_URL + "quiz/10/", follow=True).content.decode()
    found = re.search(r'action="([^"]*/answer/)".*?name="question" value="([^"]+)"', step, re.S)
    assert found, "the quiz's first step has an answer form"
    returning.post(found.group(1), {"question": found.group(2), "option": ["1"]})
    assert "sessionid" in returning.cookies
    returning.get(LESSON_URL)
    returning_queries = count_queries(lambda: returning.get(LESSON_URL))

    samples_ms = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(LESSON_URL)
        samples_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200

    print(f"lesson page, {requests} requests (Django test client, anonymous)")
    print(f"  median   {statistics.median(samples_ms):7.2f} ms")
    print(f"  p95      {percentile(samples_ms, 0.95):7.2f} ms")
    print(f"  bytes    {len(response.content):7d}")
    print(f"  queries  {queries:7d}   (target 0; first visit, no cookie)")
    print(
        f"  queries  {returning_queries:7d}   (visitor with a session: 0 when sessions are "
        f"cached in Redis, REDIS_URL; 1 session read otherwise)"
    )


if __name__ == "__main__":
    main()
