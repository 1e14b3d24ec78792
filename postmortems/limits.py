"""How much the blameless-language coach does for one visitor: checks per minute per IP address
and per browser session (like the tutor's questions), and characters read per request.

Counts live in Django's cache (Redis when REDIS_URL is set), through django-ratelimit. A request
without a session is counted by its IP address alone, and the limit never creates a session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

GROUP = "postmortems.coach"


def session_key(group: str, request: HttpRequest) -> str:
    return f"session:{request.session.session_key}"


def seconds_until_coach_allowed(request: HttpRequest) -> int | None:
    """Count this check; None when it is within the limit, else seconds to wait."""
    keys: list[str | Callable[[str, HttpRequest], str]] = ["ip"]
    if request.session.session_key is not None:
        keys.append(session_key)
    waits = []
    for key in keys:
        usage = get_usage(
            request,
            group=GROUP,
            key=key,
            rate=settings.POSTMORTEM_COACH_RATE_LIMIT,
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, int(usage["time_left"])))
    return max(waits) if waits else None


def max_coached_chars() -> int:
    """Characters the coach reads for one request, over all the fields posted."""
    return int(settings.POSTMORTEM_MAX_COACHED_CHARS)
