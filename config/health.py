"""`/healthz` for load balancers: is this instance able to reach its database and cache?

Only the database decides whether the instance can serve (200 or 503). With the cache down the
site still works, reading sessions from the database and counting rate limits per process
(config/cache.py), so that is a 200 marked "degraded": a Redis outage must not take every
instance out of a load balancer's rotation at once.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return "down"
    return "ok"


def cache_status() -> str:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=5)
        readable = cache.get(key) == value
        cache.delete(key)
    except Exception:
        logger.exception("health check: cache unreachable")
        return "down"
    # A failover cache answers from its fallback while Redis is down: still "down" here.
    if getattr(cache, "is_down", False):
        return "down"
    return "ok" if readable else "down"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "cache": cache_status()}
    down = [name for name, status in checks.items() if status != "ok"]
    serving = checks["database"] == "ok"
    status = "unavailable" if not serving else "degraded" if down else "ok"
    body: dict[str, str | list[str]] = {"status": status, **checks}
    if down:
        body["down"] = down
    return JsonResponse(body, status=200 if serving else 503)
