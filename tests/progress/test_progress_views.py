from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from progress.document import validate_document
from progress.sync import merge_into_record, stored_progress
from tests.conftest import LESSON_SLUG
from tests.progress.conftest import signed_attempt

pytestmark = pytest.mark.django_db
AT = "2025-03-01T12:00:00.000Z"
LESSON_URL = f"/lessons/{LESSON_SLUG}/"


def store(learner, **lesson) -> None:
    document = validate_document({"version": 1, "lessons": {LESSON_SLUG: lesson}})
    merge_into_record(user_id=learner.pk, documents=[document])


def test_the_progress_page_shows_scores_history_checklist_and_note(client: Client, learner) -> None:
    store(
        learner,
        sections_read={"premise": AT, "apply": AT},
        checklist={"share-one-insight": {"done": True, "at": AT}},
        reflection={"text": "Keep the timeline apart.", "at": AT},
        attempts=[
            signed_attempt(user_id=learner.pk, score=8),
            signed_attempt(user_id=learner.pk, score=6, finished_at=None)
            | {"finished_at": "2025-03-05T08:00:00Z"},
        ],
    )
    client.force_login(learner)
    html = client.get("/progress/").content.decode()
    assert html.count("<h1") == 1
    assert "Writing Postmortems for AI System Incidents" in html
    assert "<dt>Best</dt><dd>8/10</dd>" in html
    assert "<dt>Last</dt><dd>6/10</dd>" in html
    assert "Quiz attempts, newest first" in html
    assert "Keep the timeline apart." in html
    assert "(done)" in html and "(not done yet)" in html
    assert "Download my progress" in html and "Delete my account and progress" in html


def test_a_new_learner_sees_an_empty_state(client: Client, learner) -> None:
    client.force_login(learner)
    assert "Nothing yet" in client.get("/progress/").content.decode()


def test_an_anonymous_visitor_is_told_progress_lives_in_this_browser(client: Client) -> None:
    html = client.get("/progress/").content.decode()
    assert "saved in this browser only" in html
    assert f'data-progress-ring="{LESSON_SLUG}"' in html


def test_downloading_my_progress_gives_the_stored_document(client: Client, learner) -> None:
    store(learner, sections_read={"premise": AT})
    client.force_login(learner)
    response = client.get("/progress/download")
    assert response["Content-Disposition"] == 'attachment; filename="tendril-progress.json"'
    assert json.loads(response.content)["lessons"][LESSON_SLUG]["sections_read"] == {"premise": AT}


def test_downloading_needs_an_account(client: Client) -> None:
    assert client.get("/progress/download")["Location"].startswith("/accounts/login/")


def test_a_note_posted_without_javascript_is_saved_and_shown_again(client: Client, learner) -> None:
    client.force_login(learner)
    response = client.post(f"/progress/{LESSON_SLUG}/reflection", {"reflection": "Name no one."})
    assert response["Location"] == f"{LESSON_URL}#reflection-note"
    assert (
        stored_progress(user_id=learner.pk).lessons[LESSON_SLUG].reflection.text == "Name no one."
    )
    html = client.get(LESSON_URL).content.decode()
    assert ">Name no one.</textarea>" in html
    assert "Your note is saved." in html


def test_an_overlong_note_is_refused_with_a_message(client: Client, learner) -> None:
    client.force_login(learner)
    client.post(f"/progress/{LESSON_SLUG}/reflection", {"reflection": "x" * 5001})
    assert "Your note is too long" in client.get(LESSON_URL).content.decode()
    assert LESSON_SLUG not in stored_progress(user_id=learner.pk).lessons


def test_a_note_posted_anonymously_asks_to_sign_in(client: Client) -> None:
    response = client.post(f"/progress/{LESSON_SLUG}/reflection", {"reflection": "x"})
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_lesson_page_carries_the_progress_hooks_for_the_script(client: Client) -> None:
    html = client.get(LESSON_URL).content.decode()
    assert 'data-lesson-status="writing-postmortems-for-ai-system-incidents"' in html
    assert 'data-sections="premise does-well cannot-do' in html
    assert 'id="sync-status"' in html and 'aria-live="polite"' in html
    assert "Progress saved locally in this browser. <a" in html
    assert 'name="reflection"' in html


def test_the_catalogue_card_has_a_progress_ring_hook(client: Client) -> None:
    html = client.get("/").content.decode()
    assert f'data-progress-ring="{LESSON_SLUG}"' in html


def test_without_javascript_a_signed_out_note_from_the_shared_page_leads_to_sign_in() -> None:
    # The shared lesson page carries no CSRF token; the post changes nothing, so none is needed.
    browser = Client(enforce_csrf_checks=True)
    assert b"csrfmiddlewaretoken" not in browser.get(LESSON_URL).content
    response = browser.post(f"/progress/{LESSON_SLUG}/reflection", {"reflection": "x"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LESSON_URL}#reflection-note"


def test_a_signed_in_note_still_needs_the_token_its_page_carries(learner) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    url = f"/progress/{LESSON_SLUG}/reflection"
    assert browser.post(url, {"reflection": "Name no one."}).status_code == 403
    html = browser.get(LESSON_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    saved = browser.post(url, {"reflection": "Name no one.", "csrfmiddlewaretoken": token})
    assert saved["Location"] == f"{LESSON_URL}#reflection-note"
    assert (
        stored_progress(user_id=learner.pk).lessons[LESSON_SLUG].reflection.text == "Name no one."
    )
