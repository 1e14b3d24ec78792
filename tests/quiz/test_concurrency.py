"""Answers checked at the same moment: two tabs on one question store one answer (real
PostgreSQL); checks of different questions on SQLite's file are each stored, none refused."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from quiz.attempts import AttemptConflict, Owner, answer_question, finish_attempt, start_attempt
from quiz.bank import QuestionBank
from quiz.models import Answer, Attempt
from tests.conftest import LESSON_SLUG
from tests.quiz.test_views import with_quiz_session

pytestmark = pytest.mark.django_db(transaction=True)
needs_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL: set DATABASE_URL"
)

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


@needs_postgresql
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


@needs_postgresql
def test_racing_finishes_score_the_attempt_once(bank: QuestionBank) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL points elsewhere")
    attempt = start_attempt(bank=bank, form=15, owner=OWNER)
    outcomes = run_at_once(lambda: finish_attempt(attempt_id=attempt.id, bank=bank, owner=OWNER))
    assert sum(isinstance(o, AttemptConflict) for o in outcomes) == TABS - 1
    assert Attempt.objects.get(id=attempt.id).finished_at is not None


CHECKS = 8  # as many as `make serve` runs at once on two CPUs (two workers of four threads)


def test_answers_checked_at_once_on_a_sqlite_file_are_all_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single writer: DATABASE_URL points elsewhere")
    learner = with_quiz_session(Client())
    assert learner.get(f"/lessons/{LESSON_SLUG}/quiz/15/", follow=True).status_code == 200
    attempt = Attempt.objects.get()
    # The test database lives in memory, where SQLite locks differently; the checks run on a
    # copy in a file, as served, which every new connection (one per thread) opens.
    database = tmp_path / "db.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(database)])
    # The served file is in WAL mode from `migrate` on. The copy starts in rollback mode, and
    # eight connections switching it to WAL at the same instant can fail at once with "database
    # is locked" (the switch needs a lock SQLite will not wait for), which serving never meets.
    with closing(sqlite3.connect(database)) as copy:
        copy.execute("PRAGMA journal_mode=WAL")
    monkeypatch.setitem(connection.settings_dict, "NAME", str(database))
    start = threading.Barrier(CHECKS)
    responses: list[object] = []

    def check(question_id: str) -> None:
        browser = Client()  # the learner's browser in another tab: its own cookie jar
        browser.cookies.load({name: morsel.value for name, morsel in learner.cookies.items()})
        start.wait()
        try:
            responses.append(
                browser.post(
                    f"/lessons/{LESSON_SLUG}/quiz/attempts/{attempt.id}/answer/",
                    {"question": question_id, "option": "1"},
                    HTTP_HX_REQUEST="true",
                )
            )
        except Exception as error:  # a crash reaching the learner: recorded, not lost
            responses.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=check, args=(question_id,))
        for question_id, _ in attempt.plan[:CHECKS]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [getattr(r, "status_code", r) for r in responses] == [200] * CHECKS
    with closing(sqlite3.connect(database)) as stored:
        answers = stored.execute(
            "SELECT question_id FROM quiz_answer WHERE attempt_id = ?", [attempt.id.hex]
        ).fetchall()
    assert sorted(q for (q,) in answers) == sorted(q for q, _ in attempt.plan[:CHECKS])
