"""The learner's IP address for rate limits, as our own proxies saw it.

Behind a load balancer every request arrives from the balancer's address, so per-IP limits
would count all learners as one. Each proxy of ours appends the address it saw to
X-Forwarded-For; with DJANGO_TRUSTED_PROXY_COUNT=N the client is the N-th entry from the
right. Entries further left were written by the client itself and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote_addr = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (a placeholder address, not a bind)
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        # Not through all of our proxies (a health check, or a misconfigured hop).
        return remote_addr
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
