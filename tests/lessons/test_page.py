from __future__ import annotations

from content_registry import DEFAULT_CACHE_SIZE
from lessons.content import get_catalogue
from lessons.page import render_lesson_parts
from tests.conftest import LESSON_SLUG


def test_a_lessons_shared_parts_are_rendered_once_and_reused() -> None:
    catalogue = get_catalogue()
    lesson = catalogue.get(LESSON_SLUG)
    assert lesson is not None
    first = render_lesson_parts(lesson=lesson, catalogue=catalogue)
    assert render_lesson_parts(lesson=lesson, catalogue=catalogue) is first


def test_rendered_parts_are_kept_for_no_more_lessons_than_the_content_cache_keeps() -> None:
    assert render_lesson_parts.cache_info().maxsize == DEFAULT_CACHE_SIZE
