"""How much the blameless-language coach does for one visitor: checks per minute per IP address
and per browser session (like the tutor's questions), and characters read per request.

Counting is config.rate_limits', shared with the tutor.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from config import rate_limits

GROUP = "postmortems.coach"


def seconds_until_coach_allowed(request: HttpRequest) -> int | None:
    """Count this check; None when it is within the limit, else seconds to wait."""
    return rate_limits.seconds_until_allowed(
        request, group=GROUP, rate=settings.POSTMORTEM_COACH_RATE_LIMIT
    )


def max_coached_chars() -> int:
    """Characters the coach reads for one request, over all the fields posted."""
    return int(settings.POSTMORTEM_MAX_COACHED_CHARS)
