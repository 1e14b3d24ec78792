from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.attempts import Owner, finish_attempt, start_attempt
from quiz.bank import QuestionBank
from quiz.results import (
    SIGNING_SALT,
    QuizResult,
    finished_results_for_user,
    sign_quiz_result,
    verify_quiz_result,
)

RESULT = QuizResult(
    attempt_id=str(uuid.uuid4()),
    lesson_slug="writing-postmortems-for-ai-system-incidents",
    form=10,
    score=8,
    total=10,
    finished_at=datetime(2026, 5, 1, 12, 34, 56, 123456, tzinfo=UTC),
    user_id=None,
)


def test_a_signed_result_verifies_back_to_the_same_result() -> None:
    signature = sign_quiz_result(RESULT)
    assert verify_quiz_result(signature) == RESULT
    signed_in = RESULT.__class__(**{**RESULT.__dict__, "user_id": 42})
    assert verify_quiz_result(sign_quiz_result(signed_in)) == signed_in


def test_the_signature_is_compact_and_url_safe() -> None:
    signature = sign_quiz_result(RESULT)
    assert len(signature) < 300
    assert all(c.isalnum() or c in "-_:." for c in signature)


def test_the_finish_time_is_iso_8601_utc() -> None:
    assert RESULT.finished_at_iso == "2026-05-01T12:34:56.123456Z"


SIGNER = signing.Signer(salt=SIGNING_SALT)


def test_a_raised_score_or_another_salt_does_not_verify() -> None:
    signature = sign_quiz_result(RESULT)
    payload = SIGNER.unsign_object(signature)
    forged = signing.Signer(salt="another-salt").sign_object({**payload, "s": 10}, compress=True)
    assert verify_quiz_result(forged) is None
    timestamped = signing.dumps({**payload, "s": 10}, salt="another-salt", compress=True)
    assert verify_quiz_result(timestamped) is None
    head, _, mac = signature.rpartition(":")
    assert verify_quiz_result(f"{head}:{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}") is None


def test_a_correctly_signed_but_impossible_result_is_refused() -> None:
    payload = SIGNER.unsign_object(sign_quiz_result(RESULT))
    for bad in [{"s": 11}, {"f": 12}, {"a": "not-a-uuid-at-all-not-a-uuid-at-all"}, {"x": 1}]:
        token = SIGNER.sign_object({**payload, **bad}, compress=True)
        assert verify_quiz_result(token) is None, bad
        earlier = signing.dumps({**payload, **bad}, salt=SIGNING_SALT, compress=True)
        assert verify_quiz_result(earlier) is None, bad


def test_a_result_signed_later_has_the_same_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    # A sync re-signs the quiz app's results: a signature that changed with the clock made every
    # sync a second later rewrite the learner's stored progress.
    first = sign_quiz_result(RESULT)
    later = time.time() + 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert sign_quiz_result(RESULT) == first
    assert verify_quiz_result(first) == RESULT


def test_a_result_signed_with_a_timestamp_before_still_verifies() -> None:
    payload = SIGNER.unsign_object(sign_quiz_result(RESULT))
    earlier = signing.dumps(payload, salt=SIGNING_SALT, compress=True)  # how tokens were signed
    assert verify_quiz_result(earlier) == RESULT


@settings(deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=50), st.none(), st.integers()))
def test_garbage_never_verifies_and_never_raises(garbage: object) -> None:
    assert verify_quiz_result(garbage) is None  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_users_finished_attempts_come_back_signed(bank: QuestionBank) -> None:
    user = get_user_model().objects.create_user("learner@example.com", password="x")
    owner = Owner(user_id=user.pk, session_key="s")
    done = start_attempt(bank=bank, form=10, owner=owner)
    finish_attempt(attempt_id=done.id, bank=bank, owner=owner)
    start_attempt(bank=bank, form=15, owner=owner)  # unfinished: not a result
    anonymous = start_attempt(bank=bank, form=10, owner=Owner(user_id=None, session_key="t"))
    finish_attempt(attempt_id=anonymous.id, bank=bank, owner=Owner(user_id=None, session_key="t"))

    [(result, signature)] = finished_results_for_user(user_id=user.pk)
    assert result.attempt_id == str(done.id)
    assert (result.form, result.score, result.total, result.user_id) == (10, 0, 10, user.pk)
    assert (
        result.finished_at.tzinfo is not None
        and result.finished_at.utcoffset().total_seconds() == 0
    )
    assert verify_quiz_result(signature) == result
