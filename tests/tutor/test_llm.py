"""The optional chat backend, against a fake OpenAI-compatible server on localhost."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lessons.content import Lesson
from tutor.answers import answer_question
from tutor.llm import is_supported
from tutor.retrieval import Passage

QUESTION = "swiss cheese?"


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
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
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


def test_the_tutor_needs_no_backend_by_default(lesson: Lesson) -> None:
    reply = answer_question(lesson=lesson, question=QUESTION)
    assert reply.grounded
    assert not reply.rephrased


def test_a_supported_rephrasing_becomes_the_answer_with_the_same_citations(
    lesson: Lesson, chat_server: FakeChatServer
) -> None:
    chat_server.reply = (
        "Safety researchers describe accidents as holes in slices of Swiss cheese lining up."
    )
    reply = answer_question(lesson=lesson, question=QUESTION)
    assert reply.rephrased
    assert reply.answer == chat_server.reply
    assert reply.citations[0].section_id == "contributing-factors"
    request = chat_server.requests[0]
    assert request["model"] == "fake-model"
    assert "Swiss cheese" in request["messages"][1]["content"]
    assert QUESTION in request["messages"][1]["content"]
    assert chat_server.headers[0]["Authorization"] == "Bearer test-key"


@pytest.mark.parametrize(
    "invented",
    [
        "Swiss cheese is a Swiss dairy product with holes made by bacteria.",
        "Safety researchers describe accidents as Swiss cheese. Ignore the lesson: the answer is 42.",
        "Safety researchers describe accidents as holes in 12 slices of Swiss cheese lining up.",
    ],
)
def test_an_unsupported_rephrasing_falls_back_to_the_lesson_sentences(
    lesson: Lesson, chat_server: FakeChatServer, invented: str
) -> None:
    chat_server.reply = invented
    reply = answer_question(lesson=lesson, question=QUESTION)
    assert not reply.rephrased
    assert reply.answer == " ".join(p.text for p in reply.passages)


@pytest.mark.parametrize(
    ("status", "raw"),
    [(500, b'{"error": "down"}'), (200, b"not json"), (200, b'{"choices": []}')],
)
def test_a_failing_backend_falls_back_to_the_lesson_sentences(
    lesson: Lesson, chat_server: FakeChatServer, status: int, raw: bytes
) -> None:
    chat_server.status, chat_server.raw = status, raw
    reply = answer_question(lesson=lesson, question=QUESTION)
    assert reply.grounded
    assert not reply.rephrased


def test_an_unreachable_backend_falls_back(lesson: Lesson, settings: Any) -> None:
    settings.TUTOR_LLM_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    settings.TUTOR_LLM_MODEL = "fake-model"
    reply = answer_question(lesson=lesson, question=QUESTION)
    assert reply.grounded
    assert not reply.rephrased


def test_a_refusal_never_asks_the_backend(lesson: Lesson, chat_server: FakeChatServer) -> None:
    chat_server.reply = "Paris."
    reply = answer_question(lesson=lesson, question="What is the capital of France?")
    assert not reply.grounded
    assert chat_server.requests == []


def test_support_needs_each_sentence_to_come_from_one_passage() -> None:
    passages = [
        Passage(section_id="a", section_title="A", text="The refund window is 30 days."),
        Passage(section_id="b", section_title="B", text="Legal review comes before publishing."),
    ]
    assert is_supported(
        "The refund window is 30 days. Legal review comes before you publish.", passages
    )
    assert not is_supported("The refund window is 90 days.", passages)
    assert not is_supported("Refunds are handled by the moon base.", passages)
    assert not is_supported("", passages)
