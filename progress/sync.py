"""Syncing a device's progress document into a signed-in learner's stored one.

The merge itself is pure (progress/merge.py); this module does the edges: checking every quiz
attempt's signature, folding in the quiz app's own record of the learner's attempts, and storing
the merged document under a row lock so concurrent devices never lose each other's changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeVar

from django.db import IntegrityError, transaction

from lessons.content import get_catalogue
from progress.compaction import compact_document_data, json_size
from progress.document import (
    Attempt,
    Draft,
    LessonProgress,
    ProgressDocument,
    Reflection,
    TimedPart,
    check_limits,
    document_to_json,
    empty_document,
    format_timestamp,
    near_limit_notices,
    normalise_time,
    union_attempts,
    validate_document,
)
from progress.merge import merge_progress
from progress.models import ProgressRecord
from quiz.attempts import claim_anonymous_results
from quiz.results import QuizResult, finished_results_for_user, verify_quiz_result

Part = TypeVar("Part", bound=TimedPart)


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
    # For a learner close to a limit: what is filling up and how to make room.
    notices: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "document": self.document_json or document_to_json(self.document),
            "rejected_attempts": [rejected.as_json() for rejected in self.rejected],
            "version": self.version,
            "notices": list(self.notices),
        }


# A signature's verification depends only on its text (and the secret key), and costs about
# 0.1 ms: remembering it, with the attempt it vouches for, keeps a sync carrying a learner's
# stored attempts fast while every attempt's fields are still compared at every sync.
@lru_cache(maxsize=10_000)
def _signed_attempt(signature: str) -> tuple[QuizResult, Attempt] | None:
    result = verify_quiz_result(signature)
    return None if result is None else (result, _as_signed(result, signature))


def _verified_result(signature: str) -> QuizResult | None:
    signed = _signed_attempt(signature)
    return None if signed is None else signed[0]


def _as_signed(result: QuizResult, signature: str) -> Attempt:
    """The attempt exactly as its signature says: only signed fields, nothing else."""
    # Validated like a device's attempt: a form this document does not keep is refused.
    return Attempt.model_validate(
        {
            "id": result.attempt_id,
            "form": result.form,
            "score": result.score,
            "total": result.total,
            "finished_at": normalise_time(result.finished_at),
            "signature": signature,
        }
    )


def _signed_fields(attempt: Attempt) -> tuple[object, ...]:
    return (attempt.id, attempt.form, attempt.score, attempt.total, attempt.finished_at)


def check_attempt(attempt: Attempt, *, lesson_slug: str, user_id: int) -> Attempt | str:
    """The attempt rebuilt from its signature, or why it does not count.

    It counts only when its lesson and every field match what was signed; keys the signature
    does not cover are dropped, so no attempt carries anything its signature does not vouch for.
    An attempt signed for an anonymous browser also has to be claimed by this account
    (`verify_attempts` does that for all of a document's at once).
    """
    verified = _signed_attempt(attempt.signature)
    if verified is None:
        return "the signature does not verify"
    result, signed = verified
    if result.user_id is not None and result.user_id != user_id:
        return "this attempt belongs to another learner"
    if result.lesson_slug != lesson_slug or _signed_fields(signed) != _signed_fields(attempt):
        return "the attempt was changed after it was signed"
    return signed


def _is_anonymous(attempt: Attempt) -> bool:
    verified = _signed_attempt(attempt.signature)
    return verified is not None and verified[0].user_id is None


def verify_attempts(
    document: ProgressDocument,
    *,
    user_id: int,
    stored: ProgressDocument | None = None,
) -> tuple[ProgressDocument, tuple[RejectedAttempt, ...]]:
    """The document keeping only attempts whose signatures vouch for them, field by field.

    Every attempt is checked, even one whose id and signature are already stored: a stored
    signature must not lend its trust to changed fields (a 3/10 re-sent as 9/10). Anonymous
    attempts the `stored` document already holds were claimed when they were stored; the others
    are claimed together, so a sync costs the same few queries however many attempts it carries.
    """
    checked: dict[str, list[tuple[Attempt, Attempt | str]]] = {}
    to_claim: set[str] = set()
    for slug, entry in document.lessons.items():
        held = stored.lessons.get(slug) if stored is not None else None
        # What each held attempt's signature vouches for. The stored copy of an attempt may
        # carry another signature than the device's (the server's own, made for this account
        # once it was claimed), so the same attempt is recognised by its signed fields.
        held_fields = {a.id: _signed_fields(a) for a in held.attempts} if held is not None else {}
        outcomes = checked[slug] = []
        for attempt in entry.attempts:
            outcome = check_attempt(attempt, lesson_slug=slug, user_id=user_id)
            outcomes.append((attempt, outcome))
            if isinstance(outcome, str) or not _is_anonymous(attempt):
                continue
            if held_fields.get(attempt.id) != _signed_fields(outcome):
                to_claim.add(attempt.id)
    claimed = claim_anonymous_results(attempt_ids=to_claim, user_id=user_id)
    rejected: list[RejectedAttempt] = []
    lessons: dict[str, LessonProgress] = {}
    for slug, outcomes in checked.items():
        kept: list[Attempt] = []
        for attempt, outcome in outcomes:
            refused = attempt.id in to_claim and attempt.id not in claimed
            if refused and not isinstance(outcome, str):
                outcome = "this attempt belongs to another learner"
            if isinstance(outcome, str):
                field = f"lessons.{slug}.attempts"
                rejected.append(RejectedAttempt(field, slug, attempt.id, outcome))
            else:
                kept.append(outcome)
        lessons[slug] = document.lessons[slug].model_copy(update={"attempts": tuple(kept)})
    return document.model_copy(update={"lessons": lessons}), tuple(rejected)


def _restored(attempt: Attempt, *, lesson_slug: str) -> Attempt:
    result = _verified_result(attempt.signature)
    if result is None or (result.lesson_slug, result.attempt_id) != (lesson_slug, attempt.id):
        return attempt
    return _as_signed(result, attempt.signature)


def restore_signed_attempts(document: ProgressDocument) -> ProgressDocument:
    """A stored document with each attempt put back to exactly what its signature says.

    Repairs attempts stored before every field was checked. One whose signature no longer
    verifies (say, after a key change) is kept as it is: it was verified when it was stored.
    """
    lessons: dict[str, LessonProgress] = {}
    for slug, entry in document.lessons.items():
        attempts = [_restored(attempt, lesson_slug=slug) for attempt in entry.attempts]
        lessons[slug] = entry.model_copy(update={"attempts": union_attempts(*attempts)})
    return document.model_copy(update={"lessons": lessons})


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
    # A learner may have finished more quizzes than a document keeps in full.
    return validate_document(compact_document_data({"version": 1, "lessons": lessons}))


def _locked_record(user_id: int) -> ProgressRecord:
    # The document itself is loaded only when this process has not parsed its version yet.
    locked = ProgressRecord.objects.select_for_update().defer("document")
    try:
        return locked.get(user_id=user_id)
    except ProgressRecord.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return ProgressRecord.objects.create(user_id=user_id)
    except IntegrityError:
        # Another device created the row between our read and our insert: lock theirs.
        return locked.get(user_id=user_id)


# user id -> (record version, parsed document, stored JSON): a stored document is loaded and
# parsed once per version, not at every sync. Every change bumps the version, so a stale entry
# is never used.
_parsed: dict[int, tuple[int, ProgressDocument, dict[str, object]]] = {}
_PARSED_MAX = 2_000


def _stored_document(record: ProgressRecord) -> tuple[ProgressDocument, dict[str, object]]:
    """The record's document, parsed, and its JSON as stored."""
    cached = _parsed.get(record.user_id)
    if cached is not None and cached[0] == record.version:
        return cached[1], cached[2]
    stored_json = record.document
    document = restore_signed_attempts(validate_document(stored_json))
    _remember(record, document, stored_json)
    return document, stored_json


def _remember(
    record: ProgressRecord, document: ProgressDocument, stored_json: dict[str, object]
) -> None:
    if len(_parsed) >= _PARSED_MAX:
        _parsed.clear()
    _parsed[record.user_id] = (record.version, document, stored_json)


def _merged(
    record: ProgressRecord,
    documents: Iterable[ProgressDocument],
    unverified: ProgressDocument | None,
    user_id: int,
) -> tuple[
    ProgressDocument,
    tuple[RejectedAttempt, ...],
    dict[str, object],
    dict[str, object],
    tuple[str, ...],
]:
    """The record's document with everything merged in, what was rejected, both as JSON, and
    the notices for a learner near a limit."""
    rejected: tuple[RejectedAttempt, ...] = ()
    merged, stored_json = _stored_document(record)
    if unverified is not None:
        verified, rejected = verify_attempts(unverified, user_id=user_id, stored=merged)
        merged = merge_progress(merged, verified)
    for document in documents:
        merged = merge_progress(merged, document)
    # What is stored is compacted and then passes the very checks a device's document
    # passes, so any device can send it back.
    data = compact_document_data(document_to_json(merged))
    merged = validate_document(data)
    size = json_size(data)
    check_limits(merged, size=size)
    notices = tuple(near_limit_notices(merged, size=size))
    return merged, rejected, data, stored_json, notices


def merge_into_record(
    *,
    user_id: int,
    documents: Iterable[ProgressDocument] = (),
    unverified: ProgressDocument | None = None,
) -> SyncResult:
    """Merge documents into the stored one, in one transaction under a row lock.

    `documents` are trusted; `unverified` (a device's) keeps only attempts whose signatures
    vouch for every field. Raises InvalidDocument, storing nothing,
    when the union would break a limit.
    """
    # Most syncs change nothing (the device already has everything): that is answered from a
    # plain read, without the row lock and the write transaction, which on SQLite would hold
    # the database's one write lock while other learners wait.
    stored = ProgressRecord.objects.defer("document").filter(user_id=user_id).first()
    if stored is not None:
        merged, rejected, data, stored_json, notices = _merged(
            stored, documents, unverified, user_id
        )
        if data == stored_json:
            return SyncResult(
                document=merged,
                rejected=rejected,
                version=stored.version,
                document_json=data,
                notices=notices,
            )
    with transaction.atomic():
        record = _locked_record(user_id)
        merged, rejected, data, stored_json, notices = _merged(
            record, documents, unverified, user_id
        )
        if data != stored_json:
            record.document = data
            record.version += 1
            record.save(update_fields=["document", "version", "updated_at"])
            transaction.on_commit(lambda: _remember(record, merged, data))
    return SyncResult(
        document=merged,
        rejected=rejected,
        version=record.version,
        document_json=data,
        notices=notices,
    )


def _no_later(value: Part, now: datetime) -> Part:
    return value.model_copy(update={"at": now}) if value.at > now else value


def _clamped_draft(draft: Draft, now: datetime) -> Draft:
    return draft.model_copy(
        update={
            "title": _no_later(draft.title, now),
            "deleted": None if draft.deleted is None else _no_later(draft.deleted, now),
            "fields": {key: _no_later(text, now) for key, text in draft.fields.items()},
        }
    )


def clamp_times(document: ProgressDocument, *, now: datetime) -> ProgressDocument:
    """The document with every edit time later than `now` (the server's receipt time) set to it.

    Conflicts are won by the later `at`; a device whose clock runs hours fast would otherwise
    win every conflict with its edits for hours to come. Attempt times are signed: unchanged.
    """
    lessons = {}
    for slug, entry in document.lessons.items():
        last_read = entry.last_read_at
        lessons[slug] = entry.model_copy(
            update={
                "sections_read": {k: min(t, now) for k, t in entry.sections_read.items()},
                "last_read_at": None if last_read is None else min(last_read, now),
                "checklist": {k: _no_later(tick, now) for k, tick in entry.checklist.items()},
                "reflection": (
                    None if entry.reflection is None else _no_later(entry.reflection, now)
                ),
                "drafts": {k: _clamped_draft(draft, now) for k, draft in entry.drafts.items()},
            }
        )
    return document.model_copy(update={"lessons": lessons})


def sync_progress(
    *, user_id: int, incoming: ProgressDocument, received_at: datetime | None = None
) -> SyncResult:
    """Verify the device's attempts, merge everything into the stored document, return it."""
    now = normalise_time(received_at or datetime.now(UTC))
    incoming = clamp_times(incoming, now=now)
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
