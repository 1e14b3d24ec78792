"""Account and progress pages: usable by keyboard and screen reader, in light and dark."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE_VIEWPORTS

KEY = "tendril.progress.v1"
LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_PATH = f"/lessons/{LESSON_SLUG}/"
SYNC_ROUTE = "**/api/progress/sync"
SHARE = "Share one insight from this lesson with a colleague."
EMAIL = "ada@example.com"
PASSWORD = "a long enough passphrase"
ACCOUNT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
    "/progress/",
]
# The learner has not confirmed their address yet: the pages show what waits for it.
SIGNED_IN_PAGES = [
    "/progress/",
    "/progress/download",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/delete/",
    "/lessons/writing-postmortems-for-ai-system-incidents/",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def learner(transactional_db):
    return get_user_model().objects.create_user(email=EMAIL, password=PASSWORD)


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_account_pages(
    page: Page, assert_accessible: Callable[[Page], None], learner, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    for path in ACCOUNT_PAGES:
        page.goto(path)
        assert_accessible(page)
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("12345678")
    page.get_by_label("Password again").fill("12345678")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#id_password1-error")).to_be_visible()
    assert_accessible(page)  # with errors shown
    sign_in(page)
    for path in SIGNED_IN_PAGES:
        page.goto(path)
        assert_accessible(page)


def test_axe_finds_no_violations_on_the_account_pages_on_a_phone(
    page: Page, assert_accessible_light_and_dark: Callable[[Page], None], learner
) -> None:
    page.set_viewport_size(AXE_VIEWPORTS[375])
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        page.goto(path)
        assert_accessible_light_and_dark(page)
    sign_in(page)
    page.goto("/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    assert_accessible_light_and_dark(page)  # the sign-out confirmation


PROGRESS_MADE = {
    "version": 1,
    "lessons": {
        LESSON_SLUG: {
            "sections_read": dict.fromkeys(
                ["premise", "does-well", "cannot-do", "when-to-write"], "2026-03-01T12:00:00.000Z"
            ),
            "last_read_at": "2026-03-01T12:00:00.000Z",
            "checklist": {"share-one-insight": {"done": True, "at": "2026-03-01T12:00:00.000Z"}},
            "attempts": [
                {
                    "id": "00000000-0000-4000-8000-000000000001",
                    "form": 10,
                    "score": 8,
                    "total": 10,
                    "finished_at": "2026-03-01T12:30:00.000Z",
                    "signature": "",
                }
            ],
        }
    },
}


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violations_on_the_progress_page_with_progress(
    page: Page, assert_accessible_light_and_dark: Callable[[Page], None], width: int
) -> None:
    page.set_viewport_size(AXE_VIEWPORTS[width])
    page.goto("/")
    page.evaluate(f"doc => localStorage.setItem('{KEY}', JSON.stringify(doc))", PROGRESS_MADE)
    page.goto("/progress/")
    ring = page.locator(f'[data-progress-ring="{LESSON_SLUG}"]')
    expect(ring).to_be_visible()
    expect(ring).to_contain_text("% read")
    expect(page.get_by_text("Best: 8/10").first).to_be_visible()
    assert_accessible_light_and_dark(page)


def test_a_field_error_is_announced_with_its_field(page: Page, learner) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("someone.new@example.com")
    page.get_by_label("Password", exact=True).fill("12345678")
    page.get_by_label("Password again").fill("12345678")
    page.get_by_role("button", name="Create account").click()
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(r"This password is too common\."))


def test_the_account_pages_fit_a_375px_phone(phone_page: Page, learner) -> None:
    for path in ["/accounts/login/", "/accounts/signup/", "/progress/"]:
        phone_page.goto(path)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path


def stored(page: Page) -> dict | None:
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "null")


def test_a_wrong_password_on_delete_keeps_this_browsers_progress(page: Page, learner) -> None:
    sign_in(page)
    page.goto(LESSON_PATH)
    expect(page.locator("#sync-status")).to_have_text("Synced just now")
    # A change the account does not have yet: only this browser holds it.
    page.route(SYNC_ROUTE, lambda route: route.fulfill(status=503, body="{}"))
    page.get_by_label(SHARE).check()
    expect(page.locator("#sync-status")).to_have_text("Sync failed — retrying")

    page.goto("/accounts/delete/")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account and progress").click()
    expect(page.get_by_label("Your password")).to_have_accessible_description(
        re.compile("That is not your password")
    )
    assert stored(page)["lessons"][LESSON_SLUG]["checklist"]["share-one-insight"]["done"]

    page.unroute(SYNC_ROUTE)

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    assert stored(page) is None


def test_visiting_the_account_deleted_page_alone_clears_nothing(page: Page) -> None:
    page.goto(LESSON_PATH)
    page.get_by_label(SHARE).check()
    page.goto("/accounts/deleted/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    assert stored(page)["lessons"]
