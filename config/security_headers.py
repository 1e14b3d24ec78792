"""Content-Security-Policy: one fixed policy for every response, built once at start-up.

The site uses no nonces and no per-view policies (no inline scripts or styles anywhere), so the
header never varies; building it per response (as django-csp does, to support those features)
cost a third of the lesson page's server time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def build_policy(directives: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


# Django's technical 404 and 500 pages (DEBUG only) carry this tag; their styles and scripts are
# inline, so under the site's policy they render unstyled and their toggles do nothing.
TECHNICAL_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'
# They also have no viewport tag, so a phone lays them out 980 px wide and shrinks the text.
VIEWPORT_TAG = b'<meta name="viewport" content="width=device-width, initial-scale=1">'


def debug_page_policy(directives: Mapping[str, Sequence[str]]) -> str:
    """The site's policy plus inline styles and scripts: for Django's own debug pages only."""
    relaxed = {name: list(sources) for name, sources in directives.items()}
    for name in ("style-src", "script-src"):
        relaxed[name] = [*relaxed.get(name, ["'self'"]), "'unsafe-inline'"]
    return build_policy(relaxed)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = build_policy(settings.CONTENT_SECURITY_POLICY)
        self.debug_policy = debug_page_policy(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_technical_debug_page(response):
            make_readable_on_a_phone(response)
            response.headers.setdefault("Content-Security-Policy", self.debug_policy)
        else:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def is_technical_debug_page(response: HttpResponse) -> bool:
    return (
        settings.DEBUG
        and response.status_code >= 400
        and not response.streaming
        and TECHNICAL_PAGE_MARK in response.content[:2000]
    )


def make_readable_on_a_phone(response: HttpResponse) -> None:
    """Django's technical page with a viewport tag beside its robots tag."""
    if VIEWPORT_TAG in response.content[:2000]:
        return
    response.content = response.content.replace(
        TECHNICAL_PAGE_MARK, TECHNICAL_PAGE_MARK + VIEWPORT_TAG, 1
    )
    if response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))


def add_static_file_headers(headers: MutableMapping[str, str], path: str, url: str) -> None:
    """The pages' security headers on static files too (WhiteNoise answers those before any
    middleware below it runs): a file opened on its own gets the same protection as a page."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Content-Security-Policy"] = build_policy(settings.CONTENT_SECURITY_POLICY)
    policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)
    headers["Permissions-Policy"] = policy
    if settings.SECURE_HSTS_SECONDS:
        # Browsers heed it only over HTTPS, which is the only way production is reached.
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers["Strict-Transport-Security"] = hsts
