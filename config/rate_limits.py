"""Per-IP and per-session request limits, for features anyone may use without signing in.

Counts live in Django's cache (Redis when REDIS_URL is set), through django-ratelimit. A request
without a session (a client that keeps no cookies) is counted by its IP address alone: the limit
never creates a session, so dropping cookies neither escapes the limit nor makes the server store
a session for every request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django_ratelimit.core import get_usage


def _session_key(group: str, request: HttpRequest) -> str:
    return f"session:{request.session.session_key}"


def seconds_until_allowed(request: HttpRequest, *, group: str, rate: str) -> int | None:
    """Count this request in `group`; None when it is within `rate`, else seconds to wait."""
    # django-ratelimit takes a key name ("ip") or a function of (group, request).
    keys: list[str | Callable[[str, HttpRequest], str]] = ["ip"]
    if request.session.session_key is not None:
        keys.append(_session_key)
    waits = []
    for key in keys:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, int(usage["time_left"])))
    return max(waits) if waits else None
