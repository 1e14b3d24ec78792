from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path

import pytest

import tutor.retrieval
from lessons.content import get_catalogue, get_lesson
from tests.conftest import LESSON_SLUG
from tutor.retrieval import INDEX_CACHE_SIZE, index_lesson


def reload_wsgi() -> None:
    import config.wsgi

    importlib.reload(config.wsgi)  # what each server worker does as it loads the application


def test_by_default_the_wsgi_module_builds_no_tutor_index_before_the_first_question() -> None:
    index_lesson.cache_clear()
    reload_wsgi()
    assert index_lesson.cache_info().currsize == 0


def test_the_wsgi_module_builds_the_tutor_index_of_every_lesson_its_cache_keeps(
    settings: pytest.FixtureRequest,
) -> None:
    settings.TUTOR_WARM_UP_LESSONS = INDEX_CACHE_SIZE  # as many as it keeps: the whole catalogue
    index_lesson.cache_clear()
    reload_wsgi()
    lessons = get_catalogue().lessons
    assert 0 < len(lessons) <= INDEX_CACHE_SIZE
    assert index_lesson.cache_info().currsize == len(lessons)
    misses = index_lesson.cache_info().misses
    for listed in lessons:
        lesson = get_lesson(listed.slug)
        assert lesson is not None
        index_lesson(lesson)
    assert index_lesson.cache_info().misses == misses  # every one was already built


@pytest.mark.parametrize(("cache_size", "warm_up", "built"), [(2, 8, 2), (64, 1, 1)])
def test_warm_up_builds_no_more_indexes_than_the_cache_keeps_or_the_setting_asks(
    content_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: pytest.FixtureRequest,
    cache_size: int,
    warm_up: int,
    built: int,
) -> None:
    for number in (1, 2):
        slug = f"copy-{number}"
        shutil.copytree(content_copy / LESSON_SLUG, content_copy / slug)
        lesson = content_copy / slug / "lesson.md"
        text = re.sub(r"(?m)^slug: .*$", f"slug: {slug}", lesson.read_text(), count=1)
        lesson.write_text(re.sub(r"(?m)^number: .*$", f"number: {number}", text, count=1))
    monkeypatch.setattr(tutor.retrieval, "INDEX_CACHE_SIZE", cache_size)
    settings.TUTOR_WARM_UP_LESSONS = warm_up
    index_lesson.cache_clear()
    reload_wsgi()
    assert index_lesson.cache_info().currsize == built
    in_order = [listed.slug for listed in get_catalogue().lessons]  # catalogue order: by number
    assert in_order[:2] == ["copy-1", "copy-2"]
    misses = index_lesson.cache_info().misses
    for slug in in_order[:built]:
        index_lesson(get_lesson(slug))  # type: ignore[arg-type]
    assert index_lesson.cache_info().misses == misses  # the first ones were built
    index_lesson(get_lesson(in_order[built]))  # type: ignore[arg-type]
    assert index_lesson.cache_info().misses == misses + 1  # the next waits for its first question
