"""Redis as an accelerator, not a dependency: a cache backend that keeps working while it is down.

When Redis cannot be reached, each call goes to a fallback instead of failing the request, with
a warning logged (once per outage per process); Redis is tried again after `RETRY_SECONDS`, and
used again as soon as it answers, with no restart. Two fallbacks, chosen per cache alias:

- "local" (rate limits and other counters): a per-process cache, so sign-in and tutor limits
  keep counting, per worker, instead of failing open;
- "none" (sessions, read through the cache in front of the database): no cache at all, so
  every session is read from the database. A per-process copy would be wrong: another worker
  may end a session this one still holds. Keys this process failed to write or delete are
  deleted from Redis when it returns, so a session ended during the outage is not served from
  a stale copy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)

_WRITES = frozenset({"set", "add", "delete", "set_many", "delete_many", "incr", "touch"})


class FailoverRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "local")
        # Fail fast: a dead Redis must cost a request milliseconds, not the default timeouts.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self.fallback_kind = fallback
        fallback_params = {"TIMEOUT": params.get("TIMEOUT", 300)}
        self.fallback: BaseCache = (
            DummyCache("", fallback_params)
            if fallback == "none"
            else LocMemCache(f"failover-{id(self)}", fallback_params)
        )
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._unsynced_keys: set[str] = set()
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def _mark_down(self, error: BaseException) -> None:
        with self._lock:
            if self._down_since is None:
                self._down_since = time.monotonic()
                logger.warning(
                    "cache: Redis unreachable (%s); using the %s fallback and retrying every "
                    "%.0f s",
                    error,
                    "per-process" if self.fallback_kind == "local" else "database-only",
                    RETRY_SECONDS,
                )
            self._retry_at = time.monotonic() + RETRY_SECONDS

    def _recovered(self) -> None:
        with self._lock:
            stale, self._unsynced_keys = self._unsynced_keys, set()
            outage = time.monotonic() - (self._down_since or time.monotonic())
            self._down_since = None
        if stale:
            super().delete_many(list(stale))
        logger.warning("cache: Redis is back after %.1f s; using it again", outage)

    def _remember_unsynced(self, name: str, args: tuple[Any, ...]) -> None:
        if name not in _WRITES or not args:
            return
        keys = args[0]
        if name in {"set_many"}:
            keys = list(keys)
        elif name != "delete_many":
            keys = [keys]
        with self._lock:
            self._unsynced_keys.update(str(key) for key in keys)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        redis_call: Callable[..., Any] = getattr(super(), name)
        if self.is_down and time.monotonic() < self._retry_at:
            self._remember_unsynced(name, args)
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            if self.is_down:
                self._recovered()
            return redis_call(*args, **kwargs)
        except UNREACHABLE as error:
            self._mark_down(error)
            self._remember_unsynced(name, args)
            return getattr(self.fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        return self._call("clear")
