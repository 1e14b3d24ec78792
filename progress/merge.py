"""Merging two progress documents: a pure function with CRDT-like laws.

`merge_progress` is commutative, associative and idempotent, and never loses an attempt or a
draft, so devices can sync in any order, any number of times, and agree:

- attempts: union by id; counts of earlier attempts (`earlier_attempts`): the larger;
- sections read: the earliest time; `last_read_at`: the latest;
- checklist ticks, the reflection, and each draft's title, deleted flag and fields:
  last writer wins by `at`, ties broken by comparing the values' canonical JSON;
- drafts: union by id (a deleted draft stays as a tombstone so the deletion syncs);
- unknown keys: union, a conflict resolved by the larger canonical JSON.

Best score is never stored; `document.best_score` derives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from progress.document import (
    Draft,
    LessonProgress,
    ProgressDocument,
    TimedPart,
    larger,
    union_attempts,
)

Part = TypeVar("Part", bound=TimedPart)
Value = TypeVar("Value")


def _last_writer(a: Part, b: Part) -> Part:
    """Last writer wins by `at`; equal times fall back to `larger`."""
    if a is b:
        return a
    if a.at != b.at:
        return a if a.at > b.at else b
    chosen: Part = larger(a, b)
    return chosen


def _newest(a: Part | None, b: Part | None) -> Part | None:
    """The last writer of two optional parts; a missing part never wins over a present one."""
    if a is None:
        return b
    if b is None:
        return a
    return _last_writer(a, b)


def _merge_maps(
    a: Mapping[str, Value], b: Mapping[str, Value], combine: Callable[[Value, Value], Value]
) -> dict[str, Value]:
    merged = dict(a)
    for key, value in b.items():
        merged[key] = combine(merged[key], value) if key in merged else value
    return dict(sorted(merged.items()))


def _merge_extras(a: BaseModel, b: BaseModel) -> dict[str, Any]:
    return _merge_maps(a.model_extra or {}, b.model_extra or {}, larger)


def _earliest(a: datetime, b: datetime) -> datetime:
    return min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


Key = TypeVar("Key", bound=str)


def _merge_counts(a: dict[Key, int] | None, b: dict[Key, int] | None) -> dict[Key, int] | None:
    if a is None or b is None:
        return a or b
    merged = dict(a)
    for key, count in b.items():
        merged[key] = max(merged.get(key, count), count)
    return dict(sorted(merged.items()))


def merge_draft(a: Draft, b: Draft) -> Draft:
    if a is b:
        return a
    return Draft.model_construct(
        title=_last_writer(a.title, b.title),
        deleted=_newest(a.deleted, b.deleted),
        fields=_merge_maps(a.fields, b.fields, _last_writer),
        **_merge_extras(a, b),
    )


def merge_lesson(a: LessonProgress, b: LessonProgress) -> LessonProgress:
    if a is b:
        return a
    return LessonProgress.model_construct(
        sections_read=_merge_maps(a.sections_read, b.sections_read, _earliest),
        last_read_at=_latest(a.last_read_at, b.last_read_at),
        checklist=_merge_maps(a.checklist, b.checklist, _last_writer),
        reflection=_newest(a.reflection, b.reflection),
        attempts=union_attempts(*a.attempts, *b.attempts),
        earlier_attempts=_merge_counts(a.earlier_attempts, b.earlier_attempts),
        drafts=_merge_maps(a.drafts, b.drafts, merge_draft),
        **_merge_extras(a, b),
    )


def merge_progress(a: ProgressDocument, b: ProgressDocument) -> ProgressDocument:
    """Everything either document knows, combined by the laws in this module's docstring."""
    return ProgressDocument.model_construct(
        version=a.version,
        lessons=_merge_maps(a.lessons, b.lessons, merge_lesson),
        **_merge_extras(a, b),
    )
