"""Redis as an accelerator, not a dependency: a cache backend that keeps working while it is down.

When Redis cannot be reached, each call goes to a fallback instead of failing the request, with
a warning logged (once per outage per process); Redis is tried again after `RETRY_SECONDS`, and
used again as soon as it answers, with no restart. What a process knows of an outage (down or
not, the fallback's counts, the keys to delete on recovery) is shared by all its threads. Two
fallbacks, chosen per cache alias:

- "local" (rate limits and other counters): a per-process cache, so sign-in and tutor limits
  keep counting, per worker, instead of failing open;
- "none" (sessions, read through the cache in front of the database): no cache at all, so
  every session is read from the database. A per-process copy would be wrong: another worker
  may end a session this one still holds. Keys this process failed to write or delete are
  deleted from Redis when it returns, before anything is read from it again, so a session
  ended during the outage is not served from a stale copy; and `MAX_TIMEOUT` bounds how long
  any entry lives there, so a copy another process left stale expires soon after.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)

_WRITES = frozenset({"set", "add", "delete", "set_many", "delete_many", "incr", "touch"})


@dataclass
class Outage:
    """What one process knows about one Redis cache's outage, shared by all its threads (Django
    makes a cache object per thread): since when it is down, when to try it again, the keys
    written or deleted while it was down, and whether a thread is bringing it back."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_since: float | None = None
    retry_at: float = 0.0
    unsynced_keys: set[str] = field(default_factory=set)
    recovering: bool = False


_outages: dict[tuple[str, ...], Outage] = {}
_outages_lock = threading.Lock()


def outage_for(identity: tuple[str, ...]) -> Outage:
    with _outages_lock:
        return _outages.setdefault(identity, Outage())


class FailoverRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "local")
        # The longest an entry lives in Redis, whatever the caller asks: the sessions alias sets
        # it so a copy a process could not delete during an outage expires soon after.
        max_timeout = options.pop("MAX_TIMEOUT", None)
        # Fail fast: a dead Redis must cost a request milliseconds, not the default timeouts.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self.fallback_kind = fallback
        self.max_timeout = None if max_timeout is None else int(max_timeout)
        identity = (str(server), fallback, str(params.get("KEY_PREFIX", "")))
        fallback_params = {"TIMEOUT": params.get("TIMEOUT", 300)}
        # LocMemCache shares its storage by name, so this counts once per process.
        self.fallback: BaseCache = (
            DummyCache("", fallback_params)
            if fallback == "none"
            else LocMemCache("failover-" + "|".join(identity), fallback_params)
        )
        self.outage = outage_for(identity)

    @property
    def is_down(self) -> bool:
        return self.outage.down_since is not None

    def get_backend_timeout(self, timeout: Any = DEFAULT_TIMEOUT) -> float | None:
        seconds = super().get_backend_timeout(timeout)
        if self.max_timeout is None:
            return seconds
        return self.max_timeout if seconds is None else min(seconds, self.max_timeout)

    def _mark_down(self, error: BaseException) -> None:
        outage = self.outage
        with outage.lock:
            if outage.down_since is None:
                outage.down_since = time.monotonic()
                logger.warning(
                    "cache: Redis unreachable (%s); using the %s fallback and retrying every "
                    "%.0f s",
                    error,
                    "per-process" if self.fallback_kind == "local" else "database-only",
                    RETRY_SECONDS,
                )
            outage.retry_at = time.monotonic() + RETRY_SECONDS

    def _claim_recovery(self) -> bool:
        """Whether this thread is the one to try Redis again now (the others keep falling back)."""
        outage = self.outage
        with outage.lock:
            if outage.recovering or time.monotonic() < outage.retry_at:
                return False
            outage.recovering = True
            return True

    def _resync(self) -> None:
        """Delete from Redis every key written or deleted while it was down, then use it again.

        Until every such key is gone, the other threads keep using the fallback, so none of them
        reads a copy the outage made stale. Raises if Redis is still unreachable.
        """
        outage = self.outage
        while True:
            with outage.lock:
                stale = set(outage.unsynced_keys)
                if not stale:
                    since = outage.down_since or time.monotonic()
                    outage.down_since = None
                    break
            super().delete_many(list(stale))
            with outage.lock:
                outage.unsynced_keys -= stale
        logger.warning(
            "cache: Redis is back after %.1f s; using it again", time.monotonic() - since
        )

    def _remember_unsynced(self, name: str, args: tuple[Any, ...]) -> None:
        if name not in _WRITES or not args:
            return
        keys = args[0]
        if name in {"set_many"}:
            keys = list(keys)
        elif name != "delete_many":
            keys = [keys]
        with self.outage.lock:
            self.outage.unsynced_keys.update(str(key) for key in keys)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        redis_call: Callable[..., Any] = getattr(super(), name)
        recovering = False
        if self.is_down:
            recovering = self._claim_recovery()
            if not recovering:
                self._remember_unsynced(name, args)
                return getattr(self.fallback, name)(*args, **kwargs)
        try:
            if recovering:
                self._resync()
            return redis_call(*args, **kwargs)
        except UNREACHABLE as error:
            self._mark_down(error)
            self._remember_unsynced(name, args)
            return getattr(self.fallback, name)(*args, **kwargs)
        finally:
            if recovering:
                with self.outage.lock:
                    self.outage.recovering = False

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
