"""With Redis, a returning visitor's lesson page is served without touching the database."""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
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
    step = client.get(f"/lessons/{SLUG}/quiz/10/", follow=True)
    assert step.status_code == 200
    answer_url, question = re.search(
        r'action="([^"]*/answer/)".*?name="question" value="([^"]+)"', step.content.decode(), re.S
    ).groups()
    # The first answer is what stores the attempt, and with it the visitor's session.
    client.post(answer_url, {"question": question, "option": ["1"]})
    assert settings.SESSION_COOKIE_NAME in client.cookies, "answering gives the visitor a session"
    client.get(f"/lessons/{SLUG}/")  # the session is now in the shared cache

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/lessons/{SLUG}/")

    assert response.status_code == 200
    assert [query["sql"] for query in queries] == []
