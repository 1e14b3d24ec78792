"""Content validation as a Django system check: a broken lesson stops start-up loudly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from lessons.content import (
    LESSON_FILE,
    display_path,
    find_lesson_files,
    load_catalogue_with_problems,
    split_body_sections,
    split_front_matter,
)
from lessons.figures import figure_problems
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


@register(CONTENT_TAG)
def check_lesson_figures(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every figure a lesson shows exists, has alt text, and (for SVG) is safe to serve."""
    content_dir = Path(settings.CONTENT_DIR)
    if not content_dir.is_dir():
        return []
    messages: list[CheckMessage] = []
    for path in find_lesson_files(content_dir):
        try:
            parts = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the lesson check reports an unreadable file
        if parts is None:
            continue
        file = display_path(path, content_dir)
        sections, _ = split_body_sections(parts[1], file=file)
        for section in sections:
            for problem in figure_problems(
                markdown=section.markdown,
                lesson_dir=path.parent,
                file=file,
                part=f"body: section '{section.id}'",
            ):
                messages.append(Error(str(problem), id="lessons.E002"))
    return messages
