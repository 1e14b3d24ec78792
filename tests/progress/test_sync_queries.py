"""A sync that changes nothing takes no row lock and opens no write transaction."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from progress.models import ProgressRecord
from quiz.models import Attempt as QuizAttempt
from tests.conftest import LESSON_SLUG
from tests.progress.conftest import signed_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings) -> None:
    """Sessions read from the database at every request, so the counts below do not depend on
    whether the session cache answered in time (on a loaded machine a Redis read can time out,
    and the failover cache then reads the session from the database for a few seconds)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


SYNC_URL = "/api/progress/sync"
AT = "2025-03-01T12:00:00.000Z"
BODY = json.dumps(
    {"version": 1, "lessons": {LESSON_SLUG: {"checklist": {"x": {"done": True, "at": AT}}}}}
)


def sync(client: Client):
    return client.post(SYNC_URL, data=BODY, content_type="application/json")


def test_a_sync_that_changes_nothing_opens_no_transaction(
    client: Client, learner, django_capture_on_commit_callbacks
) -> None:
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):  # keeps the parsed document
        first = sync(client)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = sync(client)
    assert again.status_code == 200
    assert again.json() == first.json()
    statements = [q["sql"].split()[0].upper() for q in queries]
    assert "BEGIN" not in statements and "UPDATE" not in statements, statements
    assert not any("FOR UPDATE" in q["sql"] for q in queries)
    # Session, user, the quiz's finished attempts, the stored record's version.
    assert len(queries) <= 4, [q["sql"][:90] for q in queries]
    assert ProgressRecord.objects.get(user=learner).version == first.json()["version"]


def test_a_sync_that_adds_something_still_stores_it_under_the_lock(client: Client, learner) -> None:
    client.force_login(learner)
    assert sync(client).status_code == 200
    version = ProgressRecord.objects.get(user=learner).version
    more = json.loads(BODY)
    more["lessons"][LESSON_SLUG]["checklist"]["y"] = {"done": True, "at": AT}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(SYNC_URL, data=json.dumps(more), content_type="application/json")
    assert response.status_code == 200
    assert any(q["sql"].startswith("UPDATE") for q in queries)
    record = ProgressRecord.objects.get(user=learner)
    assert record.version == version + 1
    assert "y" in record.document["lessons"][LESSON_SLUG]["checklist"]


def _anonymous_attempts(count: int) -> list[dict]:
    """Attempts finished before signing in, each with the quiz app's record of it."""
    attempts = []
    for n in range(count):
        finished_at = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=n)
        attempt = signed_attempt(user_id=None, score=n % 11, finished_at=finished_at)
        QuizAttempt.objects.create(
            id=attempt["id"],
            lesson_slug=LESSON_SLUG,
            form=10,
            plan=[[f"q{q}", ["a"]] for q in range(10)],
            score=attempt["score"],
            finished_at=finished_at,
        )
        attempts.append(attempt)
    return attempts


def _steady_sync_queries(
    client: Client, attempts: list[dict], commit_callbacks
) -> tuple[int, list[str]]:
    body = json.dumps({"version": 1, "lessons": {LESSON_SLUG: {"attempts": attempts}}})
    for _ in range(2):  # the first claims the attempts and stores them
        with commit_callbacks(execute=True):
            earlier = client.post(SYNC_URL, data=body, content_type="application/json")
        assert earlier.status_code == 200
        assert earlier.json()["rejected_attempts"] == []
    with CaptureQueriesContext(connection) as queries:
        again = client.post(SYNC_URL, data=body, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["rejected_attempts"] == []
    return len(queries), [query["sql"][:200] for query in queries.captured_queries]


def test_an_unchanged_sync_costs_the_same_few_queries_however_many_attempts_it_carries(
    client: Client, learner, other_learner, django_capture_on_commit_callbacks
) -> None:
    # Both within what the stored document keeps in full (progress.compaction).
    client.force_login(learner)
    few = _steady_sync_queries(client, _anonymous_attempts(10), django_capture_on_commit_callbacks)
    other = Client()
    other.force_login(other_learner)
    many = _steady_sync_queries(other, _anonymous_attempts(40), django_capture_on_commit_callbacks)
    # On a mismatch, every query of both syncs, in full (a tuple's repr is cut short).
    assert many[0] == few[0], "\n".join(["few:", *few[1], "many:", *many[1]])
    assert many[0] <= 6, "\n".join(many[1])


def test_an_attempt_already_stored_is_not_claimed_again(
    client: Client, learner, django_capture_on_commit_callbacks
) -> None:
    # The stored copy may carry the server's signature rather than the device's.
    client.force_login(learner)
    queries = _steady_sync_queries(
        client, _anonymous_attempts(10), django_capture_on_commit_callbacks
    )
    assert not any(sql.startswith("UPDATE") for sql in queries[1]), queries


def test_attempts_claimed_by_another_account_are_refused_all_together(
    client: Client, learner, other_learner
) -> None:
    attempts = _anonymous_attempts(3)
    theirs = Client()
    theirs.force_login(other_learner)
    body = json.dumps({"version": 1, "lessons": {LESSON_SLUG: {"attempts": attempts}}})
    assert theirs.post(SYNC_URL, data=body, content_type="application/json").status_code == 200
    client.force_login(learner)
    with CaptureQueriesContext(connection) as queries:
        payload = client.post(SYNC_URL, data=body, content_type="application/json").json()
    assert {r["id"] for r in payload["rejected_attempts"]} == {a["id"] for a in attempts}
    assert payload["document"]["lessons"].get(LESSON_SLUG, {}).get("attempts", []) == []
    assert sum("quiz_attempt" in q["sql"] for q in queries) <= 4


def test_a_steady_sync_seconds_later_still_changes_nothing(
    client: Client, learner, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    # The quiz app's results are signed again at every sync; were the signature to carry the
    # time, a sync a second later would find every attempt "changed" and rewrite the record.
    client.force_login(learner)
    body = json.dumps(
        {"version": 1, "lessons": {LESSON_SLUG: {"attempts": _anonymous_attempts(3)}}}
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                client.post(SYNC_URL, data=body, content_type="application/json").status_code == 200
            )
    version = ProgressRecord.objects.get(user=learner).version
    later = time.time() + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        again = client.post(SYNC_URL, data=body, content_type="application/json")
    assert again.status_code == 200
    assert not any(q["sql"].split()[0].upper() in {"BEGIN", "UPDATE"} for q in queries)
    assert len(queries) <= 4, [q["sql"][:90] for q in queries]
    assert ProgressRecord.objects.get(user=learner).version == version
