from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from quiz.bank import QUIZ_FILE, QuestionBank, clear_question_bank_cache, get_question_bank
from tests.conftest import LESSON_SLUG

QUIZ_FIXTURES = Path(__file__).parents[1] / "fixtures" / "quiz"


@pytest.fixture(autouse=True)
def _fresh_question_banks() -> Iterator[None]:
    clear_question_bank_cache()
    yield
    clear_question_bank_cache()


@pytest.fixture
def bank() -> QuestionBank:
    bank = get_question_bank(LESSON_SLUG)
    assert bank is not None
    return bank


@pytest.fixture
def install_quiz(content_copy: Path) -> Callable[[str], Path]:
    """Replace the real lesson's quiz.yaml (in a copy of content/) with a fixture file."""

    def install(fixture_name: str) -> Path:
        target = content_copy / LESSON_SLUG / QUIZ_FILE
        shutil.copyfile(QUIZ_FIXTURES / fixture_name, target)
        clear_question_bank_cache()
        return target

    return install
