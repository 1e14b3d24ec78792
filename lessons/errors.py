"""The site's "not found" page: what was not found, and the way back (to the lesson, when the
address was under one)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lessons.content import Lesson, get_lesson

LESSON_PATH = re.compile(r"^/lessons/(?P<slug>[a-z0-9-]+)/")
GENERIC_REASON = "There is no page at this address."


def lesson_for_path(path: str) -> Lesson | None:
    """The lesson an address sits under (/lessons/<slug>/…), if that lesson exists."""
    match = LESSON_PATH.match(path)
    return get_lesson(match["slug"]) if match else None


def not_found_reason(exception: Exception | None) -> str:
    """Our views raise Http404 with a sentence for the learner; the URL resolver's own 404
    carries a dict of the patterns it tried, which is for developers only."""
    message = exception.args[0] if exception is not None and exception.args else None
    return message if isinstance(message, str) and message else GENERIC_REASON


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "reason": not_found_reason(exception),
        "lesson": lesson_for_path(request.path),
        "path": request.path,
    }
    return render(request, "404.html", context, status=404)
