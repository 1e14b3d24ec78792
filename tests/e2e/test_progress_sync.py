"""Progress across devices: sign up keeps local progress; two browser contexts share it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import AXE_VIEWPORTS

LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_PATH = f"/lessons/{LESSON_SLUG}/"
SYNC_ROUTE = "**/api/progress/sync"
KEY = "tendril.progress.v1"
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
    page.goto(f"{LESSON_PATH}quiz/10/all/")
    page.get_by_role("button", name="See my score").click()
    page.get_by_role("button", name="Finish anyway").click()
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
    note = laptop.get_by_role("status").filter(has_text="You’re signed out.")
    expect(note).to_contain_text("this browser’s copy has been removed")
    laptop.reload()
    expect(note).to_have_count(0)  # said once
    laptop.goto(LESSON_PATH)
    expect(laptop.get_by_label(SHARE)).not_to_be_checked()
    sign_in(laptop)
    expect(laptop.get_by_label(SHARE)).to_be_checked()


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violations_on_the_home_page_with_the_signed_out_note(
    devices, assert_accessible_light_and_dark: Callable[[Page], None], width: int
) -> None:
    first, _ = devices
    laptop = first.new_page()
    laptop.set_viewport_size(AXE_VIEWPORTS[width])
    sign_up(laptop)
    laptop.get_by_label(SHARE).check()
    laptop.get_by_role("button", name="Sign out").click()
    expect(laptop).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(laptop.get_by_role("status").filter(has_text="You’re signed out.")).to_be_visible()
    assert_accessible_light_and_dark(laptop)


def stored(page: Page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "null")


def sync_requests(page: Page) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda request: seen.append(request.url) if "/api/progress/sync" in request.url else None,
    )
    return seen


def set_reflection(page: Page, text: str) -> None:
    page.evaluate(
        """([slug, text]) => TendrilProgress.update((doc) => {
            TendrilProgress.lessonEntry(doc, slug).reflection = {text, at: TendrilProgress.now()};
        })""",
        [LESSON_SLUG, text],
    )


def read_around_the_checklist(page: Page) -> None:
    """Bring the checklist on screen and stay until what is around it counts as read and has
    synced: the change the test makes next is then the only thing left to send."""
    page.get_by_label(SHARE).scroll_into_view_if_needed()
    page.wait_for_timeout(3500)  # sections on screen count as read after 3 s
    expect(page.locator("#sync-status")).to_have_text("Synced just now")
    page.wait_for_timeout(1200)  # past the sync delay: nothing else is waiting to be sent


def test_a_refused_sync_says_why_and_waits_for_the_next_change(devices) -> None:
    first, _ = devices
    laptop = first.new_page()
    sign_up(laptop)
    read_around_the_checklist(laptop)
    sent = sync_requests(laptop)

    set_reflection(laptop, "x" * 5001)  # over the server's cap: a 400 naming the field
    expect(laptop.locator("#sync-status")).to_have_text(
        f"Sync stopped — lessons.{LESSON_SLUG}.reflection.text: "
        "text is too long (at most 5000 characters)"
    )
    laptop.wait_for_timeout(3000)  # past the first retry delay of a temporary failure
    assert len(sent) == 1
    laptop.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    laptop.wait_for_timeout(500)
    assert len(sent) == 1  # the same refused document is not sent again

    set_reflection(laptop, "Shorter now.")  # the next local change syncs again
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")
    assert len(sent) == 2


def test_a_sync_refused_as_signed_out_links_to_sign_in_and_stops_retrying(devices) -> None:
    first, _ = devices
    laptop = first.new_page()
    sign_up(laptop)
    read_around_the_checklist(laptop)
    first.clear_cookies(name="sessionid")  # the session ended elsewhere
    sent = sync_requests(laptop)

    laptop.get_by_label(SHARE).check()
    status = laptop.locator("#sync-status")
    expect(status).to_have_text("Signed out — sign in again to sync")
    expect(status.get_by_role("link", name="sign in again")).to_have_attribute(
        "href", f"/accounts/login/?next={LESSON_PATH.replace('/', '%2F')}"
    )
    laptop.wait_for_timeout(3000)
    assert len(sent) == 1
    expect(status).to_have_text("Signed out — sign in again to sync")

    status.get_by_role("link", name="sign in again").click()
    laptop.get_by_label("Email").fill(EMAIL)
    laptop.get_by_label("Password").fill(PASSWORD)
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop).to_have_url(re.compile(re.escape(LESSON_PATH) + "$"))
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")
    expect(laptop.get_by_label(SHARE)).to_be_checked()


def test_synced_just_now_ages_into_minutes_ago(devices) -> None:
    first, _ = devices
    laptop = first.new_page()
    laptop.clock.install()
    sign_up(laptop)
    # A section on screen long enough counts as read, is saved and synced: wait for that.
    laptop.locator("#main section[id]").first.scroll_into_view_if_needed()
    laptop.mouse.wheel(0, 200)
    laptop.clock.run_for("00:05")
    laptop.wait_for_function(
        f"""() => {{
            const doc = JSON.parse(localStorage.getItem("{KEY}") || "{{}}");
            return doc.lessons && doc.lessons["{LESSON_SLUG}"]?.last_read_at
                && !localStorage.getItem("tendril.progress.unsynced");
        }}"""
    )
    status = laptop.locator("#sync-status")
    expect(status).to_have_text("Synced just now")
    laptop.clock.fast_forward("01:05")
    expect(status).to_have_text("Synced 1 minute ago")
    laptop.clock.fast_forward("04:00")
    expect(status).to_have_text("Synced 5 minutes ago")
    laptop.clock.fast_forward("01:00:00")
    expect(status).to_have_text("Synced 1 hour ago")
    laptop.get_by_label(SHARE).check()
    expect(status).to_have_text("Synced just now")


def test_unverified_quiz_results_removed_are_counted_in_words(devices) -> None:
    first, _ = devices
    laptop = first.new_page()
    sign_up(laptop)
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")
    laptop.evaluate(
        """(slug) => TendrilProgress.update((doc) => {
            const entry = TendrilProgress.lessonEntry(doc, slug);
            for (const n of [1, 2]) {
                entry.attempts.push({id: `forged-${n}`, form: 10, score: 10, total: 10,
                    finished_at: TendrilProgress.now(), signature: "not.signed"});
            }
        })""",
        LESSON_SLUG,
    )
    expect(laptop.locator("#sync-status")).to_have_text(
        "Synced just now (2 unverified quiz results removed)"
    )
    assert stored(laptop)["lessons"][LESSON_SLUG]["attempts"] == []


def test_signing_out_after_a_reload_keeps_changes_that_have_not_synced(
    devices, assert_accessible
) -> None:
    first, second = devices
    laptop = first.new_page()
    sign_up(laptop)
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")
    laptop.route(SYNC_ROUTE, lambda route: route.fulfill(status=503, body="{}"))
    laptop.get_by_label(SHARE).check()
    expect(laptop.locator("#sync-status")).to_have_text("Sync failed — retrying")
    laptop.reload()  # a fresh page knows nothing of the failed sync but what storage says
    expect(laptop.get_by_label(SHARE)).to_be_checked()

    laptop.get_by_role("button", name="Sign out").click()

    expect(laptop.get_by_role("button", name="Sign out")).to_have_count(0)
    assert stored(laptop)["lessons"][LESSON_SLUG]["checklist"]["share-one-insight"]["done"]
    expect(laptop).to_have_url(re.compile(r"/accounts/login/$"))
    expect(laptop.locator("[data-unsynced-note]")).to_contain_text(
        "they are kept in this browser and sync when you sign in again"
    )
    assert_accessible(laptop)
    laptop.unroute(SYNC_ROUTE)
    sign_in(laptop)
    expect(laptop.get_by_label(SHARE)).to_be_checked()
    expect(laptop.locator("#sync-status")).to_have_text("Synced just now")

    phone = second.new_page()
    sign_in(phone)
    expect(phone.get_by_label(SHARE)).to_be_checked()


def answer_all_questions(page: Page, *, right: int) -> None:
    """On the all-questions page: the first `right` answers right (read from the attempt), the
    rest wrong; then finish."""
    from quiz.bank import get_question_bank
    from quiz.models import Attempt

    attempt = Attempt.objects.get(
        id=page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt")
    )
    bank = get_question_bank(LESSON_SLUG)
    for index, (question_id, order) in enumerate(attempt.plan):
        question = bank.question(question_id)
        good = sorted(order.index(o) + 1 for o in question.correct_option_ids)
        bad = [next(order.index(o.id) + 1 for o in question.options if not o.correct)]
        for position in good if index < right else bad:
            page.locator(f"#question-{question_id} input[value='{position}']").check()
        page.locator(f"#question-{question_id}-action").click()
        expect(page.locator(f"#feedback-{question_id}")).not_to_be_empty()
    page.get_by_role("button", name="See my score").click()
    expect(page.locator("[data-quiz-result]")).to_be_visible()


def best_everywhere(page: Page) -> list[str]:
    """The best score as the lesson header, the quiz box, the catalogue card and /progress/ say it."""
    page.goto(LESSON_PATH)
    expect(page.locator("#sync-status")).to_have_text("Synced just now")
    header = page.locator("[data-status-best]").inner_text()
    quiz_box = page.locator("#quiz [data-best-score]").inner_text()
    page.goto("/")
    card = page.locator(f'[data-progress-ring="{LESSON_SLUG}"] [data-ring-text]').inner_text()
    page.goto("/progress/")
    mine = page.locator(".progress-lesson__scores dd").first.inner_text()
    return [header, quiz_box, card.split(" · ")[-1], f"Best: {mine}"]


def test_one_best_score_is_shown_everywhere_and_on_every_device(devices) -> None:
    first, second = devices
    laptop = first.new_page()
    sign_up(laptop)
    laptop.goto(f"{LESSON_PATH}quiz/10/all/")
    answer_all_questions(laptop, right=2)  # this browser's session remembers 2/10
    phone = second.new_page()
    sign_in(phone)
    phone.goto(f"{LESSON_PATH}quiz/15/all/")
    answer_all_questions(phone, right=9)  # 9/15 beats 2/10: the better share right
    phone.goto(LESSON_PATH)
    expect(phone.locator("#sync-status")).to_have_text("Synced just now")
    assert best_everywhere(phone) == ["Best: 9/15"] * 4
    assert best_everywhere(laptop) == ["Best: 9/15"] * 4
