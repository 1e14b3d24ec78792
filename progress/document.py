"""The progress document, version 1: what a device keeps in localStorage and syncs.

Validated with pydantic at the edge (the sync API, the stored record). Unknown keys are kept
(a newer device may know more), but every known part has limits on size and counts, text has
length caps and every timestamp must be one a datetime can hold (a future one is accepted here;
sync sets it to the receipt time).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, Protocol, Self

from django.conf import settings
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from config.json_api import JsonBodyProblem, parse_json
from content_registry import SLUG_PATTERN, field_path
from progress.compaction import MAX_TOMBSTONES_PER_LESSON, MAX_UNKNOWN_BYTES, unknown_key_bytes

DOCUMENT_VERSION: Final = 1
# What an account may hold, measured as compact UTF-8 JSON (what a browser sends). The server
# compacts what it stores (progress/compaction.py) and refuses a merge past this size, so a
# stored document always fits in a request body again; the body limit adds room for
# differences in how JSON encoders escape text.
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_BODY_BYTES = MAX_DOCUMENT_BYTES + 64 * 1024
# Past this share of a limit, a sync answers with a notice saying how to make room.
NEAR_LIMIT_SHARE = 0.75
MAX_LESSONS = 200
MAX_SECTIONS_PER_LESSON = 200
MAX_CHECKLIST_ITEMS = 100
# What a device may send: it may have finished many quizzes before signing in. What is stored
# is compacted to the best per form and the latest few (progress/compaction.py).
MAX_ATTEMPTS_PER_LESSON = 1000
MAX_REFLECTION_CHARS = 5_000
MAX_SIGNATURE_CHARS = 1_000
# Drafts: at most 20 live drafts per lesson; deleted ones stay as small tombstones so
# the deletion syncs, and have their own, larger cap so deleting never locks a learner out.
MAX_LIVE_DRAFTS_PER_LESSON = 20
# Tombstones are compacted to a few dozen bytes, and the newest few hundred kept, so merging
# devices' deletions can never reach this.
MAX_DRAFTS_PER_LESSON = MAX_TOMBSTONES_PER_LESSON + 2 * MAX_LIVE_DRAFTS_PER_LESSON
# Drafts are sized by the feature that writes them (settings.PROGRESS_DRAFT_LIMITS, which the
# postmortem builder's system check holds to its template), so progress imports no feature.
_DRAFT_LIMITS = getattr(settings, "PROGRESS_DRAFT_LIMITS", {})
MAX_FIELDS_PER_DRAFT: int = _DRAFT_LIMITS.get("fields", 128)
MAX_DRAFT_FIELD_CHARS: int = _DRAFT_LIMITS.get("field_chars", 10_000)
MAX_DRAFT_TITLE_CHARS = 200
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
ATTEMPT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
DRAFT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
FIELD_KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


def _timestamp_input(value: object) -> object:
    if isinstance(value, datetime | str):
        return value
    raise PydanticCustomError(
        "timestamp_type", "must be an ISO 8601 time text like 2025-01-31T12:00:00Z"
    )


def normalise_time(value: datetime) -> datetime:
    """UTC, to the millisecond as JavaScript's Date keeps it, so round trips change nothing."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _timestamp_checked(value: datetime) -> datetime:
    # A time ahead of the server's clock is accepted: sync clamps it to the receipt time
    # (progress/sync.py clamp_times), so a device whose clock runs fast is never refused.
    if value.tzinfo is None:
        raise PydanticCustomError("timestamp_naive", "must include a time zone, like Z")
    try:
        value = normalise_time(value)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is past the last time Python has
        raise PydanticCustomError("timestamp_range", "is not a time that can be stored") from None
    if value < EARLIEST_TIME:
        raise PydanticCustomError("timestamp_past", "is before the year 2000")
    return value


