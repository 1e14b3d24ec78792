"""The quiz one question per screen, in a browser: keyboard and screen reader first, feedback on
screen at 1280×900 and 375×812, finishing early, the result, practising the misses."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE_VIEWPORTS

LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_PATH = f"/lessons/{LESSON_SLUG}/"
QUIZ_10 = f"{LESSON_PATH}quiz/10/"
STEP = re.compile(rf"{LESSON_PATH}quiz/attempts/[0-9a-f-]+/questions/(\d+)/#question$")


def right_and_wrong(page: Page) -> tuple[list[str], str]:
    """The right option values of the question on screen, and one wrong one (from the attempt)."""
    import uuid

    from quiz.attempts import shown_planned_attempt
    from quiz.bank import get_question_bank
    from quiz.models import Attempt

    bank = get_question_bank(LESSON_SLUG)
    attempt_id = uuid.UUID(page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt"))
    # Before its first answer a stranger's attempt is only shown, not stored: rebuilt from its id.
    attempt = Attempt.objects.filter(id=attempt_id).first() or shown_planned_attempt(
        attempt_id=attempt_id, bank=bank
    )
    question_id = page.locator("input[name=question]").get_attribute("value")
    order = dict(attempt.plan)[question_id]
    question = bank.question(question_id)
    right = [str(order.index(o) + 1) for o in sorted(question.correct_option_ids)]
    wrong = next(str(order.index(o.id) + 1) for o in question.options if not o.correct)
    return right, wrong


def answer(page: Page, *, right: bool, tap: bool = False) -> None:
    good, bad = right_and_wrong(page)
    for value in good if right else [bad]:
        option = page.locator(f"input[name=option][value='{value}']")
        option.tap() if tap else option.check()
    check = page.get_by_role("button", name="Check")
    check.tap() if tap else check.click()
    expect(page.locator("#quiz-feedback")).to_be_visible()


def take_to_the_end(page: Page, *, right: int, total: int = 10) -> None:
    for number in range(1, total + 1):
        answer(page, right=number <= right)
        if number < total:
            page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="See my score").click()
    expect(page.locator(".quiz-result__score")).to_be_visible()


def test_by_keyboard_check_moves_focus_to_the_feedback_which_is_announced_and_on_screen(
    page: Page,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(QUIZ_10)
    expect(page).to_have_url(STEP)
    expect(page.locator("#question")).to_be_focused()  # the page lands on the question
    expect(page.locator("#quiz-progress")).to_contain_text("Question 1 of 10")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    for _ in range(8):
        if page.evaluate("document.activeElement.textContent.trim() === 'Check'"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    feedback = page.locator("#quiz-feedback")
    expect(feedback).to_be_focused()
    expect(feedback).to_contain_text(re.compile(r"Correct\.|Not quite\."))
    expect(page.locator("#quiz-announcer")).to_have_text(re.compile(r"^(Correct\.|Not quite\.)"))
    expect(page.locator(".quiz-feedback__why")).to_be_in_viewport(ratio=1)
    expect(page.locator("#quiz-card .button--big")).to_be_in_viewport(ratio=1)  # Continue
    expect(page.locator("#quiz-progress progress")).to_have_attribute("value", "1")
    page.get_by_role("link", name="Continue").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(STEP)
    expect(page.locator("#quiz-progress")).to_contain_text("Question 2 of 10")
    expect(page.locator("#question")).to_be_focused()


@pytest.mark.parametrize("height", [812, 667])
def test_on_a_phone_the_explanation_and_continue_are_on_screen_after_check(
    phone_page: Page, height: int
) -> None:
    phone_page.set_viewport_size({"width": 375, "height": height})
    phone_page.goto(QUIZ_10)
    for number in range(1, 11):
        answer(phone_page, right=number % 2 == 0, tap=True)
        feedback = phone_page.locator("#quiz-feedback")
        expect(feedback).to_be_focused()
        # Named by its verdict and described by the explanation, so both are read out on focus.
        expect(feedback).to_have_accessible_description(
            phone_page.locator(".quiz-feedback__why").inner_text()
        )
        # The way on is on screen (after any smooth scroll) ...
        way_on = phone_page.locator("#quiz-card .button--big")
        expect(way_on).to_be_in_viewport(ratio=1)
        # ... with the verdict whole, below the sticky progress, and the explanation begun.
        phone_page.wait_for_function(
            """() => {
                const top = document.getElementById("quiz-progress").getBoundingClientRect().bottom;
                const verdict = document.querySelector(".quiz-feedback__verdict").getBoundingClientRect();
                const why = document.querySelector(".quiz-feedback__why").getBoundingClientRect();
                return verdict.top >= top && verdict.bottom <= innerHeight && why.top < innerHeight * 0.8;
            }""",
            timeout=5000,
        )
        if number < 10:
            way_on.tap()
            expect(phone_page.locator("#quiz-progress")).to_contain_text(f"Question {number + 1}")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_without_javascript_each_step_is_its_own_address_and_lands_on_the_feedback(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 812}
    )
    page = context.new_page()
    page.goto(QUIZ_10)
    expect(page).to_have_url(STEP)
    # On the question, not the top of the page (the browser scrolls to the fragment after load).
    page.wait_for_function("() => scrollY > 0")
    first = page.url
    answer(page, right=True)
    expect(page).to_have_url(first.replace("#question", "#quiz-feedback"))
    expect(page.locator(".quiz-feedback__verdict")).to_be_in_viewport(ratio=1)
    page.get_by_role("link", name="Continue").click()
    expect(page.locator("#quiz-progress")).to_contain_text("Question 2 of 10")
    context.close()


def test_finishing_early_asks_first_then_the_result_says_what_to_reread_and_practise(
    page: Page,
) -> None:
    page.goto(QUIZ_10)
    answer(page, right=False)
    page.get_by_role("button", name="Finish now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish with 9 questions unanswered?")
    page.get_by_role("link", name="Answer question 2").click()
    expect(page.locator("#quiz-progress")).to_contain_text("Question 2 of 10")
    page.get_by_role("button", name="Finish now").click()
    page.get_by_role("button", name="Finish anyway").click()
    expect(page.locator(".quiz-result__score")).to_have_text("0 / 10 — 0 %")
    reread = page.locator(".quiz-result__reread a")
    expect(reread.first).to_have_attribute("href", re.compile(rf"^{LESSON_PATH}#[a-z0-9-]+$"))
    page.get_by_role("button", name="Practise the 10 you missed").click()
    expect(page.locator("#quiz-progress")).to_contain_text("Question 1 of 10")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practise the ones you missed")


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_pass_is_celebrated_briefly_and_never_against_reduced_motion(
    page: Page, motion: str
) -> None:
    page.emulate_media(reduced_motion=motion)
    page.goto(QUIZ_10)
    take_to_the_end(page, right=8)
    expect(page.locator(".quiz-result__verdict")).to_contain_text("Passed.")
    shown = page.locator(".celebration").evaluate("el => getComputedStyle(el).display")
    assert shown == ("none" if motion == "reduce" else "block")
    expect(page.get_by_role("button", name="Practise the 2 you missed")).to_be_visible()


@pytest.mark.parametrize("size", [{"width": 1280, "height": 900}, {"width": 375, "height": 812}])
def test_axe_finds_nothing_on_any_quiz_state_light_and_dark(
    page: Page, assert_accessible: Callable[[Page], None], size: dict[str, int]
) -> None:
    page.set_viewport_size(size)
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        page.goto(QUIZ_10)
        assert_accessible(page)  # a fresh question
        page.locator("#quiz-card form").evaluate("form => form.submit()")  # nothing chosen
        expect(page.locator("#quiz-card .field-error")).to_have_text(
            "Choose an answer, then press Check."
        )
        assert_accessible(page)
        answer(page, right=False)
        assert_accessible(page)  # feedback
        page.get_by_role("button", name="Finish now").click()
        assert_accessible(page)  # asked to confirm
        page.get_by_role("link", name="Answer question 2").click()
        for number in range(2, 11):
            answer(page, right=True)
            if number < 10:
                page.get_by_role("link", name="Continue").click()
        page.get_by_role("button", name="See my score").click()
        expect(page.locator(".quiz-result__verdict")).to_contain_text("Passed.")
        assert_accessible(page)  # a pass, with something to practise
        page.get_by_role("button", name="Practise the 1 you missed").click()
        assert_accessible(page)  # the practice round
        page.goto(f"{QUIZ_10}all/")
        assert_accessible(page)  # the all-questions option


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_nothing_on_a_failed_result_and_a_practice_rounds_result(
    page: Page, assert_accessible_light_and_dark: Callable[[Page], None], width: int
) -> None:
    page.set_viewport_size(AXE_VIEWPORTS[width])
    page.goto(QUIZ_10)
    take_to_the_end(page, right=3)
    expect(page.locator(".quiz-result__verdict")).not_to_contain_text("Passed.")
    assert_accessible_light_and_dark(page)  # a fail, with sections to reread
    page.get_by_role("button", name="Practise the 7 you missed").click()
    for number in range(1, 8):
        answer(page, right=number % 2 == 1)
        if number < 7:
            page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="See my score").click()
    expect(page.locator(".quiz-result__score")).to_be_visible()
    assert_accessible_light_and_dark(page)  # the practice round's result
