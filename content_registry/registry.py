"""The process's one content store, for the configured CONTENT_DIR."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from content_registry.store import (
    DEFAULT_CACHE_SIZE,
    ContentStore,
    content_fingerprint,
    registered_kinds,
)

_lock = threading.Lock()
_store: ContentStore | None = None


def build_store(content_dir: Path, *, cache_size: int | None = None) -> ContentStore:
    """A new store over `content_dir` with every registered kind (nothing parsed yet), keeping
    `cache_size` whole items per kind (CONTENT_CACHE_SIZE unless given)."""
    size = cache_size or int(getattr(settings, "CONTENT_CACHE_SIZE", DEFAULT_CACHE_SIZE))
    cache_dir = getattr(settings, "CONTENT_BUILD_CACHE_DIR", "")
    return ContentStore(
        content_dir=content_dir,
        kinds=registered_kinds(),
        cache_size=size,
        index_cache_dir=Path(cache_dir) if cache_dir else None,
    )


def get_store() -> ContentStore:
    """The store for CONTENT_DIR, built on first use; a new one when the setting changes."""
    global _store
    content_dir = Path(settings.CONTENT_DIR)
    store = _store
    if store is not None and store.content_dir == content_dir:
        return store
    with _lock:
        if _store is None or _store.content_dir != content_dir:
            _store = build_store(content_dir)
        return _store


def reset_store() -> None:
    """Forget everything read so far; the next use reads the files again."""
    global _store
    with _lock:
        _store = None


def reload_if_changed(**_: Any) -> bool:
    """Drop the store when a content file was added, removed or saved since it was built.

    Runs at every request's start when CONTENT_RELOAD is on (the default under DEBUG), so authors
    see an edit on their next reload without restarting the server. It costs a `stat` per
    content file, which production (DEBUG off) never pays. Each kind's `on_reload` is then told
    which of its keys changed.
    """
    store = _store
    if store is None or not getattr(settings, "CONTENT_RELOAD", settings.DEBUG):
        return False
    fingerprint = content_fingerprint(store.content_dir, store.kinds)
    if fingerprint == store.fingerprint:
        return False
    reset_store()
    for kind in store.kinds:
        keys = kind.changed_keys(store.fingerprint, fingerprint)
        if kind.on_reload is not None and keys:
            kind.on_reload(keys)
    return True
