"""Keeping a stored progress document small enough to be sent again, however it is used.

A document grows with use: every finished quiz adds an attempt, a deleted draft stays as a
tombstone, and a newer device may add parts this server does not know. The server compacts the
merged document before storing it, so what a device gets back always passes the same checks as
what it sent (docs/progress-sync.md says what is kept):

- finished attempts, per lesson: the best at each form and the latest `KEEP_RECENT_ATTEMPTS`,
  in full (signature included); the others are counted in `earlier_attempts` per form;
- deleted drafts: only the tombstone (the deleted flag, and the title's time without its text),
  the newest `MAX_TOMBSTONES_PER_LESSON`;
- unknown keys: kept, in key order, while their JSON fits in `MAX_UNKNOWN_BYTES`.

It works on the document's JSON data (a pure function) and never drops a known part that is
still live: an edit, a live draft or a best score is never lost to compaction.
"""

from __future__ import annotations

import json
from typing import Any

KEEP_RECENT_ATTEMPTS = 50
MAX_TOMBSTONES_PER_LESSON = 500
MAX_UNKNOWN_BYTES = 16 * 1024

JsonObject = dict[str, Any]

# The known keys at each level of a version 1 document; anything else is an unknown key.
_DOCUMENT_KEYS = frozenset({"version", "lessons"})
_LESSON_KEYS = frozenset(
    {
        "sections_read",
        "last_read_at",
        "checklist",
        "reflection",
        "attempts",
        "earlier_attempts",
        "drafts",
    }
)
_TIMED_KEYS = frozenset({"text", "at", "done", "value"})
_DRAFT_KEYS = frozenset({"title", "deleted", "fields"})


def json_size(data: object) -> int:
    """Bytes of `data` as compact UTF-8 JSON: what a browser's JSON.stringify sends."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _attempt_rank(attempt: JsonObject) -> tuple[float, int, str, str]:
    return (
        attempt["score"] / attempt["total"],
        attempt["score"],
        attempt["finished_at"],
        attempt["id"],
    )


def compact_attempts(
    attempts: list[JsonObject], earlier: JsonObject
) -> tuple[list[JsonObject], JsonObject]:
    """The attempts to keep in full (oldest first) and the updated count of earlier ones.

    Counts merge by maximum: the quiz app re-sends every attempt of a signed-in learner at each
    sync, so a count computed from this union already includes every attempt folded before.
    """
    if len(attempts) <= KEEP_RECENT_ATTEMPTS:
        return attempts, earlier
    by_time = sorted(attempts, key=lambda a: (a["finished_at"], a["id"]))
    kept_ids = {a["id"] for a in by_time[-KEEP_RECENT_ATTEMPTS:]}
    for form in {a["form"] for a in attempts}:
        kept_ids.add(max((a for a in attempts if a["form"] == form), key=_attempt_rank)["id"])
    counts = dict(earlier)
    folded = [a for a in by_time if a["id"] not in kept_ids]
    for form in {a["form"] for a in folded}:
        count = sum(1 for a in folded if a["form"] == form)
        counts[str(form)] = max(int(counts.get(str(form), 0)), count)
    return [a for a in by_time if a["id"] in kept_ids], dict(sorted(counts.items()))


def _tombstone(draft: JsonObject) -> JsonObject:
    extras = {k: v for k, v in draft.items() if k not in _DRAFT_KEYS}
    return {
        "title": {"text": "", "at": draft["title"]["at"]},
        "deleted": draft["deleted"],
        **extras,
    }


def _is_deleted(draft: JsonObject) -> bool:
    deleted = draft.get("deleted")
    return isinstance(deleted, dict) and deleted.get("value") is True


def compact_drafts(drafts: JsonObject) -> JsonObject:
    """Live drafts untouched; deleted ones reduced to tombstones, the newest few hundred kept."""
    tombstones = sorted(
        ((draft_id, draft) for draft_id, draft in drafts.items() if _is_deleted(draft)),
        key=lambda item: (item[1]["deleted"]["at"], item[0]),
    )
    dropped = {draft_id for draft_id, _ in tombstones[:-MAX_TOMBSTONES_PER_LESSON]}
    return {
        draft_id: _tombstone(draft) if _is_deleted(draft) else draft
        for draft_id, draft in drafts.items()
        if draft_id not in dropped
    }


class _UnknownBudget:
    """Unknown keys kept in the order they are met, while their JSON fits the budget."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def keep(self, part: JsonObject, known: frozenset[str]) -> JsonObject:
        kept = {}
        for key in sorted(part):
            value = part[key]
            if key not in known:
                cost = json_size({key: value})
                if cost > self.left:
                    continue
                self.left -= cost
            kept[key] = value
        return kept


def _compact_lesson(entry: JsonObject, budget: _UnknownBudget) -> JsonObject:
    entry = budget.keep(entry, _LESSON_KEYS)
    if "attempts" in entry:
        attempts, earlier = compact_attempts(entry["attempts"], entry.get("earlier_attempts", {}))
        entry["attempts"] = attempts
        if earlier:
            entry["earlier_attempts"] = earlier
    for name in ("checklist",):
        if name in entry:
            entry[name] = {k: budget.keep(v, _TIMED_KEYS) for k, v in entry[name].items()}
    if "reflection" in entry:
        entry["reflection"] = budget.keep(entry["reflection"], _TIMED_KEYS)
    if "drafts" in entry:
        drafts = {}
        for draft_id, draft in compact_drafts(entry["drafts"]).items():
            draft = budget.keep(draft, _DRAFT_KEYS)
            for name in ("title", "deleted"):
                if name in draft:
                    draft[name] = budget.keep(draft[name], _TIMED_KEYS)
            if "fields" in draft:
                draft["fields"] = {
                    k: budget.keep(v, _TIMED_KEYS) for k, v in draft["fields"].items()
                }
            drafts[draft_id] = draft
        entry["drafts"] = drafts
    return entry


def unknown_key_bytes(data: JsonObject) -> int:
    """How many bytes of a valid document's JSON data are unknown keys (and their values)."""
    unlimited = 1 << 62
    budget = _UnknownBudget(unlimited)
    document = budget.keep(data, _DOCUMENT_KEYS)
    for entry in document.get("lessons", {}).values():
        _compact_lesson(dict(entry), budget)
    return unlimited - budget.left


def compact_document_data(data: JsonObject) -> JsonObject:
    """A valid document's JSON data, compacted by the rules in this module's docstring."""
    budget = _UnknownBudget(MAX_UNKNOWN_BYTES)
    document = budget.keep(data, _DOCUMENT_KEYS)
    if "lessons" in document:
        document["lessons"] = {
            slug: _compact_lesson(dict(entry), budget)
            for slug, entry in document["lessons"].items()
        }
    return document
