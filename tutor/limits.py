"""The tutor's rate limit: questions per minute per IP address and per browser session.

Counts live in Django's cache (Redis when REDIS_URL is set), through django-ratelimit.
A request without a session (an API client that keeps no cookies) is counted by its IP
address alone: the limit never creates a session, so dropping cookies neither escapes the
limit nor makes the server store a session for every question.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

GROUP = "tutor.questions"


def session_key(group: str, request: HttpRequest) -> str:
    return f"session:{request.session.session_key}"


def seconds_until_allowed(request: HttpRequest) -> int | None:
    """Count this question; None when it is within the limit, else seconds to wait."""
    # django-ratelimit takes a key name ("ip") or a function of (group, request).
    keys: list[str | Callable[[str, HttpRequest], str]] = ["ip"]
    if request.session.session_key is not None:
        keys.append(session_key)
    waits = []
    for key in keys:
        usage = get_usage(
            request, group=GROUP, key=key, rate=settings.TUTOR_RATE_LIMIT, increment=True
        )
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, int(usage["time_left"])))
    return max(waits) if waits else None
