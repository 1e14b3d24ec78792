"""Staff read learners' progress in the admin: signed in through the site, accessible, no CSP breakage."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import ConsoleMessage, Page, expect

from progress.models import ProgressRecord
from tests.conftest import LESSON_SLUG

STAFF_EMAIL = "staff@example.com"
PASSWORD = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def record(transactional_db) -> ProgressRecord:
    users = get_user_model().objects
    users.create_superuser(email=STAFF_EMAIL, password=PASSWORD)
    learner = users.create_user(email="ada@example.com")
    document = {
        "version": 1,
        "lessons": {LESSON_SLUG: {"sections_read": {"premise": "2025-03-01T12:00:00.000Z"}}},
    }
    return ProgressRecord.objects.create(user=learner, document=json.loads(json.dumps(document)))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_staff_read_a_learners_progress_in_an_accessible_admin(
    page: Page, assert_accessible: Callable[[Page], None], record: ProgressRecord, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    refused: list[str] = []

    def note_csp_refusal(message: ConsoleMessage) -> None:
        # A refused script would break the admin. (jQuery's feature tests also try an inline
        # style, which the policy refuses without consequence: that is not counted.)
        if "Content Security Policy" in message.text and "script" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", note_csp_refusal)
    page.goto("/admin/")
    expect(page).to_have_url("/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", name="Learners and their progress (read-only)")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Learners").first.click()
    expect(page.get_by_role("link", name="ada@example.com")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="ada@example.com").click()
    expect(
        page.get_by_text("1 section read, 0 checklist items done, 0 quiz attempts")
    ).to_be_visible()
    assert_accessible(page)

    page.goto(f"/admin/progress/progressrecord/{record.pk}/change/")
    expect(page.get_by_text("1 section read")).to_be_visible()
    assert_accessible(page)
    assert refused == []
