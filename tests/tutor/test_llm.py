"""The optional chat backend, against a fake OpenAI-compatible server on localhost
(the `chat_server` fixture in conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from lessons.content import Lesson
from tests.tutor.conftest import FakeChatServer
from tutor.answers import answer_question
from tutor.llm import is_supported
from tutor.retrieval import Passage, Unit

QUESTION = "swiss cheese?"


def passage(text: str) -> Passage:
    return Passage(Unit("a--p1", "a", "A", text, "paragraph"), text)


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
    assert reply.answer == "\n\n".join(p.text for p in reply.passages)


@pytest.mark.parametrize(
    ("question", "invented"),
    [
        # The passage says "does not mean": dropping the negation reverses it.
        ("does blameless mean nobody is accountable?", "Blameless means nobody is accountable."),
        # The passage says the document "never names" the engineer.
        (
            "did the worked example name the engineer",
            "The postmortem should name the engineer who shipped v12.",
        ),
        # Every other word is the lesson's, but Google is not in the passage.
        (
            "does blameless mean nobody is accountable?",
            "Blameless does not mean nobody is accountable at Google.",
        ),
        # A negation the passage does not have.
        (
            "swiss cheese?",
            "Safety researchers never describe accidents as holes in slices of Swiss cheese.",
        ),
    ],
)
def test_a_rephrasing_that_turns_the_lesson_round_or_adds_to_it_falls_back(
    lesson: Lesson, chat_server: FakeChatServer, question: str, invented: str
) -> None:
    chat_server.reply = invented
    reply = answer_question(lesson=lesson, question=question)
    assert chat_server.requests  # the backend was asked
    assert not reply.rephrased
    assert reply.answer == "\n\n".join(p.text for p in reply.passages)
    assert invented not in reply.answer


def test_a_rephrasing_that_keeps_the_negation_is_accepted(
    lesson: Lesson, chat_server: FakeChatServer
) -> None:
    chat_server.reply = "Blameless doesn't mean that nobody is accountable."
    reply = answer_question(lesson=lesson, question="does blameless mean nobody is accountable?")
    assert reply.rephrased
    assert reply.answer == chat_server.reply


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
        passage("The refund window is 30 days."),
        passage("Legal review comes before publishing."),
    ]
    assert is_supported(
        "The refund window is 30 days. Legal review comes before you publish.", passages
    )
    assert not is_supported("The refund window is 90 days.", passages)
    assert not is_supported("Refunds are handled by the moon base.", passages)
    assert not is_supported("", passages)


def test_support_needs_every_content_word_but_allows_other_forms_of_it() -> None:
    passages = [passage("Reviewers approved the answers.")]
    assert is_supported("The reviewer approves answers.", passages)
    assert not is_supported("The reviewers approved the answers quickly.", passages)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "Blameless does not mean nobody is accountable.",
            "Blameless means nobody is accountable.",
        ),
        ("The document never names the engineer.", "The document names the engineer."),
        ("The document names the engineer.", "The document doesn't name the engineer."),
        ("Prompts shipped with review.", "Prompts shipped without review."),
    ],
)
def test_support_needs_the_same_negation_in_both_directions(text: str, sentence: str) -> None:
    source = [passage(text)]
    assert is_supported(text, source)
    assert not is_supported(sentence, source)
