from __future__ import annotations

import importlib

from lessons.content import get_catalogue
from tutor.retrieval import index_lesson


def test_the_wsgi_module_builds_every_lessons_tutor_index_before_any_request() -> None:
    index_lesson.cache_clear()
    import config.wsgi

    importlib.reload(config.wsgi)  # what gunicorn's preload does once, before it forks
    lessons = get_catalogue().lessons
    assert lessons
    assert index_lesson.cache_info().currsize == len(lessons)
    misses = index_lesson.cache_info().misses
    for lesson in lessons:
        index_lesson(lesson)
    assert index_lesson.cache_info().misses == misses  # every one was already built
