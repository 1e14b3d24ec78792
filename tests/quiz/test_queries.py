"""What one "Check" costs the database: few queries, one short write, no session write."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from quiz.attempts import shown_planned_attempt
from quiz.bank import get_question_bank
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


def shown_attempt(client: Client) -> tuple[str, list[str]]:
    """A stranger's first look at the quiz: an attempt shown but not stored yet."""
    response = client.get(QUIZ_10)
    assert response.status_code == 302 and not Attempt.objects.exists()
    attempt_id = response["Location"].split("/attempts/")[1].split("/")[0]
    bank = get_question_bank(LESSON_SLUG)
    shown = shown_planned_attempt(attempt_id=uuid.UUID(attempt_id), bank=bank)
    return attempt_id, [question_id for question_id, _ in shown.plan]


def write_transactions(queries: CaptureQueriesContext) -> list[list[str]]:
    """The statements of each write transaction, in order."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for query in queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith("BEGIN"):
            current = []
        elif sql.startswith("COMMIT") and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(sql)
    return found


@pytest.mark.django_db(transaction=True)  # real transactions, to count them
@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's BEGIN IMMEDIATE")
def test_a_first_answer_stores_the_shown_attempt_and_the_answer_in_one_transaction(
    client: Client,
) -> None:
    attempt_id, plan = shown_attempt(client)
    url = f"/lessons/{LESSON_SLUG}/quiz/attempts/{attempt_id}/answer/"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"question": plan[0], "option": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    transactions = write_transactions(queries)
    answer_tx = [t for t in transactions if any('"QUIZ_ANSWER"' in s for s in t)]
    assert len(answer_tx) == 1, transactions
    assert any(s.startswith('INSERT INTO "QUIZ_ATTEMPT"') for s in answer_tx[0]), transactions
    # The session (made at this first answer, for the browser's quiz token) is written after
    # the answer's transaction, never inside it.
    assert not any("DJANGO_SESSION" in s for s in answer_tx[0])
    assert Answer.objects.filter(attempt_id=attempt_id).count() == 1


def test_later_answers_of_a_shown_attempt_cost_no_extra_query(
    client: Client, django_assert_max_num_queries
) -> None:
    attempt_id, plan = shown_attempt(client)
    url = f"/lessons/{LESSON_SLUG}/quiz/attempts/{attempt_id}/answer/"
    assert client.post(url, {"question": plan[0], "option": "1"}).status_code == 302
    with django_assert_max_num_queries(5):
        assert client.post(url, {"question": plan[1], "option": "1"}).status_code == 302


def test_check_with_nothing_chosen_still_stores_the_shown_attempt(client: Client) -> None:
    attempt_id, plan = shown_attempt(client)
    url = f"/lessons/{LESSON_SLUG}/quiz/attempts/{attempt_id}/answer/"
    assert client.post(url, {"question": plan[0]}).status_code == 303
    assert Attempt.objects.filter(id=attempt_id).exists()
    assert not Answer.objects.exists()
