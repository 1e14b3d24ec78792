"""Benchmark: server time of the lesson page (Django test client) and its SQL query count.

Run: .venv/bin/python bench/lesson_page.py [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    setup_test_environment()
    client = Client()
    assert client.get(LESSON_URL).status_code == 200  # warm caches

    with CaptureQueriesContext(connection) as queries:
        client.get(LESSON_URL)

    samples_ms = []
    for _ in range(args.requests):
        start = time.perf_counter()
        response = client.get(LESSON_URL)
        samples_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200

    print(f"lesson page, {args.requests} requests (Django test client, anonymous)")
    print(f"  median   {statistics.median(samples_ms):7.2f} ms")
    print(f"  p95      {percentile(samples_ms, 0.95):7.2f} ms")
    print(f"  bytes    {len(response.content):7d}")
    print(f"  queries  {len(queries):7d}   (target 0)")


if __name__ == "__main__":
    main()