def format_timestamp(value: datetime) -> str:
    """`2025-01-31T12:00:00.000Z`: the shape JavaScript's `toISOString()` produces."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    BeforeValidator(_timestamp_input),
    AfterValidator(_timestamp_checked),
    PlainSerializer(format_timestamp, return_type=str),
]


ReflectionText = Annotated[
    str, StringConstraints(max_length=MAX_REFLECTION_CHARS), Field(strict=True)
]
DraftFieldText = Annotated[
    str, StringConstraints(max_length=MAX_DRAFT_FIELD_CHARS), Field(strict=True)
]
DraftTitleText = Annotated[
    str, StringConstraints(max_length=MAX_DRAFT_TITLE_CHARS), Field(strict=True)
]
AttemptId = Annotated[str, StringConstraints(pattern=ATTEMPT_ID_PATTERN)]
PartId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
FieldKey = Annotated[str, StringConstraints(pattern=FIELD_KEY_PATTERN)]
DraftId = Annotated[str, StringConstraints(pattern=DRAFT_ID_PATTERN)]
LessonSlug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
# The quiz forms whose results a document keeps (the quiz app's form sizes).
QuizForm = Literal[6, 10, 15]
QuizFormKey = Literal["6", "10", "15"]


class TimedPart(Protocol):
    """A part written at a time (a tick, a note, a draft's field): the last writer wins by `at`."""

    @property
    def at(self) -> datetime: ...

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self: ...


class DocumentPart(BaseModel):
    # Unknown keys are kept and synced: a newer device may know parts this server does not.
    model_config = ConfigDict(extra="allow", frozen=True)


class ChecklistTick(DocumentPart):
    done: StrictBool
    at: Timestamp


class Reflection(DocumentPart):
    text: ReflectionText
    at: Timestamp


class Attempt(DocumentPart):
    id: AttemptId
    form: QuizForm
    score: Annotated[StrictInt, Field(ge=0, le=100)]
    total: Annotated[StrictInt, Field(ge=1, le=100)]
    finished_at: Timestamp
    signature: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SIGNATURE_CHARS)]

    @model_validator(mode="after")
    def _score_within_total(self) -> Attempt:
        if self.score > self.total:
            raise PydanticCustomError("score_above_total", "score must not exceed total")
        return self


class DraftText(DocumentPart):
    text: DraftFieldText
    at: Timestamp


class DraftTitle(DocumentPart):
    text: DraftTitleText
    at: Timestamp


class DraftDeleted(DocumentPart):
    value: StrictBool
    at: Timestamp


class Draft(DocumentPart):
    title: DraftTitle
    deleted: DraftDeleted | None = None
    fields: Annotated[dict[FieldKey, DraftText], Field(max_length=MAX_FIELDS_PER_DRAFT)] = {}

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None and self.deleted.value


