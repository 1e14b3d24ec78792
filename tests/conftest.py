from __future__ import annotations

import os
import shutil
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import django_ratelimit.core
import pytest
from django.conf import settings
from django.test import override_settings

from content_registry import reset_store

# Playwright's sync API keeps an event loop running in the main thread for the whole
# session; Django would otherwise refuse ORM calls made from test bodies after that.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FIXTURES_DIR = Path(__file__).parent / "fixtures"
REAL_CONTENT_DIR = Path(settings.BASE_DIR) / "content"
LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"


def make_learner(email: str, password: str | None = None, *, verified: bool = True) -> Any:
    """A learner as sign-up leaves one, with their address confirmed unless told otherwise."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email, password)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


@pytest.fixture(autouse=True, scope="session")
def _redis_database_of_its_own(worker_id: str) -> Iterator[None]:
    """Under pytest-xdist each worker keeps its cache in a Redis database of its own: tests
    clear the cache (FLUSHDB), which would wipe another worker's rate-limit counts mid-test."""
    url = settings.REDIS_URL
    if not url or worker_id == "master":
        yield
        return
    number = 1 + int(worker_id.removeprefix("gw"))
    own = urllib.parse.urlsplit(url)._replace(path=f"/{number}").geturl()
    caches = {alias: {**cache, "LOCATION": own} for alias, cache in settings.CACHES.items()}
    previous = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = own  # for tests that talk to Redis or start a server themselves
    try:
        with override_settings(CACHES=caches, REDIS_URL=own):
            yield
    finally:
        os.environ["REDIS_URL"] = previous


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-ratelimit counts requests in fixed windows of the wall clock. A test that makes a
    limit's worth of requests and expects the next one refused fails if a window happens to end
    in between (the count starts again), more often on a loaded machine. Its clock stands still
    for the length of a test."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_content(settings: pytest.FixtureRequest) -> Iterator[None]:
    """Every test reads content/ afresh: the one way to reset what the registry has read."""
    settings.CONTENT_BUILD_CACHE_DIR = ""  # tests of the build cache set their own
    reset_store()
    yield
    reset_store()


@pytest.fixture
def lesson_slug() -> str:
    return LESSON_SLUG


@pytest.fixture
def content_copy(tmp_path: Path, settings: pytest.FixtureRequest) -> Path:
    """A writable copy of the real content folder, installed as CONTENT_DIR."""
    target = tmp_path / "content"
    shutil.copytree(REAL_CONTENT_DIR, target)
    settings.CONTENT_DIR = target
    reset_store()
    return target


@pytest.fixture
def use_content_dir(settings: pytest.FixtureRequest) -> Callable[[Path], None]:
    """Point CONTENT_DIR at another folder for one test."""

    def use(path: Path) -> None:
        settings.CONTENT_DIR = path
        reset_store()

    return use
