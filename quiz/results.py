"""Finished quiz results the progress system can trust: signed on the server, verified later.

A result travels through the browser (localStorage, then sync), so it carries a signature made
with Django's signing framework; `verify_quiz_result` accepts only what this server signed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from django.core import signing
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from content_registry import SLUG_PATTERN
from quiz.bank import FORMS
from quiz.models import Attempt

SIGNING_SALT = "tendril.quiz.result.v1"


@dataclass(frozen=True)
class QuizResult:
    attempt_id: str  # uuid4 string
    lesson_slug: str
    form: int  # 10 or 15
    score: int
    total: int
    finished_at: datetime  # aware, UTC
    user_id: int | None  # None for an anonymous attempt

    @property
    def finished_at_iso(self) -> str:
        """ISO 8601 in UTC with a Z, e.g. 2026-05-01T12:34:56.123456Z."""
        return self.finished_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


class _SignedPayload(BaseModel):
    """What a signature covers, checked again after verification (belt and braces)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    a: Annotated[str, StringConstraints(min_length=32, max_length=36)]
    sl: Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=200)]
    f: int
    s: Annotated[int, Field(ge=0)]
    t: Annotated[int, Field(ge=1)]
    at: Annotated[int, Field(ge=0)]  # microseconds since the epoch, UTC
    u: int | None


def sign_quiz_result(result: QuizResult) -> str:
    """A compact, URL-safe signed token holding the whole result."""
    finished = result.finished_at.astimezone(UTC)
    payload = {
        "a": result.attempt_id,
        "sl": result.lesson_slug,
        "f": result.form,
        "s": result.score,
        "t": result.total,
        "at": int(finished.timestamp()) * 1_000_000 + finished.microsecond,
        "u": result.user_id,
    }
    # No timestamp (signing.dumps adds one): the same result always has the same signature,
    # so a sync that re-signs what the quiz app holds finds nothing changed, whatever the second.
    return signing.Signer(salt=SIGNING_SALT).sign_object(payload, compress=True)


def _signed_payload(signature: str) -> object:
    """What a signature vouches for: signed as now, or with the timestamp earlier tokens carry
    (still valid: a result does not expire)."""
    try:
        return signing.Signer(salt=SIGNING_SALT).unsign_object(signature)
    except Exception:  # a timestamped token reads as garbage here, or fails the check
        return signing.loads(signature, salt=SIGNING_SALT)


def verify_quiz_result(signature: str) -> QuizResult | None:
    """The result a signature carries, or None for anything forged, garbled or inconsistent."""
    if not isinstance(signature, str) or not signature or len(signature) > 1000:
        return None
    try:
        data = _SignedPayload.model_validate(_signed_payload(signature))
        attempt_id = str(uuid.UUID(data.a))
        seconds, micros = divmod(data.at, 1_000_000)
        finished_at = datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=micros)
    except Exception:  # BadSignature, bad base64/zlib/JSON, a wrong shape: all mean "not ours"
        return None
    if data.f not in FORMS or data.s > data.t:
        return None
    return QuizResult(
        attempt_id=attempt_id,
        lesson_slug=data.sl,
        form=data.f,
        score=data.s,
        total=data.t,
        finished_at=finished_at,
        user_id=data.u,
    )


def result_of(attempt: Attempt) -> QuizResult:
    """The result of a finished attempt."""
    if attempt.finished_at is None or attempt.score is None:
        raise ValueError("the attempt is not finished")
    return QuizResult(
        attempt_id=str(attempt.id),
        lesson_slug=attempt.lesson_slug,
        form=attempt.form,
        score=attempt.score,
        total=attempt.total,
        finished_at=attempt.finished_at.astimezone(UTC),
        user_id=attempt.user_id,
    )


def finished_results_for_user(*, user_id: int) -> list[tuple[QuizResult, str]]:
    """Every finished attempt of this user, oldest first, each with its signature."""
    attempts = Attempt.objects.filter(user_id=user_id, finished_at__isnull=False).order_by(
        "finished_at"
    )
    return [(result, sign_quiz_result(result)) for result in map(result_of, attempts)]
