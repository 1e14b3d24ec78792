"""Syncing a device's progress document into a signed-in learner's stored one.

The merge itself is pure (progress/merge.py); this module does the edges: checking every quiz
attempt's signature, folding in the quiz app's own record of the learner's attempts, and storing
the merged document under a row lock so concurrent devices never lose each other's changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from lessons.content import get_catalogue
from progress.document import (
    Attempt,
    LessonProgress,
    ProgressDocument,
    Reflection,
    check_limits,
    document_to_json,
    empty_document,
    format_timestamp,
    normalise_time,
    validate_document,
)
from progress.merge import merge_progress
from progress.models import ProgressRecord
from quiz.results import QuizResult, finished_results_for_user, verify_quiz_result


@dataclass(frozen=True)
class RejectedAttempt:
    """An attempt dropped from a sync because its signature does not vouch for it."""

    field: str
    lesson: str
    attempt_id: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {
            "field": self.field,
            "lesson": self.lesson,
            "id": self.attempt_id,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SyncResult:
    document: ProgressDocument
    rejected: tuple[RejectedAttempt, ...]
    version: int
    # The document already turned into JSON data while storing it, to answer without redoing it.
    document_json: dict[str, object] | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "document": self.document_json or document_to_json(self.document),
            "rejected_attempts": [rejected.as_json() for rejected in self.rejected],
            "version": self.version,
        }


def check_attempt(attempt: Attempt, *, lesson_slug: str, user_id: int) -> Attempt | str:
    """The attempt as its signature vouches for it, or why it does not count."""
    result = verify_quiz_result(attempt.signature)
    if result is None:
        return "the signature does not verify"
    if result.user_id is not None and result.user_id != user_id:
        return "this attempt belongs to another learner"
    signed = (result.attempt_id, result.lesson_slug, result.form, result.score, result.total)
    claimed = (attempt.id, lesson_slug, attempt.form, attempt.score, attempt.total)
    if signed != claimed:
        return "the attempt was changed after it was signed"
    return attempt.model_copy(update={"finished_at": normalise_time(result.finished_at)})


def verify_attempts(
    document: ProgressDocument,
    *,
    user_id: int,
    trusted: frozenset[tuple[str, str, str]] = frozenset(),
) -> tuple[ProgressDocument, tuple[RejectedAttempt, ...]]:
    """The document keeping only attempts whose signatures verify for this learner.

    `trusted` holds (lesson, id, signature) of attempts already stored, hence already verified.
    """
    rejected: list[RejectedAttempt] = []
    lessons: dict[str, LessonProgress] = {}
    for slug, entry in document.lessons.items():
        kept: list[Attempt] = []
        for attempt in entry.attempts:
            if (slug, attempt.id, attempt.signature) in trusted:
                kept.append(attempt)
                continue
            outcome = check_attempt(attempt, lesson_slug=slug, user_id=user_id)
            if isinstance(outcome, str):
                field = f"lessons.{slug}.attempts"
                rejected.append(RejectedAttempt(field, slug, attempt.id, outcome))
            else:
                kept.append(outcome)
        lessons[slug] = entry.model_copy(update={"attempts": tuple(kept)})
    return document.model_copy(update={"lessons": lessons}), tuple(rejected)


def _stored_attempts(document: ProgressDocument) -> frozenset[tuple[str, str, str]]:
    return frozenset(
        (slug, attempt.id, attempt.signature)
        for slug, entry in document.lessons.items()
        for attempt in entry.attempts
    )


def document_from_results(results: Iterable[tuple[QuizResult, str]]) -> ProgressDocument:
    """A document holding the quiz app's own record of finished attempts (known lessons only)."""
    catalogue = get_catalogue()
    lessons: dict[str, dict[str, list[dict[str, object]]]] = {}
    for result, signature in results:
        if not catalogue.has(result.lesson_slug):
            continue
        attempts = lessons.setdefault(result.lesson_slug, {"attempts": []})["attempts"]
        attempts.append(
            {
                "id": result.attempt_id,
                "form": result.form,
                "score": result.score,
                "total": result.total,
                "finished_at": format_timestamp(result.finished_at),
                "signature": signature,
            }
        )
    return validate_document({"version": 1, "lessons": lessons})


def _locked_record(user_id: int) -> ProgressRecord:
    try:
        return ProgressRecord.objects.select_for_update().get(user_id=user_id)
    except ProgressRecord.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return ProgressRecord.objects.create(user_id=user_id)
    except IntegrityError:
        # Another device created the row between our read and our insert: lock theirs.
        return ProgressRecord.objects.select_for_update().get(user_id=user_id)


# user id -> (record version, parsed document): a stored document is parsed once per version,
# not at every sync. Every change bumps the version, so a stale entry is never used.
_parsed: dict[int, tuple[int, ProgressDocument]] = {}
_PARSED_MAX = 2_000


def _stored_document(record: ProgressRecord) -> ProgressDocument:
    cached = _parsed.get(record.user_id)
    if cached is not None and cached[0] == record.version:
        return cached[1]
    document = validate_document(record.document)
    _remember(record, document)
    return document


def _remember(record: ProgressRecord, document: ProgressDocument) -> None:
    if len(_parsed) >= _PARSED_MAX:
        _parsed.clear()
    _parsed[record.user_id] = (record.version, document)


def merge_into_record(
    *,
    user_id: int,
    documents: Iterable[ProgressDocument] = (),
    unverified: ProgressDocument | None = None,
) -> SyncResult:
    """Merge documents into the stored one, in one transaction under a row lock.

    `documents` are trusted; `unverified` (a device's) keeps only attempts whose signatures
    verify, checking only those not stored already. Raises InvalidDocument, storing nothing,
    when the union would break a limit.
    """
    rejected: tuple[RejectedAttempt, ...] = ()
    with transaction.atomic():
        record = _locked_record(user_id)
        merged = _stored_document(record)
        if unverified is not None:
            trusted = _stored_attempts(merged)
            verified, rejected = verify_attempts(unverified, user_id=user_id, trusted=trusted)
            merged = merge_progress(merged, verified)
        for document in documents:
            merged = merge_progress(merged, document)
        check_limits(merged)
        data = document_to_json(merged)
        if data != record.document:
            record.document = data
            record.version += 1
            record.save(update_fields=["document", "version", "updated_at"])
            transaction.on_commit(lambda: _remember(record, merged))
    return SyncResult(
        document=merged, rejected=rejected, version=record.version, document_json=data
    )


def sync_progress(*, user_id: int, incoming: ProgressDocument) -> SyncResult:
    """Verify the device's attempts, merge everything into the stored document, return it."""
    from_quiz = document_from_results(finished_results_for_user(user_id=user_id))
    return merge_into_record(user_id=user_id, documents=[from_quiz], unverified=incoming)


def stored_progress(*, user_id: int) -> ProgressDocument:
    record = ProgressRecord.objects.filter(user_id=user_id).first()
    return empty_document() if record is None else validate_document(record.document)


def save_reflection(*, user_id: int, lesson_slug: str, text: str, at: datetime) -> SyncResult:
    """Store a reflection written without JavaScript (a plain form post)."""
    reflection = Reflection(text=text, at=at)
    document = empty_document().model_copy(
        update={"lessons": {lesson_slug: LessonProgress(reflection=reflection)}}
    )
    return merge_into_record(user_id=user_id, documents=[document])
