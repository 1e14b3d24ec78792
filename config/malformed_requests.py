"""Refuse a request whose Content-Length is not a number of bytes, before anything reads it.

gunicorn refuses such a request itself; runserver passes it on, and Django's request parsing
(the CSRF check reads the form) would then fail with a 500 instead of a clear 400.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class MalformedContentLengthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH", "")
        if length and not (length.isascii() and length.isdigit()):
            return HttpResponseBadRequest(
                "Content-Length must be a number of bytes.\n", content_type="text/plain"
            )
        return self.get_response(request)
