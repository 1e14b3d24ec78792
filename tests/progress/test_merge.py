from __future__ import annotations

from hypothesis import given, settings

from progress.document import (
    ProgressDocument,
    best_score,
    document_to_json,
    validate_document,
)
from progress.merge import merge_progress
from tests.progress.strategies import DRAFT_IDS, documents

laws = settings(max_examples=150, deadline=None)


def as_json(document: ProgressDocument) -> dict:
    return document_to_json(document)


def attempt_ids(document: ProgressDocument) -> set[tuple[str, str]]:
    return {(slug, a.id) for slug, entry in document.lessons.items() for a in entry.attempts}


def draft_fields(document: ProgressDocument) -> set[tuple[str, str, str]]:
    return {
        (slug, draft_id, key)
        for slug, entry in document.lessons.items()
        for draft_id, draft in entry.drafts.items()
        for key in draft.fields
    }


@laws
@given(documents, documents)
def test_merging_is_commutative(a: ProgressDocument, b: ProgressDocument) -> None:
    assert as_json(merge_progress(a, b)) == as_json(merge_progress(b, a))


@laws
@given(documents, documents, documents)
def test_merging_is_associative(
    a: ProgressDocument, b: ProgressDocument, c: ProgressDocument
) -> None:
    left = merge_progress(merge_progress(a, b), c)
    right = merge_progress(a, merge_progress(b, c))
    assert as_json(left) == as_json(right)


@laws
@given(documents)
def test_merging_a_document_with_itself_changes_nothing(a: ProgressDocument) -> None:
    assert as_json(merge_progress(a, a)) == as_json(a)


@laws
@given(documents, documents)
def test_merging_twice_changes_nothing_more(a: ProgressDocument, b: ProgressDocument) -> None:
    once = merge_progress(a, b)
    assert as_json(merge_progress(once, b)) == as_json(once)
    assert as_json(merge_progress(a, once)) == as_json(once)


@laws
@given(documents, documents)
def test_no_attempt_ever_disappears(a: ProgressDocument, b: ProgressDocument) -> None:
    assert attempt_ids(merge_progress(a, b)) == attempt_ids(a) | attempt_ids(b)


@laws
@given(documents, documents)
def test_no_draft_or_draft_field_ever_disappears(a: ProgressDocument, b: ProgressDocument) -> None:
    merged = merge_progress(a, b)
    for document in (a, b):
        for slug, entry in document.lessons.items():
            assert set(entry.drafts) <= set(merged.lessons[slug].drafts)
    assert draft_fields(merged) == draft_fields(a) | draft_fields(b)


@laws
@given(documents, documents)
def test_the_merged_document_is_itself_valid(a: ProgressDocument, b: ProgressDocument) -> None:
    merged = as_json(merge_progress(a, b))
    assert as_json(validate_document(merged)) == merged


def doc(lesson: dict) -> ProgressDocument:
    return validate_document({"version": 1, "lessons": {"one": lesson}})


def test_sections_read_keep_the_earliest_time() -> None:
    early = doc({"sections_read": {"premise": "2025-01-01T10:00:00Z"}})
    late = doc(
        {"sections_read": {"premise": "2025-01-02T10:00:00Z", "apply": "2025-01-02T11:00:00Z"}}
    )
    merged = as_json(merge_progress(late, early))
    assert merged["lessons"]["one"]["sections_read"] == {
        "premise": "2025-01-01T10:00:00.000Z",
        "apply": "2025-01-02T11:00:00.000Z",
    }


def test_the_later_checklist_tick_wins_even_when_it_unticks() -> None:
    ticked = doc({"checklist": {"c1": {"done": True, "at": "2025-01-01T10:00:00Z"}}})
    unticked = doc({"checklist": {"c1": {"done": False, "at": "2025-01-01T10:05:00Z"}}})
    assert merge_progress(ticked, unticked).lessons["one"].checklist["c1"].done is False
    assert merge_progress(unticked, ticked).lessons["one"].checklist["c1"].done is False


def test_a_tie_in_time_is_broken_the_same_way_on_every_device() -> None:
    at = "2025-01-01T10:00:00Z"
    first = doc({"reflection": {"text": "apples", "at": at}})
    second = doc({"reflection": {"text": "pears", "at": at}})
    assert merge_progress(first, second).lessons["one"].reflection.text == "pears"
    assert merge_progress(second, first).lessons["one"].reflection.text == "pears"


def test_a_deleted_draft_stays_as_a_tombstone_and_the_deletion_wins_when_later() -> None:
    draft_id = DRAFT_IDS[0]
    kept = doc(
        {
            "drafts": {
                draft_id: {
                    "title": {"text": "Chatbot refund incident", "at": "2025-01-01T10:00:00Z"},
                    "fields": {"summary": {"text": "It happened.", "at": "2025-01-01T10:01:00Z"}},
                }
            }
        }
    )
    deleted = doc(
        {
            "drafts": {
                draft_id: {
                    "title": {"text": "Chatbot refund incident", "at": "2025-01-01T10:00:00Z"},
                    "deleted": {"value": True, "at": "2025-01-01T10:02:00Z"},
                }
            }
        }
    )
    merged = merge_progress(kept, deleted).lessons["one"].drafts[draft_id]
    assert merged.is_deleted
    assert merged.fields["summary"].text == "It happened."


def test_best_score_is_derived_from_the_attempts_by_ratio() -> None:
    entry = doc(
        {
            "attempts": [
                {
                    "id": "a",
                    "form": 10,
                    "score": 8,
                    "total": 10,
                    "finished_at": "2025-01-01T10:00:00Z",
                    "signature": "s",
                },
                {
                    "id": "b",
                    "form": 15,
                    "score": 11,
                    "total": 15,
                    "finished_at": "2025-01-02T10:00:00Z",
                    "signature": "s",
                },
            ]
        }
    ).lessons["one"]
    best = best_score(entry)
    assert (best.score, best.total) == (8, 10)
    assert "best" not in as_json(doc({}))["lessons"]["one"]
