"""The lesson page: its parts that are the same for every reader, rendered once per lesson, and
the whole page as a visitor without a session sees it, rendered once per lesson and version.

Content only changes when the process restarts, so the lesson's text, table of contents, key
insights and related cards are rendered on first use and reused; a signed-in learner's page
renders only their own parts (progress, the reflection form with its CSRF token) around them.

A visitor without a session has nothing of their own on the page: the tutor asks by GET, htmx
and progress.js read the CSRF token from its cookie, and their progress is filled in by
progress.js from the browser. So that page is the same bytes for all of them, marked public and
kept whole in Django's cache (config/shared_pages.py) and by a CDN.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from content_registry import DEFAULT_CACHE_SIZE
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
    track, page = catalogue_position(lesson=lesson, catalogue=catalogue)
    query = urlencode({"track": track, **({"page": page} if page > 1 else {})})
    return f"{reverse('lessons:catalogue')}?{query}#lesson-{lesson.slug}"


def lesson_page_context(*, lesson: Lesson, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "lesson": lesson,
        "parts": render_lesson_parts(lesson=lesson, catalogue=catalogue),
        "catalogue_url": catalogue_url(lesson=lesson, catalogue=catalogue),
    }


def shared_lesson_page(request: HttpRequest, *, lesson: Lesson, catalogue: Catalogue) -> str:
    """The lesson page as every visitor without a session sees it: nobody's user, messages or
    CSRF token (evaluating the request's would also read the session, or set a cookie)."""
    context = {"user": AnonymousUser(), "messages": (), "csrf_token": ""}
    context.update(lesson_page_context(lesson=lesson, catalogue=catalogue))
    return render_to_string("lessons/lesson.html", context, request=request)
