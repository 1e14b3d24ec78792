"""Sync can never be refused forever: whatever devices send, what the server hands back is
accepted when sent again, and compaction never loses an edit, a live draft or a best score."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from progress.compaction import KEEP_RECENT_ATTEMPTS, MAX_UNKNOWN_BYTES, json_size
from progress.document import MAX_DOCUMENT_BYTES, MAX_LIVE_DRAFTS_PER_LESSON, format_timestamp
from progress.models import ProgressRecord
from quiz.models import Attempt
from tests.conftest import LESSON_SLUG

SYNC_URL = "/api/progress/sync"

pytestmark = pytest.mark.django_db


def at(minutes_ago: float) -> str:
    return format_timestamp(datetime.now(UTC) - timedelta(minutes=minutes_ago))


def device(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


def sync(client: Client, document: dict) -> dict:
    response = client.post(SYNC_URL, json.dumps(document), content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    return response.json()


def draft(title: str, *, fields: int, chars: int, minutes_ago: float) -> dict:
    return {
        "title": {"text": title, "at": at(minutes_ago)},
        "fields": {
            f"field{n}": {"text": f"{title} {n} " + "x" * chars, "at": at(minutes_ago)}
            for n in range(fields)
        },
    }


def lesson_doc(**entry: object) -> dict:
    return {"version": 1, "lessons": {LESSON_SLUG: entry}}


def finished_attempts(learner, count: int) -> dict[int, int]:
    """`count` finished attempts in the quiz app, oldest first; returns the best score per form."""
    start = datetime.now(UTC) - timedelta(days=count)
    best: dict[int, int] = {}
    for n in range(count):
        form = 15 if n % 5 == 0 else 10
        # The best results come early, so keeping only the latest attempts would lose them.
        score = form if n in (7, 10) else (n * 7) % (form - 2)
        Attempt.objects.create(
            lesson_slug=LESSON_SLUG,
            form=form,
            user=learner,
            plan=[[f"q{i}", ["a", "b"]] for i in range(form)],
            score=score,
            started_at=start + timedelta(days=n),
            finished_at=start + timedelta(days=n, minutes=5),
        )
        best[form] = max(best.get(form, 0), score)
    return best


def best_per_form(entry: dict) -> dict[int, int]:
    best: dict[int, int] = {}
    for attempt in entry["attempts"]:
        best[attempt["form"]] = max(best.get(attempt["form"], 0), attempt["score"])
    return best


def test_250_attempts_and_two_devices_large_drafts_keep_syncing_and_lose_nothing(learner) -> None:
    best = finished_attempts(learner, 250)
    phone, laptop = device(learner), device(learner)
    phone_drafts = {
        str(uuid.uuid4()): draft(f"phone {n}", fields=10, chars=5_000, minutes_ago=60)
        for n in range(4)
    }
    laptop_drafts = {
        str(uuid.uuid4()): draft(f"laptop {n}", fields=10, chars=5_000, minutes_ago=50)
        for n in range(4)
    }
    assert json_size(lesson_doc(drafts=phone_drafts)) > 190_000  # each device: ~200 KB

    on_phone = sync(phone, lesson_doc(drafts=phone_drafts))["document"]
    on_laptop = sync(laptop, lesson_doc(drafts=laptop_drafts))["document"]
    entry = on_laptop["lessons"][LESSON_SLUG]
    assert set(entry["drafts"]) == set(phone_drafts) | set(laptop_drafts)
    assert len(entry["attempts"]) <= KEEP_RECENT_ATTEMPTS + 2
    assert len(entry["attempts"]) + sum(entry["earlier_attempts"].values()) == 250
    assert best_per_form(entry) == best

    # Each device adopts what it got back, edits it, and syncs again, many times over.
    edits: dict[tuple[str, str], str] = {}
    for round_ in range(6):
        for name, client in (("phone", phone), ("laptop", laptop)):
            local = on_phone if name == "phone" else on_laptop
            drafts = local["lessons"][LESSON_SLUG]["drafts"]
            draft_id = sorted(drafts)[round_ % len(drafts)]
            text = f"{name} edit {round_}"
            drafts[draft_id]["fields"]["field0"] = {"text": text, "at": at(10 - round_)}
            edits[(draft_id, "field0")] = text
            answer = sync(client, local)
            assert answer["notices"] == []
            if name == "phone":
                on_phone = answer["document"]
            else:
                on_laptop = answer["document"]

    final = sync(phone, on_phone)["document"]["lessons"][LESSON_SLUG]
    assert set(final["drafts"]) == set(phone_drafts) | set(laptop_drafts)
    # Every edit is there; where both devices edited one field, the later edit won.
    for (draft_id, field), text in edits.items():
        assert final["drafts"][draft_id]["fields"][field]["text"] == text
    for draft_id, original in {**phone_drafts, **laptop_drafts}.items():
        for field in ("field1", "field9"):
            assert final["drafts"][draft_id]["fields"][field] == original["fields"][field]
    assert best_per_form(final) == best

    # The 251st attempt and more: still accepted, still compact, best scores still there.
    finished_attempts(learner, 3)
    again = sync(laptop, on_laptop)["document"]["lessons"][LESSON_SLUG]
    assert len(again["attempts"]) <= KEEP_RECENT_ATTEMPTS + 2
    assert best_per_form(again) == best


def test_more_live_drafts_than_allowed_after_a_merge_is_refused_with_a_way_out(learner) -> None:
    phone, laptop = device(learner), device(learner)
    half = MAX_LIVE_DRAFTS_PER_LESSON // 2 + 2

    def some(prefix: str) -> dict:
        return {
            str(uuid.uuid4()): draft(f"{prefix} {n}", fields=1, chars=10, minutes_ago=30)
            for n in range(half)
        }

    sync(phone, lesson_doc(drafts=some("phone")))
    laptop_drafts = some("laptop")
    response = laptop.post(
        SYNC_URL, json.dumps(lesson_doc(drafts=laptop_drafts)), content_type="application/json"
    )
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert "delete the drafts you no longer need" in problem["message"]
    # The way out: delete a few on this device; then it syncs.
    for draft_id in sorted(laptop_drafts)[:4]:
        laptop_drafts[draft_id]["deleted"] = {"value": True, "at": at(1)}
    merged = sync(laptop, lesson_doc(drafts=laptop_drafts))
    assert merged["notices"]  # 20 of 20 live drafts: near the limit, and told so
    sync(laptop, merged["document"])


def test_deleted_drafts_shrink_to_tombstones_so_deleting_makes_room(learner) -> None:
    phone = device(learner)
    drafts = {
        str(uuid.uuid4()): draft(f"big {n}", fields=10, chars=9_000, minutes_ago=30)
        for n in range(9)
    }
    answer = sync(phone, lesson_doc(drafts=drafts))
    assert answer["notices"] and "KB" in answer["notices"][0]  # ~800 KB of 1,024 KB
    for draft_id in sorted(drafts)[:8]:
        drafts[draft_id]["deleted"] = {"value": True, "at": at(1)}
    answer = sync(phone, lesson_doc(drafts=drafts))
    assert answer["notices"] == []
    stored = answer["document"]["lessons"][LESSON_SLUG]["drafts"]
    assert all(stored[d].get("fields", {}) == {} for d in sorted(drafts)[:8])
    assert stored[sorted(drafts)[8]] == drafts[sorted(drafts)[8]]
    assert json_size(answer["document"]) < 120_000


def test_a_merge_past_the_size_limit_is_refused_and_what_is_stored_still_syncs(learner) -> None:
    phone, laptop = device(learner), device(learner)

    def big(prefix: str) -> dict:
        return {
            str(uuid.uuid4()): draft(f"{prefix} {n}", fields=10, chars=9_000, minutes_ago=30)
            for n in range(6)
        }

    stored = sync(phone, lesson_doc(drafts=big("phone")))["document"]
    response = laptop.post(
        SYNC_URL, json.dumps(lesson_doc(drafts=big("laptop"))), content_type="application/json"
    )
    assert response.status_code == 413
    message = response.json()["problems"][0]["message"]
    assert f"at most {MAX_DOCUMENT_BYTES // 1024} KB" in message
    assert "delete the drafts you no longer need" in message
    assert ProgressRecord.objects.get(user=learner).document == stored
    assert sync(phone, stored)["document"] == stored


def test_unknown_keys_from_two_devices_are_capped_and_the_merge_is_accepted_again(
    learner,
) -> None:
    phone, laptop = device(learner), device(learner)
    chunk = "u" * (MAX_UNKNOWN_BYTES // 8)
    phone_doc = {"version": 1, **{f"phone_part_{n}": chunk for n in range(6)}}
    laptop_doc = {"version": 1, **{f"laptop_part_{n}": chunk for n in range(6)}}
    sync(phone, phone_doc)
    merged = sync(laptop, laptop_doc)["document"]
    unknown = {key: value for key, value in merged.items() if key not in ("version", "lessons")}
    assert json_size(unknown) <= MAX_UNKNOWN_BYTES
    assert len(unknown) >= 6  # as much as fits is kept
    for _ in range(5):  # it does not grow, and is accepted whenever it is sent back
        assert sync(phone, merged)["document"] == merged

    too_much = {"version": 1, **{f"part_{n}": chunk for n in range(9)}}
    response = phone.post(SYNC_URL, json.dumps(too_much), content_type="application/json")
    assert response.status_code == 400
    assert "does not know" in response.json()["problems"][0]["message"]


def test_tombstones_from_two_devices_are_capped_and_accepted_again(learner) -> None:
    phone, laptop = device(learner), device(learner)

    def tombstones(count: int, minutes_ago: float) -> dict:
        return {
            str(uuid.uuid4()): {
                "title": {"text": "gone", "at": at(minutes_ago + 1)},
                "deleted": {"value": True, "at": at(minutes_ago)},
            }
            for _ in range(count)
        }

    sync(phone, lesson_doc(drafts=tombstones(300, 20)))
    merged = sync(laptop, lesson_doc(drafts=tombstones(300, 10)))["document"]
    assert len(merged["lessons"][LESSON_SLUG]["drafts"]) == 500
    assert sync(phone, merged)["document"] == merged


@pytest.mark.parametrize(
    "hours_fast", [6, 25, 30 * 24], ids=["six-hours", "a-day-and-an-hour", "thirty-days"]
)
def test_a_device_whose_clock_runs_fast_is_accepted_and_cannot_win_later_conflicts(
    learner, hours_fast: int
) -> None:
    # However fast its clock, the device's edits are kept (never refused), at the receipt time.
    fast_phone, laptop = device(learner), device(learner)
    ahead = at(-hours_fast * 60)
    draft_id = str(uuid.uuid4())
    sync(
        fast_phone,
        lesson_doc(
            checklist={"apply-postmortem": {"done": True, "at": ahead}},
            reflection={"text": "from the fast phone", "at": ahead},
            sections_read={"premise": ahead},
            drafts={
                draft_id: {
                    "title": {"text": "fast title", "at": ahead},
                    "fields": {"summary": {"text": "fast", "at": ahead}},
                }
            },
        ),
    )
    stored = ProgressRecord.objects.get(user=learner).document["lessons"][LESSON_SLUG]
    assert stored["reflection"]["text"] == "from the fast phone"
    assert stored["checklist"]["apply-postmortem"]["at"] <= at(0)
    assert stored["sections_read"]["premise"] <= at(0)

    # A minute later (by the right clock), the laptop changes all of it: the laptop wins.
    later = at(-1)
    merged = sync(
        laptop,
        lesson_doc(
            checklist={"apply-postmortem": {"done": False, "at": later}},
            reflection={"text": "from the laptop", "at": later},
            drafts={
                draft_id: {
                    "title": {"text": "laptop title", "at": later},
                    "fields": {"summary": {"text": "laptop", "at": later}},
                }
            },
        ),
    )["document"]["lessons"][LESSON_SLUG]
    assert merged["checklist"]["apply-postmortem"]["done"] is False
    assert merged["reflection"]["text"] == "from the laptop"
    assert merged["drafts"][draft_id]["title"]["text"] == "laptop title"
    assert merged["drafts"][draft_id]["fields"]["summary"]["text"] == "laptop"
