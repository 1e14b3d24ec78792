"""Progress across devices: sign up keeps local progress; two browser contexts share it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, expect

LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_PATH = f"/lessons/{LESSON_SLUG}/"
SHARE = "Share one insight from this lesson with a colleague."
WRITE = "Write a short summary of what you'd do differently after learning this."
EMAIL = "ada@example.com"
PASSWORD = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def devices(browser: Browser, live_server) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    first = browser.new_context(base_url=live_server.url)
    second = browser.new_context(base_url=live_server.url)
    yield first, second
    first.close()
    second.close()


def sign_up(page: Page) -> None:
    page.goto(f"/accounts/signup/?next={LESSON_PATH}")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{page.url.split('/lessons/')[0]}{LESSON_PATH}")


def sign_in(page: Page) -> None:
    page.goto(f"/accounts/login/?next={LESSON_PATH}")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Writing Postmortems for AI System Incidents"
    )


def finish_a_quiz(page: Page) -> None:
    page.goto(f"{LESSON_PATH}quiz/10/")
    page.get_by_role("button", name="See my score").click()
    expect(page.locator("[data-quiz-result]")).to_be_visible()


def test_a_quiz_done_before_signing_up_is_kept_and_reaches_a_second_device(devices) -> None:
    first, second = devices
    laptop = first.new_page()
    finish_a_quiz(laptop)
    laptop.goto(LESSON_PATH)
    laptop.get_by_label(SHARE).check()
    expect(laptop.locator("#sync-status")).to_have_text(
        "Progress saved locally in this browser. Sign in to sync across devices."
    )

    sign_up(laptop)
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")
    expect(laptop.locator("[data-status-best]")).to_have_text("Best: 0/10")

    laptop.goto("/progress/")
    expect(laptop.locator(".progress-lesson__scores dd").first).to_have_text("0/10")
    expect(laptop.get_by_role("table", name="Quiz attempts, newest first")).to_be_visible()

    phone = second.new_page()
    sign_in(phone)
    expect(phone.locator("#sync-status")).to_have_text("Synced just now")
    expect(phone.get_by_label(SHARE)).to_be_checked()
    expect(phone.locator("[data-status-best]")).to_have_text("Best: 0/10")


def test_a_change_made_offline_syncs_when_the_device_is_back_online(devices) -> None:
    first, second = devices
    laptop = first.new_page()
    sign_up(laptop)
    laptop.get_by_label(SHARE).check()
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")

    phone = second.new_page()
    sign_in(phone)
    expect(phone.get_by_label(SHARE)).to_be_checked()

    second.set_offline(True)
    expect(phone.locator("#sync-status")).to_have_text("Offline — saved on this device")
    phone.get_by_label(WRITE).check()
    phone.wait_for_timeout(1200)  # past the sync delay: still offline, nothing sent
    expect(phone.locator("#sync-status")).to_have_text("Offline — saved on this device")
    second.set_offline(False)
    expect(phone.locator("#sync-status")).to_have_text("Synced just now")

    laptop.reload()
    expect(laptop.get_by_label(WRITE)).to_be_checked()
    expect(laptop.get_by_label(SHARE)).to_be_checked()


def test_a_failing_sync_says_it_is_retrying(devices) -> None:
    first, _ = devices
    laptop = first.new_page()
    sign_up(laptop)
    laptop.route("**/api/progress/sync", lambda route: route.fulfill(status=500, body="{}"))
    laptop.get_by_label(SHARE).check()
    expect(laptop.locator("#sync-status")).to_have_text("Sync failed — retrying")
    laptop.unroute("**/api/progress/sync")
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now", timeout=15_000)


def test_signing_out_clears_this_browsers_copy_once_synced(devices) -> None:
    first, _ = devices
    laptop = first.new_page()
    sign_up(laptop)
    laptop.get_by_label(SHARE).check()
    laptop.get_by_role("button", name="Sign out").click()  # before the delayed sync: sent now
    expect(laptop).to_have_url(re.compile(r"^http://[^/]+/$"))
    laptop.goto(LESSON_PATH)
    expect(laptop.get_by_label(SHARE)).not_to_be_checked()
    sign_in(laptop)
    expect(laptop.get_by_label(SHARE)).to_be_checked()
