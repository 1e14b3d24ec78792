from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_coach_limits() -> Iterator[None]:
    # The coach's rate counts live in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()
