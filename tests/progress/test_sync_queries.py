"""A sync that changes nothing takes no row lock and opens no write transaction."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from progress.models import ProgressRecord
from tests.conftest import LESSON_SLUG

pytestmark = pytest.mark.django_db

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