def canonical_json(value: Any) -> str:
    """One text per value, independent of key order: the deterministic tie-break."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def larger(a: Any, b: Any) -> Any:
    """A deterministic choice between two values: the one with the larger canonical JSON."""
    if a == b:
        return a
    return a if canonical_json(a) >= canonical_json(b) else b


def union_attempts(*attempts: Attempt) -> tuple[Attempt, ...]:
    """One attempt per id (a conflict resolved by `larger`), oldest first."""
    by_id: dict[str, Attempt] = {}
    for attempt in attempts:
        known = by_id.get(attempt.id)
        by_id[attempt.id] = attempt if known is None else larger(known, attempt)
    return tuple(sorted(by_id.values(), key=lambda attempt: (attempt.finished_at, attempt.id)))


class LessonProgress(DocumentPart):
    sections_read: Annotated[
        dict[PartId, Timestamp], Field(max_length=MAX_SECTIONS_PER_LESSON)
    ] = {}
    last_read_at: Timestamp | None = None
    checklist: Annotated[dict[PartId, ChecklistTick], Field(max_length=MAX_CHECKLIST_ITEMS)] = {}
    reflection: Reflection | None = None
    attempts: Annotated[tuple[Attempt, ...], Field(max_length=MAX_ATTEMPTS_PER_LESSON)] = ()
    # Finished attempts per form ("10", "15") no longer kept in full (progress/compaction.py).
    earlier_attempts: dict[QuizFormKey, Annotated[StrictInt, Field(ge=0, le=10_000_000)]] | None = (
        None
    )
    drafts: Annotated[dict[DraftId, Draft], Field(max_length=MAX_DRAFTS_PER_LESSON)] = {}

    @field_validator("attempts", mode="after")
    @classmethod
    def _one_per_id_in_order(cls, attempts: tuple[Attempt, ...]) -> tuple[Attempt, ...]:
        return union_attempts(*attempts)


class ProgressDocument(DocumentPart):
    version: Literal[1]
    lessons: Annotated[dict[LessonSlug, LessonProgress], Field(max_length=MAX_LESSONS)] = {}


def empty_document() -> ProgressDocument:
    return ProgressDocument(version=DOCUMENT_VERSION)


def document_to_json(document: ProgressDocument) -> dict[str, Any]:
    """The document as plain JSON data (ISO times), as stored and as sent to devices."""
    return document.model_dump(mode="json", exclude_none=True)


def best_score(entry: LessonProgress) -> Attempt | None:
    """The attempt with the highest score ratio (then score, then latest). Derived, never stored."""
    if not entry.attempts:
        return None
    return max(entry.attempts, key=lambda a: (a.score / a.total, a.score, a.finished_at, a.id))


def last_attempt(entry: LessonProgress) -> Attempt | None:
    return max(entry.attempts, key=lambda a: (a.finished_at, a.id), default=None)


@dataclass(frozen=True)
class DocumentProblem:
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidDocument(Exception):
    def __init__(self, problems: list[DocumentProblem], *, status: int = 400) -> None:
        self.problems = problems
        self.status = status
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def _friendly(detail: Any) -> str:
    kind, ctx = detail["type"], detail.get("ctx", {})
    if kind == "string_too_long":
        return f"text is too long (at most {ctx['max_length']} characters)"
    if kind == "too_long":
        return f"has too many entries (at most {ctx['max_length']})"
    if kind == "literal_error" and detail["loc"] == ("version",):
        return f"must be {DOCUMENT_VERSION}: this server understands version {DOCUMENT_VERSION}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return "is not a valid id"
    if kind == "missing":
        return "is required"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return "must be a whole number"
    if kind == "bool_type":
        return "must be true or false"
    if kind in {"string_type"}:
        return "must be text"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "must be an object"
    if kind in {"tuple_type", "list_type"}:
        return "must be a list"
    if kind in {"datetime_parsing", "datetime_from_date_parsing", "datetime_type"}:
        return "must be an ISO 8601 time text like 2025-01-31T12:00:00Z"
    return str(detail["msg"])


def _location(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # Pydantic marks a bad dict key as (..., "<key>", "[key]"); say "key" plainly instead.
    return tuple("(key)" if part == "[key]" else part for part in loc)


def _problems_from(error: ValidationError) -> list[DocumentProblem]:
    return [
        DocumentProblem(
            field=field_path(_location(detail["loc"])) or "(document)", message=_friendly(detail)
        )
        for detail in error.errors(include_url=False)
    ]


def _draft_problems(document: ProgressDocument) -> list[DocumentProblem]:
    problems = []
    for slug, entry in document.lessons.items():
        live = sum(1 for draft in entry.drafts.values() if not draft.is_deleted)
        if live > MAX_LIVE_DRAFTS_PER_LESSON:
            problems.append(
                DocumentProblem(
                    field=f"lessons.{slug}.drafts",
                    message=f"has too many drafts (at most {MAX_LIVE_DRAFTS_PER_LESSON} "
                    "not deleted): delete the drafts you no longer need on the lesson's practice "
                    "page, and it syncs again",
                )
            )
    return problems


def size_problem(size: int) -> DocumentProblem:
    return DocumentProblem(
        "(document)",
        f"is too large to keep ({size // 1024} KB; an account holds at most "
        f"{MAX_DOCUMENT_BYTES // 1024} KB): drafts take the most room, so delete the drafts you "
        "no longer need on a lesson's practice page, and it syncs again",
    )


def near_limit_notices(document: ProgressDocument, *, size: int) -> list[str]:
    """What to tell a learner whose progress is close to a limit, and how to make room."""
    notices = []
    if size > NEAR_LIMIT_SHARE * MAX_DOCUMENT_BYTES:
        notices.append(
            f"Your progress takes {size // 1024} KB of the {MAX_DOCUMENT_BYTES // 1024} KB an "
            "account holds. Delete drafts you no longer need to make room."
        )
    for slug, entry in document.lessons.items():
        live = sum(1 for draft in entry.drafts.values() if not draft.is_deleted)
        if live > NEAR_LIMIT_SHARE * MAX_LIVE_DRAFTS_PER_LESSON:
            notices.append(
                f"{slug} has {live} of at most {MAX_LIVE_DRAFTS_PER_LESSON} drafts. Delete "
                "those you no longer need to make room."
            )
    return notices


def check_limits(document: ProgressDocument, *, size: int | None = None) -> None:
    """Raise InvalidDocument when a merged document outgrows a limit (413 for its size).

    Both sides of a merge are valid, so only counts and the size can grow.
    """
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise InvalidDocument([size_problem(size)], status=413)
    problems = []

    def over(field: str, count: int, limit: int) -> None:
        if count > limit:
            problems.append(DocumentProblem(field, f"has too many entries (at most {limit})"))

    over("lessons", len(document.lessons), MAX_LESSONS)
    for slug, entry in document.lessons.items():
        where = f"lessons.{slug}"
        over(f"{where}.sections_read", len(entry.sections_read), MAX_SECTIONS_PER_LESSON)
        over(f"{where}.checklist", len(entry.checklist), MAX_CHECKLIST_ITEMS)
        over(f"{where}.attempts", len(entry.attempts), MAX_ATTEMPTS_PER_LESSON)
        over(f"{where}.drafts", len(entry.drafts), MAX_DRAFTS_PER_LESSON)
        for draft_id, draft in entry.drafts.items():
            over(f"{where}.drafts.{draft_id}.fields", len(draft.fields), MAX_FIELDS_PER_DRAFT)
    problems += _draft_problems(document)
    if problems:
        raise InvalidDocument(problems)


def validate_document(data: object) -> ProgressDocument:
    """A valid document from JSON data, or InvalidDocument listing every problem by field path."""
    if not isinstance(data, dict):
        raise InvalidDocument([DocumentProblem("(document)", "must be a JSON object")])
    try:
        document = ProgressDocument.model_validate(data)
    except ValidationError as exc:
        raise InvalidDocument(_problems_from(exc)) from None
    problems = _draft_problems(document)
    if problems:
        raise InvalidDocument(problems)
    return document


def parse_document(
    body: bytes, *, lesson_exists: Callable[[str], bool] | None = None
) -> ProgressDocument:
    """Parse a request body: size, JSON, shape, limits and (optionally) known lessons."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidDocument(
            [DocumentProblem("(document)", f"is too large (at most {MAX_BODY_BYTES // 1024} KB)")]
        )
    try:
        data = parse_json(body)
    except JsonBodyProblem as problem:
        raise InvalidDocument([DocumentProblem("(document)", problem.message)]) from None
    return document_from_data(data, lesson_exists=lesson_exists)


def document_from_data(
    data: object, *, lesson_exists: Callable[[str], bool] | None = None
) -> ProgressDocument:
    """A valid document from parsed JSON: shape, limits and (optionally) known lessons."""
    document = validate_document(data)
    unknown_bytes = unknown_key_bytes(document_to_json(document))
    if unknown_bytes > MAX_UNKNOWN_BYTES:
        message = (
            f"has {unknown_bytes // 1024} KB of parts this server does not know (at most "
            f"{MAX_UNKNOWN_BYTES // 1024} KB)"
        )
        raise InvalidDocument([DocumentProblem("(document)", message)])
    if lesson_exists is not None:
        unknown = [
            DocumentProblem(f"lessons.{slug}", "no lesson with this slug")
            for slug in document.lessons
            if not lesson_exists(slug)
        ]
        if unknown:
            raise InvalidDocument(unknown)
    return document
