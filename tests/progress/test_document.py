from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from progress.document import (
    MAX_ATTEMPTS_PER_LESSON,
    MAX_BODY_BYTES,
    MAX_LIVE_DRAFTS_PER_LESSON,
    InvalidDocument,
    document_to_json,
    parse_document,
    validate_document,
)

AT = "2025-02-01T09:30:00Z"


def attempt(n: int, **changes: object) -> dict:
    return {
        "id": f"attempt-{n}",
        "form": 10,
        "score": 7,
        "total": 10,
        "finished_at": AT,
        "signature": "signed",
        **changes,
    }


def problems(data: object) -> dict[str, str]:
    with pytest.raises(InvalidDocument) as caught:
        validate_document(data)
    return {p.field: p.message for p in caught.value.problems}


def test_a_full_document_round_trips_unchanged() -> None:
    data = {
        "version": 1,
        "lessons": {
            "writing-postmortems": {
                "sections_read": {"premise": "2025-02-01T09:30:00.000Z"},
                "last_read_at": "2025-02-01T09:30:00.000Z",
                "checklist": {"share-insight": {"done": True, "at": "2025-02-01T09:31:00.000Z"}},
                "reflection": {
                    "text": "Write the timeline first.",
                    "at": "2025-02-01T09:32:00.000Z",
                },
                "attempts": [attempt(1, finished_at="2025-02-01T09:33:00.000Z")],
                "drafts": {
                    "0b7c1e7a-5d6f-4a8b-9c0d-1e2f3a4b5c6d": {
                        "title": {"text": "Refund bot", "at": "2025-02-01T09:34:00.000Z"},
                        "deleted": {"value": False, "at": "2025-02-01T09:34:00.000Z"},
                        "fields": {"summary": {"text": "x", "at": "2025-02-01T09:35:00.000Z"}},
                    }
                },
            }
        },
    }
    assert document_to_json(validate_document(data)) == data


def test_unknown_keys_are_kept_at_every_level() -> None:
    data = {
        "version": 1,
        "device": "phone",
        "lessons": {"one": {"streak": 3, "attempts": [attempt(1, tag="x")]}},
    }
    kept = document_to_json(validate_document(data))
    assert kept["device"] == "phone"
    assert kept["lessons"]["one"]["streak"] == 3
    assert kept["lessons"]["one"]["attempts"][0]["tag"] == "x"


def test_times_are_normalised_to_utc_milliseconds() -> None:
    data = {
        "version": 1,
        "lessons": {"one": {"sections_read": {"premise": "2025-02-01T11:30:00.123456+02:00"}}},
    }
    kept = document_to_json(validate_document(data))
    assert kept["lessons"]["one"]["sections_read"]["premise"] == "2025-02-01T09:30:00.123Z"


def test_a_wrong_version_is_named() -> None:
    assert problems({"version": 2, "lessons": {}}) == {
        "version": "must be 1: this server understands version 1"
    }


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert problems([1, 2]) == {"(document)": "must be a JSON object"}


def test_each_bad_attempt_field_is_named_by_its_path() -> None:
    found = problems(
        {
            "version": 1,
            "lessons": {"one": {"attempts": [attempt(1), attempt(2, form=12, score="7")]}},
        }
    )
    assert found == {
        "lessons.one.attempts[1].form": "must be one of 6, 10 or 15",
        "lessons.one.attempts[1].score": "must be a whole number",
    }


def test_a_score_above_the_total_is_refused() -> None:
    found = problems({"version": 1, "lessons": {"one": {"attempts": [attempt(1, score=11)]}}})
    assert found == {"lessons.one.attempts[0]": "score must not exceed total"}


def test_too_many_attempts_are_refused() -> None:
    many = [attempt(n) for n in range(MAX_ATTEMPTS_PER_LESSON + 1)]
    found = problems({"version": 1, "lessons": {"one": {"attempts": many}}})
    assert found == {
        "lessons.one.attempts": f"has too many entries (at most {MAX_ATTEMPTS_PER_LESSON})"
    }


def test_a_time_in_the_future_is_valid_and_only_one_no_datetime_holds_is_refused() -> None:
    # Sync clamps future times to its receipt time; refusing them would lock out a device whose
    # clock runs fast for as long as it does.
    for ahead in (timedelta(minutes=5), timedelta(hours=25), timedelta(days=30)):
        later = (datetime.now(UTC) + ahead).isoformat()
        validate_document({"version": 1, "lessons": {"one": {"sections_read": {"premise": later}}}})
    last = "9999-12-31T23:00:00-05:00"
    found = problems({"version": 1, "lessons": {"one": {"sections_read": {"premise": last}}}})
    assert found == {"lessons.one.sections_read.premise": "is not a time that can be stored"}


