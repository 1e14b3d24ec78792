"""The lessons beyond the postmortem one pass the same accessibility checks as it does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

LESSONS = {
    "/lessons/when-to-tell-a-grown-up-about-something-ai-did/": 10,
    "/lessons/writing-your-own-hs-ai-honor-code/": 6,
    "/lessons/checking-whether-a-viral-image-or-video-was-made-by-ai/": 10,
    "/lessons/keeping-personal-and-confidential-data-out-of-ai-prompts-at-work/": 10,
    "/lessons/asking-a-voice-assistant-good-questions/": 10,
    "/lessons/crediting-ai-help-in-your-creative-work/": 10,
    "/lessons/spotting-ai-written-phishing-and-scam-messages-at-work/": 10,
    "/lessons/why-ai-chatbots-make-things-up-and-how-to-check/": 10,
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_lessons_and_their_quizzes_have_no_axe_violations(
    page: Page, assert_accessible: Callable[[Page], None], scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    for path, form in LESSONS.items():
        page.goto(path)
        assert_accessible(page)
        page.locator("#quiz").get_by_role("link", name=f"Start the {form}-question quiz").click()
        expect(page.get_by_text(f"Question 1 of {form}")).to_be_visible()
        expect(page.locator("fieldset")).to_have_count(1)
        assert_accessible(page)
        page.get_by_role("link", name="Show all questions").click()
        expect(page.locator("fieldset")).to_have_count(form)
        assert_accessible(page)


def test_the_new_lessons_fit_a_phone_without_horizontal_scrolling(
    phone_page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    for path in LESSONS:
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, path
        assert_accessible(phone_page)


def test_a_reader_follows_a_keep_going_card_to_a_new_lesson(page: Page) -> None:
    page.goto("/lessons/writing-postmortems-for-ai-system-incidents/")
    page.locator("#related").get_by_role("link", name="Writing Your Own HS AI Honor Code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Writing Your Own HS AI Honor Code")
