"""Pages shared by every visitor without a session, kept whole in Django's cache.

A view marks such a response `Cache-Control: public` (the lesson page: lessons/views.py). This
is Django's own cache middleware, with two limits: it answers from the cache only requests that
carry no session cookie (a signed-in learner's page is their own), and it keeps only responses
marked public. It sits above GZipMiddleware, so a page is kept as sent, compressed, under its URL,
the request's Accept-Encoding and the site's version, and a hit is answered before any other
middleware runs: about what a static file costs.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.cache import CacheMiddleware

from content_registry import get_store
from content_registry.store import ContentStore

logger = logging.getLogger(__name__)


def is_shared_visit(request: HttpRequest) -> bool:
    """No session and no pending message: the visitor sees what everyone without one sees.

    Decided from the cookies alone: reading the session would make the response vary on them.
    """
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


class SharedPageCacheMiddleware(CacheMiddleware):
    @property  # type: ignore[override]
    def key_prefix(self) -> str:
        return f"shared-page:{site_version(get_store())}"

    @key_prefix.setter
    def key_prefix(self, value: str) -> None:
        """Django's __init__ sets the prefix from settings; the site's version decides it here."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if settings.DEBUG or not is_shared_visit(request):
            # Templates change under runserver; a session's page is never shared.
            request._cache_update_cache = False  # type: ignore[attr-defined]
            return None
        try:
            response: HttpResponse | None = super().process_request(request)
        except Exception:  # the cache is an accelerator: without it, the page is rendered
            logger.warning("shared pages: cache unreachable", exc_info=True)
            request._cache_update_cache = False  # type: ignore[attr-defined]
            return None
        return response

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | str
    ) -> HttpResponseBase | str:
        try:
            kept: HttpResponseBase | str = super().process_response(request, response)
        except Exception:
            logger.warning("shared pages: cache unreachable", exc_info=True)
            return response
        return kept

    def _should_update_cache(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        directives = {part.strip() for part in response.get("Cache-Control", "").lower().split(",")}
        return "public" in directives and bool(getattr(request, "_cache_update_cache", False))


@lru_cache(maxsize=1)
def site_version(store: ContentStore) -> str:
    """Changes when a content file, a template, the site's code or its static files change."""
    digest = hashlib.sha256(repr(store.fingerprint).encode())
    digest.update(_code_digest().encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the project's templates and Python code and of the static files' manifest."""
    base = Path(settings.BASE_DIR)
    # The project's own apps (installed packages live elsewhere, or under .venv/).
    packages = {Path(config.path) for config in apps.get_app_configs()}
    roots = {base / "templates", base / "config"} | {p for p in packages if p.parent == base}
    files = sorted(
        path for root in roots for path in root.rglob("*") if path.suffix in {".py", ".html"}
    )
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    digest = hashlib.sha256()
    for path in [*files, manifest]:
        if path.is_file():
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
