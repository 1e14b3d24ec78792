"""Two tabs checking the same question at the same moment store one answer (real PostgreSQL)."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection

from quiz.attempts import AttemptConflict, Owner, answer_question, finish_attempt, start_attempt
from quiz.bank import QuestionBank
from quiz.models import Answer, Attempt

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL: set DATABASE_URL"
    ),
    pytest.mark.django_db(transaction=True),
]

OWNER = Owner(user_id=None, session_key="two-tabs")
TABS = 4


def run_at_once(action) -> list[object]:
    start = threading.Barrier(TABS)
    outcomes: list[object] = []

    def tab() -> None:
        start.wait()
        try:
            outcomes.append(action())
        except AttemptConflict as conflict:
            outcomes.append(conflict)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_racing_answers_to_one_question_store_exactly_one(bank: QuestionBank) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL points elsewhere")
    attempt = start_attempt(bank=bank, form=10, owner=OWNER)
    question_id = attempt.plan[0][0]
    outcomes = run_at_once(
        lambda: answer_question(
            attempt_id=attempt.id, bank=bank, owner=OWNER, question_id=question_id, positions=[1]
        )
    )
    assert sum(isinstance(o, AttemptConflict) for o in outcomes) == TABS - 1
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_racing_finishes_score_the_attempt_once(bank: QuestionBank) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL points elsewhere")
    attempt = start_attempt(bank=bank, form=15, owner=OWNER)
    outcomes = run_at_once(lambda: finish_attempt(attempt_id=attempt.id, bank=bank, owner=OWNER))
    assert sum(isinstance(o, AttemptConflict) for o in outcomes) == TABS - 1
    assert Attempt.objects.get(id=attempt.id).finished_at is not None
