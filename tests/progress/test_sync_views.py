from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from progress.document import MAX_BODY_BYTES
from progress.models import ProgressRecord
from quiz.models import Attempt as QuizAttempt
from tests.conftest import LESSON_SLUG
from tests.progress.conftest import signed_attempt

SYNC_URL = "/api/progress/sync"
AT = "2025-03-01T12:00:00.000Z"

pytestmark = pytest.mark.django_db


def post(client: Client, body: object, **extra: object):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(SYNC_URL, data=data, content_type="application/json", **extra)


def document(**lesson: object) -> dict:
    return {"version": 1, "lessons": {LESSON_SLUG: lesson}}


@pytest.fixture
def signed_in(client: Client, learner) -> Client:
    client.force_login(learner)
    return client


def stored(learner) -> dict | None:
    record = ProgressRecord.objects.filter(user=learner).first()
    return None if record is None else record.document


def test_a_sync_stores_the_document_and_returns_the_merged_one(signed_in, learner) -> None:
    attempt = signed_attempt(user_id=learner.pk)
    body = document(
        checklist={"apply-postmortem": {"done": True, "at": AT}},
        attempts=[attempt],
        sections_read={"premise": AT},
    )
    response = post(signed_in, body)
    assert response.status_code == 200
    payload = response.json()
    entry = payload["document"]["lessons"][LESSON_SLUG]
    assert entry["checklist"]["apply-postmortem"] == {"done": True, "at": AT}
    assert [a["id"] for a in entry["attempts"]] == [attempt["id"]]
    assert payload["rejected_attempts"] == []
    assert stored(learner) == payload["document"]


def test_a_second_device_gets_what_the_first_one_synced(client, learner) -> None:
    phone, laptop = Client(), Client()
    phone.force_login(learner)
    laptop.force_login(learner)
    post(phone, document(checklist={"share-insight": {"done": True, "at": AT}}))
    merged = post(laptop, document(sections_read={"premise": AT})).json()["document"]
    entry = merged["lessons"][LESSON_SLUG]
    assert entry["checklist"]["share-insight"]["done"] is True
    assert entry["sections_read"] == {"premise": AT}


def test_an_attempt_made_before_signing_in_counts(signed_in, learner) -> None:
    attempt = signed_attempt(user_id=None, score=9)
    # The quiz app's record of it, which the first account to sync it claims.
    QuizAttempt.objects.create(
        id=attempt["id"],
        lesson_slug=LESSON_SLUG,
        form=10,
        plan=[[f"q{n}", ["a"]] for n in range(10)],
        score=9,
        finished_at=datetime.fromisoformat(attempt["finished_at"]),
    )
    entry = post(signed_in, document(attempts=[attempt])).json()["document"]["lessons"][LESSON_SLUG]
    assert [(a["id"], a["score"]) for a in entry["attempts"]] == [(attempt["id"], 9)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"signature": "forged.signature:value"}, "the signature does not verify"),
        ({"score": 10}, "the attempt was changed after it was signed"),
        (
            {"finished_at": "2025-03-02T12:00:00.000Z"},
            "the attempt was changed after it was signed",
        ),
    ],
)
def test_forged_or_altered_attempts_are_dropped_and_reported(
    signed_in, learner, change, reason
) -> None:
    honest = signed_attempt(user_id=learner.pk, score=6)
    bad = {**signed_attempt(user_id=learner.pk, score=7), **change}
    payload = post(signed_in, document(attempts=[honest, bad])).json()
    kept = payload["document"]["lessons"][LESSON_SLUG]["attempts"]
    assert [a["id"] for a in kept] == [honest["id"]]
    assert payload["rejected_attempts"] == [
        {
            "field": f"lessons.{LESSON_SLUG}.attempts",
            "lesson": LESSON_SLUG,
            "id": bad["id"],
            "reason": reason,
        }
    ]


