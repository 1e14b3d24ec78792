from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from progress import sync as sync_module
from quiz.results import QuizResult, sign_quiz_result
from tests.conftest import LESSON_SLUG, make_learner


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()
    # The parsed documents a process keeps are keyed by user id, and ids come round again
    # when a test's transaction is rolled back: each test starts with none.
    sync_module._parsed.clear()


@pytest.fixture
def learner(db):
    return make_learner("ada@example.com", "correct horse battery")


@pytest.fixture
def other_learner(db):
    return make_learner("bob@example.com", "correct horse battery")


def signed_attempt(
    *,
    user_id: int | None,
    score: int = 8,
    total: int = 10,
    lesson: str = LESSON_SLUG,
    finished_at: datetime | None = None,
) -> dict:
    """An attempt as progress.js stores it, signed by the quiz app."""
    result = QuizResult(
        attempt_id=str(uuid.uuid4()),
        lesson_slug=lesson,
        form=10 if total == 10 else 15,
        score=score,
        total=total,
        finished_at=finished_at or datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        user_id=user_id,
    )
    return {
        "id": result.attempt_id,
        "form": result.form,
        "score": result.score,
        "total": result.total,
        "finished_at": result.finished_at_iso,
        "signature": sign_quiz_result(result),
    }
