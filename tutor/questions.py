"""Questions as they arrive: a form field or a JSON body, checked before the tutor sees them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from pydantic import BaseModel, ConfigDict, ValidationError

from config.json_api import JsonBodyProblem, read_json_body
from content_registry import FRIENDLY_MESSAGES, field_path

# A question is at most a few hundred characters; the body never needs more than this.
MAX_BODY_BYTES = 16 * 1024


@dataclass(frozen=True)
class QuestionProblem(Exception):
    """Why a question was turned away: HTTP status, the field at fault, and a message for people."""

    status: int
    field: str
    message: str


class AskBody(BaseModel):
    """The JSON API's body: `{"question": "..."}`, optionally with `"previous"`, the question
    asked just before (a follow-up such as "and what if they say no?" is read with it)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    question: str
    previous: str = ""


@dataclass(frozen=True)
class Asked:
    """A checked question and the one before it ("" when there is none)."""

    question: str
    previous: str = ""


def max_question_chars() -> int:
    return int(settings.TUTOR_MAX_QUESTION_CHARS)


def clean_question(value: str) -> str:
    """The question with outer whitespace removed; empty or too long is a QuestionProblem."""
    question = " ".join(value.split())
    if not question:
        raise QuestionProblem(422, "question", "Please type a question first.")
    limit = max_question_chars()
    if len(question) > limit:
        raise QuestionProblem(
            422,
            "question",
            f"Please keep your question under {limit} characters (it has {len(question)}).",
        )
    return question


def clean_previous(value: str) -> str:
    """The question asked before, as `clean_question` checks it ("" when there is none)."""
    previous = " ".join(value.split())
    limit = max_question_chars()
    if len(previous) > limit:
        raise QuestionProblem(
            422, "previous", f"The previous question is over {limit} characters; ask again."
        )
    return previous


def question_from_json(request: HttpRequest) -> Asked:
    """The question (and the one before it) in a JSON body, or a QuestionProblem naming the
    field path at fault."""
    try:
        data = read_json_body(request, max_bytes=MAX_BODY_BYTES)
    except JsonBodyProblem as problem:
        raise QuestionProblem(
            problem.status,
            "(body)",
            f'The body {problem.message}; send JSON like {{"question": "What is drift?"}}.',
        ) from None
    try:
        parsed = AskBody.model_validate(data)
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        message = FRIENDLY_MESSAGES.get(detail["type"], detail["msg"])
        if detail["type"] == "model_type":
            message = 'must be a JSON object, like {"question": "What is drift?"}'
        raise QuestionProblem(422, field_path(detail["loc"]) or "(body)", message) from None
    return Asked(clean_question(parsed.question), clean_previous(parsed.previous))
