"""The shared-page cache: whole pages marked public, answered only to requests without a session."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.test import Client

from lessons import views
from tests.conftest import LESSON_SLUG, make_learner

LESSON_URL = f"/lessons/{LESSON_SLUG}/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_a_hit_is_answered_before_the_view_with_the_pages_own_headers() -> None:
    first = Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip")
    with patch("lessons.views.shared_lesson_page") as view_work:
        hit = Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip")
    view_work.assert_not_called()
    assert hit.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Encoding", "Vary"):
        assert hit[header] == first[header], header
    assert hit["X-Request-ID"] != first["X-Request-ID"]


def test_each_encoding_is_kept_apart() -> None:
    Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip")
    plain = Client().get(LESSON_URL)
    assert "Content-Encoding" not in plain
    assert plain.content.startswith(b"<!doctype html>")


@pytest.mark.django_db
def test_a_signed_in_learner_never_gets_the_shared_page() -> None:
    Client().get(LESSON_URL)
    learner = Client()
    learner.force_login(make_learner("ada@example.com", "correct horse battery"))
    response = learner.get(LESSON_URL)
    assert response["Cache-Control"] == "private"
    assert b"Sign out" in response.content


def test_pages_not_marked_public_are_not_kept() -> None:
    Client().get("/")
    with patch.object(views, "browse_catalogue", wraps=views.browse_catalogue) as browse:
        assert Client().get("/").status_code == 200
    browse.assert_called_once()


@pytest.mark.django_db
def test_without_its_cache_the_page_is_still_served(settings) -> None:
    dead_redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
    settings.CACHES = {"default": dead_redis, "sessions": dead_redis}
    response = Client().get(LESSON_URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
