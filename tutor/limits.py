"""The tutor's rate limit: questions per minute per IP address and per browser session."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from config import rate_limits

GROUP = "tutor.questions"


def seconds_until_allowed(request: HttpRequest) -> int | None:
    """Count this question; None when it is within the limit, else seconds to wait."""
    return rate_limits.seconds_until_allowed(request, group=GROUP, rate=settings.TUTOR_RATE_LIMIT)
