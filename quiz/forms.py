"""What the quiz accepts in a POST, checked by pydantic: anything else is a clear 400."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from django.conf import settings
from django.http import HttpRequest
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from content_registry import SLUG_PATTERN, field_path
from quiz.attempts import QuizRejection

MAX_OPTIONS = 8
# Fields that may be repeated (checkboxes); every other field must be sent exactly once.
LIST_FIELDS = frozenset({"option"})
IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken"})

MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this form",
    "string_type": "must be sent once",
    "string_pattern_mismatch": "is not a question id",
    "string_too_long": "is too long",
    "int_parsing": "must be an option number",
    "int_type": "must be an option number",
    "too_long": f"at most {MAX_OPTIONS} options",
    "greater_than_equal": "is not an option of this question",
    "literal_error": "is not one of the values this form sends",
    "less_than_equal": "is not an option of this question",
}


class PostModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


PostT = TypeVar("PostT", bound=PostModel)


class AnswerPost(PostModel):
    question: Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
    option: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_OPTIONS)]], Field(max_length=MAX_OPTIONS)
    ] = []
    # Which page a plain form post goes back to: the question's own screen, or the whole list.
    view: Literal["step", "all"] = "step"


class FinishPost(PostModel):
    """Finish sends only the CSRF token, and "yes" once the learner confirmed finishing with
    questions unanswered (a forged score field is refused)."""

    confirm: Literal["yes"] | None = None


class EmptyPost(PostModel):
    """Finish and Retake send nothing but the CSRF token (a forged score field is refused)."""


class PostTooLarge(QuizRejection):
    status = 413


def parse_post(model: type[PostT], request: HttpRequest) -> PostT:
    """Validate a form post; raises QuizRejection naming the first bad field."""
    # A Content-Length that is not a byte count never gets here (config/malformed_requests.py).
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.QUIZ_MAX_POST_BYTES:
        raise PostTooLarge("The form sent far more data than a quiz answer needs.")
    fields: dict[str, object] = {}
    for key, values in request.POST.lists():
        if key in IGNORED_FIELDS:
            continue
        fields[key] = values if key in LIST_FIELDS or len(values) > 1 else values[0]
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = field_path(error["loc"])
        message = MESSAGES.get(error["type"], error["msg"])
        raise QuizRejection(f"{where}: {message}.") from exc
