"""With Redis, a returning visitor's lesson page is served without touching the database."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

SLUG = "writing-postmortems-for-ai-system-incidents"

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (.ci/run does)"
)


@pytest.mark.django_db
def test_a_visitor_with_a_session_reads_the_lesson_without_a_query() -> None:
    client = Client()
    assert client.get(f"/lessons/{SLUG}/quiz/10/").status_code == 200
    assert client.session.session_key, "starting a quiz gives the visitor a session"
    client.get(f"/lessons/{SLUG}/")  # the session is now in the shared cache

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/lessons/{SLUG}/")

    assert response.status_code == 200
    assert [query["sql"] for query in queries] == []
