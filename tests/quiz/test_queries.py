"""What one "Check" costs the database: few queries, one short write, no session write."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from quiz.models import Answer, Attempt
from tests.conftest import LESSON_SLUG
from tests.quiz.test_views import with_quiz_session

pytestmark = pytest.mark.django_db

QUIZ_10 = f"/lessons/{LESSON_SLUG}/quiz/10/"


def open_attempt(client: Client) -> Attempt:
    assert with_quiz_session(client).get(QUIZ_10, follow=True).status_code == 200
    return Attempt.objects.latest("started_at")


def check(client: Client, attempt: Attempt, question_id: str, **extra: str):
    url = f"/lessons/{LESSON_SLUG}/quiz/attempts/{attempt.id}/answer/"
    return client.post(url, {"question": question_id, "option": "1"}, **extra)


def test_checking_an_answer_reads_the_session_and_attempt_and_writes_once(
    client: Client, django_assert_max_num_queries
) -> None:
    attempt = open_attempt(client)
    # Session, attempt (under its row lock), the insert, and the transaction's begin and commit:
    # no separate "already answered?" query, the unique constraint refuses a second answer.
    with django_assert_max_num_queries(5):
        response = check(client, attempt, attempt.plan[0][0])
    assert response.status_code == 302


def test_a_second_answer_to_the_same_question_is_refused_by_the_constraint(
    client: Client,
) -> None:
    attempt = open_attempt(client)
    question_id = attempt.plan[0][0]
    assert check(client, attempt, question_id).status_code == 302
    response = check(client, attempt, question_id, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "already answered" in response.content.decode()
    assert Answer.objects.filter(attempt=attempt, question_id=question_id).count() == 1


def test_checking_an_answer_writes_no_session(client: Client) -> None:
    attempt = open_attempt(client)
    with CaptureQueriesContext(connection) as queries:
        response = check(client, attempt, attempt.plan[0][0], HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in writes), writes
    assert "sessionid" not in response.cookies
