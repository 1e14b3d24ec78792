"""Rate limits for sign-in and sign-up, per IP address and per account (django-ratelimit)."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from progress.accounts import normalise_email

KeyFunction = Callable[[str, HttpRequest], str]


def _posted_account(field: str) -> KeyFunction:
    def key(group: str, request: HttpRequest) -> str:
        return normalise_email(request.POST.get(field, "")) or "(none)"

    return key


def _limits(action: str, account_field: str) -> list[tuple[str | KeyFunction, str]]:
    rates = settings.PROGRESS_RATE_LIMITS[action]
    return [("ip", rates["ip"]), (_posted_account(account_field), rates["account"])]


def minutes_to_wait(request: HttpRequest, *, action: str, account_field: str) -> int | None:
    """Count this POST against the limits of `action`; the minutes to wait when one is exceeded."""
    waits = []
    for key, rate in _limits(action, account_field):
        usage = get_usage(
            request, group=f"progress.{action}", key=key, rate=rate, method="POST", increment=True
        )
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, math.ceil(usage["time_left"] / 60)))
    return max(waits, default=None)