def test_another_learners_attempt_is_dropped(signed_in, learner, other_learner) -> None:
    theirs = signed_attempt(user_id=other_learner.pk, score=10)
    payload = post(signed_in, document(attempts=[theirs])).json()
    assert payload["document"]["lessons"][LESSON_SLUG]["attempts"] == []
    assert payload["rejected_attempts"][0]["reason"] == "this attempt belongs to another learner"


def test_an_attempt_filed_under_another_lesson_is_dropped(signed_in, learner, content_copy) -> None:
    attempt = signed_attempt(user_id=learner.pk, lesson="some-other-lesson")
    payload = post(signed_in, document(attempts=[attempt])).json()
    assert (
        payload["rejected_attempts"][0]["reason"] == "the attempt was changed after it was signed"
    )


def test_the_quiz_apps_own_record_of_finished_attempts_is_folded_in(signed_in, learner) -> None:
    from quiz.models import Attempt

    finished = Attempt.objects.create(
        lesson_slug=LESSON_SLUG,
        form=10,
        user=learner,
        plan=[["q", ["a"]]] * 10,
        finished_at=datetime(2025, 3, 2, 9, 0, tzinfo=UTC),
        score=7,
    )
    entry = post(signed_in, document()).json()["document"]["lessons"][LESSON_SLUG]
    assert [(a["id"], a["score"], a["total"]) for a in entry["attempts"]] == [
        (str(finished.id), 7, 10)
    ]


def test_a_second_identical_sync_writes_nothing(signed_in, learner) -> None:
    body = document(sections_read={"premise": AT})
    first = post(signed_in, body).json()["version"]
    second = post(signed_in, body).json()["version"]
    assert first == second == 1


def problems_of(response) -> dict[str, str]:
    return {p["field"]: p["message"] for p in response.json()["problems"]}


PAST_THE_LAST_TIME = "9999-12-31T23:00:00-05:00"  # 10000-01-01 in UTC: no datetime holds it


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b"{not json", "(document)", "is not valid JSON"),
        ({"version": 2, "lessons": {}}, "version", "must be 1"),
        (
            {"version": 1, "lessons": {"no-such-lesson": {}}},
            "lessons.no-such-lesson",
            "no lesson with this slug",
        ),
        (
            document(
                attempts=[
                    {
                        "id": f"a{n}",
                        "form": 10,
                        "score": 1,
                        "total": 10,
                        "finished_at": AT,
                        "signature": "s",
                    }
                    for n in range(1001)
                ]
            ),
            f"lessons.{LESSON_SLUG}.attempts",
            "has too many entries (at most 1000)",
        ),
        (
            document(sections_read={"premise": PAST_THE_LAST_TIME}),
            f"lessons.{LESSON_SLUG}.sections_read.premise",
            "is not a time that can be stored",
        ),
        (
            document(reflection={"text": "x" * 5001, "at": AT}),
            f"lessons.{LESSON_SLUG}.reflection.text",
            "text is too long",
        ),
    ],
    ids=[
        "malformed-json",
        "wrong-version",
        "unknown-lesson",
        "too-many-attempts",
        "time-past-the-last-one",
        "text-too-long",
    ],
)
def test_bad_input_is_refused_with_its_field_path_and_nothing_changes(
    signed_in, learner, body, field, message
) -> None:
    post(signed_in, document(checklist={"share-insight": {"done": True, "at": AT}}))
    before = stored(learner)
    response = post(signed_in, body)
    assert response.status_code == 400
    assert response.json()["error"] == "The progress document was not accepted; nothing was stored."
    assert message in problems_of(response)[field]
    assert stored(learner) == before


