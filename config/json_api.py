"""The JSON APIs (every path under /api/): bodies read safely, every error answered in JSON.

A script reads these answers, so an HTML error page (Django's 404, 405 or 500) is useless to it.
`JsonApiErrorsMiddleware` turns every error under /api/ into `{"error": ...}` with the same
status, a crash included (logged with its traceback, the detail hidden from the client).
`read_json_body` parses a body without ever raising anything but `JsonBodyProblem`: not JSON,
too deep, numbers too long for Python's int parser, text PostgreSQL cannot store (NUL) or that
is not Unicode (a lone surrogate), and bodies sent as a form, whose stream Django's CSRF check
has already consumed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
# A progress document is 6 levels deep; nothing a device sends needs more than this.
MAX_JSON_DEPTH = 32


@dataclass(frozen=True)
class JsonBodyProblem(Exception):
    """Why a body is not usable JSON: the HTTP status and a message for the client."""

    status: int
    message: str


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "text must not contain the NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text must be valid Unicode (a lone surrogate like \\ud800 is not)"
    return None


def check_json_value(data: object, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why parsed JSON cannot be used (too deep, or text that cannot be stored), or None.

    Iterative, so a hostile value cannot exhaust the stack while it is being checked.
    """
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                return problem
        elif isinstance(value, dict | list):
            if depth > max_depth:
                return f"is nested too deeply (at most {max_depth} levels)"
            if isinstance(value, dict):
                for key, item in value.items():
                    problem = _text_problem(key)
                    if problem:
                        return problem
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


def parse_json(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON data from bytes, or JsonBodyProblem (400) saying plainly what is wrong."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise JsonBodyProblem(400, f"is nested too deeply (at most {max_depth} levels)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        # ValueError covers bad JSON and an integer longer than Python converts (4,300 digits).
        raise JsonBodyProblem(400, f"is not valid JSON: {exc}") from None
    problem = check_json_value(data, max_depth=max_depth)
    if problem:
        raise JsonBodyProblem(400, problem)
    return data


def read_json_body(request: HttpRequest, *, max_bytes: int | None = None) -> Any:
    """The request's JSON body, refusing other content types (415) and oversized bodies (413)."""
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise JsonBodyProblem(
            415, f"must be sent as application/json (it was sent as {content_type or 'nothing'})"
        )
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if max_bytes is not None and length > max_bytes:
        raise JsonBodyProblem(413, f"is too large (at most {max_bytes // 1024} KB)")
    return parse_json(request.body)


ERROR_MESSAGES = {
    404: "No such address in this API.",
    405: "This address does not accept that method.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


def _message(status: int) -> str:
    if status in ERROR_MESSAGES:
        return ERROR_MESSAGES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "The request failed."


class JsonApiErrorsMiddleware:
    """Errors under /api/ in JSON: Django's HTML 404, 405 and 500 pages become `{"error": ...}`.

    It sits inside the compression middleware and rewrites the body in place, so every header
    the other middlewares add stays; a crash was already logged, with its traceback, by Django.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not is_api_request(request)
            or response.status_code < 400
            or response.streaming
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        response.content = json.dumps({"error": _message(response.status_code)})
        response["Content-Type"] = "application/json"
        if "Content-Length" in response:
            response["Content-Length"] = str(len(response.content))
        return response
