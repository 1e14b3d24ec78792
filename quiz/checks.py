"""Quiz files as a content system check: `manage.py check_content` prints one line per problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from lessons.checks import CONTENT_TAG
from lessons.content import LESSON_FILE, load_lesson
from quiz.bank import QUIZ_FILE, load_question_bank


@register(CONTENT_TAG)
def check_quiz_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    content_dir = Path(settings.CONTENT_DIR)
    if not content_dir.is_dir():
        return []  # the lesson check reports the missing folder
    messages: list[CheckMessage] = []
    for quiz_path in sorted(content_dir.glob(f"*/{QUIZ_FILE}")):
        lesson_path = quiz_path.parent / LESSON_FILE
        lesson = None
        if lesson_path.is_file():
            lesson, _ = load_lesson(lesson_path, content_dir=content_dir)
        _, problems = load_question_bank(quiz_path, content_dir=content_dir, lesson=lesson)
        messages.extend(Error(str(problem), id="quiz.E001") for problem in problems)
    return messages
