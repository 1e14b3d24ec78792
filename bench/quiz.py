"""Benchmark: server time of "check one answer" and "finish attempt" (Django test client).

Runs against a throwaway test database (SQLite in memory, or DATABASE_URL's server with a
test_ prefix). "Finish" is timed on attempts whose every question is already answered, so it
grades a full attempt. Target: p95 <= 10 ms for both.

Run: .venv/bin/python bench/quiz.py [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from percentiles import percentile

from quiz.attempts import SESSION_OWNER_KEY, Owner, answer_question, start_attempt
from quiz.bank import get_question_bank
from quiz.models import Attempt

SLUG = "writing-postmortems-for-ai-system-incidents"
QUIZ_URL = f"/lessons/{SLUG}/quiz/10/"


def report(name: str, samples_ms: list[float], queries: int) -> None:
    print(f"{name}, {len(samples_ms)} requests")
    print(f"  median   {statistics.median(samples_ms):7.2f} ms")
    print(f"  p95      {percentile(samples_ms, 0.95):7.2f} ms   (target <= 10 ms)")
    print(f"  queries  {queries:7d}")


def timed_post(client: Client, url: str, data: dict, *, expect: int) -> float:
    start = time.perf_counter()
    response = client.post(url, data)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == expect, (url, response.status_code, response.content[:300])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        bank = get_question_bank(SLUG)
        assert bank is not None
        client = Client()
        # A stranger's quiz page shows an attempt without storing anything (a redirect to its
        # first question); the first answer stores it and gives the browser its quiz token.
        shown = client.get(QUIZ_URL, follow=True)
        assert shown.status_code == 200, shown.status_code
        first_answer = re.search(r'action="([^"]*/answer/)"', shown.content.decode())
        first_question = re.search(r'name="question" value="([^"]+)"', shown.content.decode())
        assert first_answer and first_question, "the quiz page shows no question to answer"
        data = {"question": first_question.group(1), "option": "1"}
        timed_post(client, first_answer.group(1), data, expect=302)
        owner = Owner(user_id=None, session_key=client.session[SESSION_OWNER_KEY])

        def new_attempt() -> Attempt:
            return start_attempt(bank=bank, form=10, owner=owner)

        def answer_url(attempt: Attempt) -> str:
            return f"/lessons/{SLUG}/quiz/attempts/{attempt.id}/answer/"

        check_ms: list[float] = []
        check_queries = 0
        while len(check_ms) < args.requests:
            attempt = new_attempt()
            for question_id, _ in attempt.plan[: args.requests - len(check_ms)]:
                data = {"question": question_id, "option": "1"}
                if not check_ms:
                    with CaptureQueriesContext(connection) as queries:
                        check_ms.append(timed_post(client, answer_url(attempt), data, expect=302))
                    check_queries = len(queries)
                else:
                    check_ms.append(timed_post(client, answer_url(attempt), data, expect=302))

        def answered_attempt() -> Attempt:
            """A new attempt with every question answered (untimed), as a learner finishes it."""
            attempt = new_attempt()
            for question_id, _ in attempt.plan:
                answer_question(
                    attempt_id=attempt.id,
                    bank=bank,
                    owner=owner,
                    question_id=question_id,
                    positions=[1],
                )
            return attempt

        finish_ms: list[float] = []
        finish_queries = 0
        for index in range(args.requests):
            attempt = answered_attempt()
            url = f"/lessons/{SLUG}/quiz/attempts/{attempt.id}/finish/"
            if index == 0:
                with CaptureQueriesContext(connection) as queries:
                    finish_ms.append(timed_post(client, url, {}, expect=302))
                finish_queries = len(queries)
            else:
                finish_ms.append(timed_post(client, url, {}, expect=302))

        print(f"quiz ({connection.vendor}, Django test client, anonymous, plain form posts)")
        report("check one answer", check_ms, check_queries)
        report("finish attempt", finish_ms, finish_queries)
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
