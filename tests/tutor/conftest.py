from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from lessons.content import Lesson, get_lesson
from tests.conftest import LESSON_SLUG


@pytest.fixture
def lesson() -> Lesson:
    found = get_lesson(LESSON_SLUG)
    assert found is not None
    return found


@pytest.fixture
def empty_cache() -> Iterator[None]:
    """Rate-limit counts live in the cache; every test starts from none."""
    cache.clear()
    yield
    cache.clear()
