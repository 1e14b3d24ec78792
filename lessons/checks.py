"""Content validation as a Django system check: a broken lesson stops start-up loudly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from lessons.content import LESSON_FILE, display_path, load_catalogue_with_problems
from lessons.reading_time import reading_time_problem

CONTENT_TAG = "content"


@register(CONTENT_TAG)
def check_lesson_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    _, problems = load_catalogue_with_problems(Path(settings.CONTENT_DIR))
    return [Error(str(problem), id="lessons.E001") for problem in problems]


@register(CONTENT_TAG)
def check_reading_times(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A warning, not an error: an estimate should not stop the site from starting."""
    content_dir = Path(settings.CONTENT_DIR)
    catalogue, _ = load_catalogue_with_problems(content_dir)
    messages: list[CheckMessage] = []
    for lesson in catalogue.lessons:
        file = display_path(content_dir / lesson.slug / LESSON_FILE, content_dir)
        problem = reading_time_problem(lesson, file=file)
        if problem is not None:
            messages.append(Warning(str(problem), id="lessons.W001"))
    return messages