def test_a_time_without_a_zone_or_not_a_time_is_refused() -> None:
    found = problems(
        {
            "version": 1,
            "lessons": {
                "one": {
                    "checklist": {
                        "a": {"done": True, "at": "2025-02-01T09:30:00"},
                        "b": {"done": True, "at": 1738402200},
                        "c": {"done": "yes", "at": AT},
                    }
                }
            },
        }
    )
    assert found == {
        "lessons.one.checklist.a.at": "must include a time zone, like Z",
        "lessons.one.checklist.b.at": "must be an ISO 8601 time text like 2025-01-31T12:00:00Z",
        "lessons.one.checklist.c.done": "must be true or false",
    }


def test_overlong_text_is_refused_with_its_cap() -> None:
    found = problems(
        {"version": 1, "lessons": {"one": {"reflection": {"text": "x" * 5001, "at": AT}}}}
    )
    assert found == {"lessons.one.reflection.text": "text is too long (at most 5000 characters)"}


def test_bad_ids_are_refused() -> None:
    found = problems(
        {
            "version": 1,
            "lessons": {
                "Not A Slug": {},
                "one": {"drafts": {"draft-1": {"title": {"text": "t", "at": AT}}}},
            },
        }
    )
    assert set(found) == {"lessons.Not A Slug.(key)", "lessons.one.drafts.draft-1.(key)"}


def draft(n: int, *, deleted: bool = False) -> tuple[str, dict]:
    body: dict = {"title": {"text": f"Draft {n}", "at": AT}, "fields": {}}
    if deleted:
        body["deleted"] = {"value": True, "at": AT}
    return f"00000000-0000-4000-8000-{n:012d}", body


def test_at_most_twenty_live_drafts_but_deleted_ones_do_not_count() -> None:
    live = dict(draft(n) for n in range(MAX_LIVE_DRAFTS_PER_LESSON))
    tombstones = dict(draft(100 + n, deleted=True) for n in range(30))
    validate_document({"version": 1, "lessons": {"one": {"drafts": {**live, **tombstones}}}})
    too_many = dict(draft(n) for n in range(MAX_LIVE_DRAFTS_PER_LESSON + 1))
    found = problems({"version": 1, "lessons": {"one": {"drafts": too_many}}})
    assert found.keys() == {"lessons.one.drafts"}
    assert found["lessons.one.drafts"].startswith("has too many drafts (at most 20 not deleted)")
    assert "delete the drafts you no longer need" in found["lessons.one.drafts"]


def test_draft_fields_have_a_key_pattern_and_a_length_cap() -> None:
    draft_id, body = draft(1)
    body["fields"] = {
        "Bad Key": {"text": "x", "at": AT},
        "summary": {"text": "x" * 10_001, "at": AT},
    }
    found = problems({"version": 1, "lessons": {"one": {"drafts": {draft_id: body}}}})
    assert found == {
        f"lessons.one.drafts.{draft_id}.fields.Bad Key.(key)": "is not a valid id",
        f"lessons.one.drafts.{draft_id}.fields.summary.text": "text is too long (at most 10000 characters)",
    }


def test_parsing_a_body_reports_malformed_json_oversize_and_unknown_lessons() -> None:
    with pytest.raises(InvalidDocument, match="not valid JSON"):
        parse_document(b"{nope")
    with pytest.raises(InvalidDocument, match="too large"):
        parse_document(b" " * (MAX_BODY_BYTES + 1))
    body = json.dumps({"version": 1, "lessons": {"known": {}, "ghost": {}}}).encode()
    with pytest.raises(InvalidDocument) as caught:
        parse_document(body, lesson_exists=lambda slug: slug == "known")
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("lessons.ghost", "no lesson with this slug")
    ]


def test_a_draft_may_hold_every_field_of_the_practice_form_but_no_more() -> None:
    from postmortems.template import ACTION_FIELDS, FIELDS, MAX_ACTION_ITEMS

    full = len(FIELDS) + MAX_ACTION_ITEMS * len(ACTION_FIELDS)
    draft_id, body = draft(1)
    body["fields"] = {f"field-{n}": {"text": "x", "at": AT} for n in range(full)}
    validate_document({"version": 1, "lessons": {"one": {"drafts": {draft_id: body}}}})
    body["fields"]["one-more"] = {"text": "x", "at": AT}
    found = problems({"version": 1, "lessons": {"one": {"drafts": {draft_id: body}}}})
    assert found == {
        f"lessons.one.drafts.{draft_id}.fields": f"has too many entries (at most {full})"
    }
