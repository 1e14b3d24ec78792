from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.cache import cache

from lessons.content import Lesson, get_lesson
from tests.conftest import LESSON_SLUG


@pytest.fixture
def lesson() -> Lesson:
    found = get_lesson(LESSON_SLUG)
    assert found is not None
    return found


@pytest.fixture
def grown_up() -> Lesson:
    found = get_lesson("when-to-tell-a-grown-up-about-something-ai-did")
    assert found is not None
    return found


@pytest.fixture
def viral() -> Lesson:
    found = get_lesson("checking-whether-a-viral-image-or-video-was-made-by-ai")
    assert found is not None
    return found


@pytest.fixture
def honor() -> Lesson:
    found = get_lesson("writing-your-own-hs-ai-honor-code")
    assert found is not None
    return found


@pytest.fixture
def voice() -> Lesson:
    found = get_lesson("asking-a-voice-assistant-good-questions")
    assert found is not None
    return found


@pytest.fixture
def empty_cache() -> Iterator[None]:
    """Rate-limit counts live in the cache; every test starts from none."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class FakeChatServer:
    """Answers every chat completion with `reply` (or `status`), and records the requests."""

    url: str = ""
    reply: str = ""
    status: int = 200
    raw: bytes | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def chat_server(settings: Any) -> Iterator[FakeChatServer]:
    fake = FakeChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            fake.requests.append(json.loads(self.rfile.read(length)))
            fake.headers.append(dict(self.headers))
            body = fake.raw
            if body is None:
                message = {"role": "assistant", "content": fake.reply}
                body = json.dumps({"choices": [{"message": message}]}).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.TUTOR_LLM_URL = fake.url
    settings.TUTOR_LLM_MODEL = "fake-model"
    settings.TUTOR_LLM_API_KEY = "test-key"
    settings.TUTOR_LLM_TIMEOUT = 2
    yield fake
    server.shutdown()
    server.server_close()