def test_an_oversized_body_is_refused_before_parsing(signed_in, learner) -> None:
    response = post(signed_in, b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert problems_of(response) == {
        "(document)": f"is too large (at most {MAX_BODY_BYTES // 1024} KB)"
    }
    assert stored(learner) is None


def test_a_first_sync_that_is_refused_creates_no_record(signed_in, learner) -> None:
    assert post(signed_in, {"version": 3}).status_code == 400
    assert not ProgressRecord.objects.exists()


def test_anonymous_sync_is_refused_in_json(client) -> None:
    response = post(client, document())
    assert response.status_code == 401
    assert response.json() == {"error": "Sign in to sync your progress across devices."}
    assert not ProgressRecord.objects.exists()


def test_sync_without_the_csrf_token_is_refused_in_json(learner) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = post(client, document(sections_read={"premise": AT}))
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert not ProgressRecord.objects.exists()


def test_sync_with_the_csrf_token_from_the_page_works(learner) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get("/progress/")
    token = client.cookies["csrftoken"].value
    response = post(client, document(sections_read={"premise": AT}), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_sync_only_accepts_post(signed_in) -> None:
    assert signed_in.get(SYNC_URL).status_code == 405


def resync(client: Client, attempt: dict):
    return post(client, document(attempts=[attempt])).json()


@pytest.mark.parametrize(
    "change",
    [
        {"score": 9},
        {"finished_at": "2025-03-02T12:00:00.000Z"},
        {"form": 15, "total": 15},
    ],
    ids=["score", "finished-at", "form"],
)
def test_a_stored_attempt_resent_with_changed_fields_is_rejected_and_stays_as_signed(
    signed_in, learner, change
) -> None:
    attempt = signed_attempt(user_id=learner.pk, score=3)
    first = resync(signed_in, attempt)
    assert first["rejected_attempts"] == []

    payload = resync(signed_in, {**attempt, **change})

    assert payload["rejected_attempts"] == [
        {
            "field": f"lessons.{LESSON_SLUG}.attempts",
            "lesson": LESSON_SLUG,
            "id": attempt["id"],
            "reason": "the attempt was changed after it was signed",
        }
    ]
    kept = payload["document"]["lessons"][LESSON_SLUG]["attempts"]
    assert kept == first["document"]["lessons"][LESSON_SLUG]["attempts"]
    assert (kept[0]["score"], kept[0]["total"]) == (3, 10)
    assert stored(learner) == first["document"]


def test_an_attempt_keeps_only_what_its_signature_vouches_for(signed_in, learner) -> None:
    attempt = signed_attempt(user_id=learner.pk, score=3)
    payload = resync(signed_in, {**attempt, "best": True})
    assert payload["rejected_attempts"] == []
    [kept] = payload["document"]["lessons"][LESSON_SLUG]["attempts"]
    assert set(kept) == {"id", "form", "score", "total", "finished_at", "signature"}


def test_an_attempt_stored_with_changed_fields_is_put_back_as_signed(signed_in, learner) -> None:
    attempt = signed_attempt(user_id=learner.pk, score=3)
    resync(signed_in, attempt)
    record = ProgressRecord.objects.get(user=learner)
    # As the old check let it in: the stored id and signature, with a better score.
    record.document["lessons"][LESSON_SLUG]["attempts"][0]["score"] = 9
    record.version += 1
    record.save()

    payload = resync(signed_in, attempt)

    [kept] = payload["document"]["lessons"][LESSON_SLUG]["attempts"]
    assert kept["score"] == 3
    assert stored(learner)["lessons"][LESSON_SLUG]["attempts"][0]["score"] == 3


def test_a_full_practice_draft_syncs(signed_in, learner) -> None:
    from postmortems.template import ACTION_FIELD_NAMES, FIELDS, MAX_ACTION_ITEMS

    keys = list(FIELDS) + [
        f"action_items.{row}.{name}"
        for row in range(MAX_ACTION_ITEMS)
        for name in ACTION_FIELD_NAMES
    ]
    draft_id = "3f1c2d4e-0000-4000-8000-000000000001"
    draft = {
        "title": {"text": "Refund bot", "at": AT},
        "fields": {key: {"text": f"text of {key}", "at": AT} for key in keys},
    }
    response = post(signed_in, document(drafts={draft_id: draft}))
    assert response.status_code == 200, response.json()
    saved = stored(learner)["lessons"][LESSON_SLUG]["drafts"][draft_id]["fields"]
    assert len(saved) == len(keys) == 28 + 20 * 7
