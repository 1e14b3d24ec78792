"""The lesson page: its parts that are the same for every reader, rendered once per lesson, and
the whole page as a visitor without a session sees it, rendered once per lesson and version.

Content only changes when the process restarts, so the lesson's text, table of contents, key
insights and related cards are rendered on first use and reused; a signed-in learner's page
renders only their own parts (progress, the reflection form with its CSRF token) around them.

A visitor without a session has nothing of their own on the page: the tutor asks by GET, htmx
and progress.js read the CSRF token from its cookie, and their progress is filled in by
progress.js from the browser. So that page is the same bytes for all of them, kept whole in
Django's cache and marked public for a CDN.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from content_registry import DEFAULT_CACHE_SIZE, get_store
from content_registry.store import ContentStore
from lessons.catalogue import catalogue_position
from lessons.content import Catalogue, Lesson, RelatedLesson


@dataclass(frozen=True)
class LessonPageParts:
    toc: SafeString
    text: SafeString
    key_insights: SafeString
    related: SafeString


def related_with_availability(
    *, lesson: Lesson, catalogue: Catalogue
) -> list[tuple[RelatedLesson, bool]]:
    """Each related lesson, and whether it exists yet (never link to a missing one)."""
    return [(item, catalogue.has(item.slug)) for item in lesson.related]


# Bounded like the registry's cache of whole lessons, so memory does not grow with the catalogue.
@lru_cache(maxsize=DEFAULT_CACHE_SIZE)
def render_lesson_parts(*, lesson: Lesson, catalogue: Catalogue) -> LessonPageParts:
    context = {
        "lesson": lesson,
        "related": related_with_availability(lesson=lesson, catalogue=catalogue),
    }

    def part(name: str) -> SafeString:
        html = render_to_string(f"lessons/lesson.html#{name}", context)
        return mark_safe(html)  # noqa: S308 (templates autoescape)

    return LessonPageParts(
        toc=part("toc"),
        text=part("lesson-text"),
        key_insights=part("key-insights"),
        related=part("related"),
    )


def catalogue_url(*, lesson: Lesson, catalogue: Catalogue) -> str:
    """Where the lesson's card stands in the catalogue: its track, the right page, the card."""
    track, page = catalogue_position(lesson=lesson, lessons=catalogue.lessons)
    query = urlencode({"track": track, **({"page": page} if page > 1 else {})})
    return f"{reverse('lessons:catalogue')}?{query}#lesson-{lesson.slug}"


def lesson_page_context(*, lesson: Lesson, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "lesson": lesson,
        "parts": render_lesson_parts(lesson=lesson, catalogue=catalogue),
        "catalogue_url": catalogue_url(lesson=lesson, catalogue=catalogue),
    }


def is_shared_visit(request: HttpRequest) -> bool:
    """No session and no pending message: the visitor sees the page everyone without one sees.

    Decided from the cookies alone: reading the session would make the response vary on them.
    """
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


# A day: the key changes with the content and with every deploy anyway.
SHARED_PAGE_TIMEOUT = 24 * 60 * 60


def shared_lesson_page(request: HttpRequest, *, lesson: Lesson, catalogue: Catalogue) -> str:
    """The lesson page for a visitor without a session, from Django's cache (rendered on a miss)."""
    # Nobody's own data: not the request's user, messages or CSRF token (evaluating them would
    # also read the session, or set a cookie).
    context = {"user": AnonymousUser(), "messages": (), "csrf_token": ""}
    if settings.DEBUG:  # templates are edited while runserver runs: render them as they are now
        context.update(lesson_page_context(lesson=lesson, catalogue=catalogue))
        return render_to_string("lessons/lesson.html", context, request=request)
    key = f"lesson-page:{lesson.slug}:{page_version(get_store())}"
    html = cache.get(key)
    if html is None:
        context.update(lesson_page_context(lesson=lesson, catalogue=catalogue))
        html = render_to_string("lessons/lesson.html", context, request=request)
        cache.set(key, html, SHARED_PAGE_TIMEOUT)
    return str(html)


@lru_cache(maxsize=1)
def page_version(store: ContentStore) -> str:
    """Changes when a content file, a template, the site's code or its static files change."""
    digest = hashlib.sha256(repr(store.fingerprint).encode())
    digest.update(_code_digest().encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the project's templates and Python code and of the static files' manifest."""
    base = Path(settings.BASE_DIR)
    # The project's own apps (installed packages live elsewhere, or under .venv/).
    packages = {Path(config.path) for config in apps.get_app_configs()}
    roots = {base / "templates", base / "config"} | {p for p in packages if p.parent == base}
    files = sorted(
        path for root in roots for path in root.rglob("*") if path.suffix in {".py", ".html"}
    )
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    digest = hashlib.sha256()
    for path in [*files, manifest]:
        if path.is_file():
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
