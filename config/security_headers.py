"""Content-Security-Policy: one fixed policy for every response, built once at start-up.

The site uses no nonces and no per-view policies (no inline scripts or styles anywhere), so the
header never varies; building it per response (as django-csp does, to support those features)
cost a third of the lesson page's server time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def build_policy(directives: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


# Django's technical 404 and 500 pages (DEBUG only) carry this tag; their styles and scripts are
# inline, so under the site's policy they render unstyled and their toggles do nothing.
TECHNICAL_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


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
        response.headers.setdefault("Content-Security-Policy", self._policy_for(response))
        return response

    def _policy_for(self, response: HttpResponse) -> str:
        if (
            settings.DEBUG
            and response.status_code >= 400
            and not response.streaming
            and TECHNICAL_PAGE_MARK in response.content[:2000]
        ):
            return self.debug_policy
        return self.policy
