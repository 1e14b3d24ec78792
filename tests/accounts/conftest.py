from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import make_learner

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def learner(db):
    return make_learner("ada@example.com", PASSWORD)


@pytest.fixture
def unverified_learner(db):
    return make_learner("new@example.com", PASSWORD, verified=False)
