from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

LESSON_PATH = "/lessons/writing-postmortems-for-ai-system-incidents/"
QUIZ_10 = f"{LESSON_PATH}quiz/10/"
QUIZ_15 = f"{LESSON_PATH}quiz/15/"
ALL_10 = f"{QUIZ_10}all/"
ALL_15 = f"{QUIZ_15}all/"


def question_ids(page: Page) -> list[str]:
    return page.locator("section.quiz-question").evaluate_all(
        "sections => sections.map(s => s.id.replace(/^question-/, ''))"
    )


def press_until_focused(page: Page, selector: str, *, limit: int = 12) -> None:
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def check_by_keyboard(page: Page, question_id: str) -> None:
    """From the question's section: Tab to its first option, choose it, Tab to Check, Enter."""
    section = f"#question-{question_id}"
    press_until_focused(page, f"{section} input[name=option]")
    page.keyboard.press("Space")
    press_until_focused(page, f"#question-{question_id}-action")
    page.keyboard.press("Enter")


def test_on_the_all_questions_page_a_keyboard_learner_sees_feedback_each_time(
    page: Page,
) -> None:
    page.goto(ALL_10)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what stuck")
    expect(page.locator("#quiz-progress")).to_contain_text("Question 1 of 10")
    page.evaluate("window.quizPageMarker = 'still here'")  # gone if the page reloads
    ids = question_ids(page)
    assert len(ids) == 10
    page.locator(f"#question-{ids[0]}").focus()
    right = 0
    for number, question_id in enumerate(ids, start=1):
        check_by_keyboard(page, question_id)
        feedback = page.locator(f"#feedback-{question_id}")
        expect(feedback).to_contain_text(re.compile(r"Correct\.|Not quite\."))
        expect(feedback.get_by_role("link", name=re.compile("in the lesson"))).to_have_attribute(
            "href", re.compile(rf"^{LESSON_PATH}#[a-z-]+$")
        )
        assert feedback.get_attribute("role") == "status"
        right += "Correct." in feedback.inner_text()
        expect(page.locator(f"#question-{question_id} input[name=option]").first).to_be_disabled()
        action = page.locator(f"#question-{question_id}-action")
        expect(action).to_be_focused()  # htmx keeps focus on the same place: "Next question"
        progress = "All 10 questions answered" if number == 10 else f"Question {number + 1} of 10"
        expect(page.locator("#quiz-progress")).to_contain_text(progress)
        page.keyboard.press("Enter")  # Next question (or Finish), and focus follows
        target = "#finish" if number == 10 else f"#question-{ids[number]}"
        expect(page.locator(target)).to_be_focused()
    assert page.evaluate("window.quizPageMarker") == "still here"
    press_until_focused(page, "#finish button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what stuck: your result")
    percent = (right * 200 + 10) // 20
    expect(page.locator(".quiz-result__score")).to_have_text(f"{right} / 10 — {percent} %")
    expect(page.locator(".quiz-review__item")).to_have_count(10)
    expect(page.get_by_role("button", name="Retake")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the lesson")).to_have_attribute(
        "href", LESSON_PATH
    )


def test_a_reload_resumes_the_attempt_with_answers_kept(page: Page) -> None:
    page.goto(ALL_10)
    attempt = page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt")
    first = question_ids(page)[0]
    page.locator(f"#question-{first} input[name=option]").first.check()
    page.locator(f"#question-{first}-action").click()
    expect(page.locator(f"#feedback-{first}")).not_to_be_empty()
    order = page.locator(f"#question-{first} label").all_inner_texts()
    page.reload()
    assert page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt") == attempt
    assert page.locator(f"#question-{first} label").all_inner_texts() == order
    expect(page.locator(f"#question-{first} input[name=option]").first).to_be_disabled()
    expect(page.locator(f"#feedback-{first}")).to_contain_text(re.compile(r"Correct\.|Not quite\."))
    expect(page.locator("#quiz-progress")).to_contain_text("Question 2 of 10")


def test_retake_starts_over_with_a_fresh_attempt(page: Page) -> None:
    page.goto(ALL_10)
    attempt = page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt")
    page.get_by_role("button", name="See my score").click()
    page.get_by_role("button", name="Finish anyway").click()
    expect(page.locator(".quiz-result__score")).to_have_text("0 / 10 — 0 %")
    expect(page.locator(".quiz-result__verdict")).to_contain_text("Not passed yet.")
    page.get_by_role("button", name="Retake").click()
    expect(page.locator("#quiz-progress")).to_contain_text("Question 1 of 10")
    assert page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt") != attempt


def test_without_javascript_the_fifteen_question_form_can_be_completed(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(ALL_15)
    ids = question_ids(page)
    # The form is a draw from a larger bank: start again until it holds a select-all question.
    for _ in range(10):
        if any(page.locator(f"#question-{q} [type=checkbox]").count() for q in ids):
            break
        page.locator("#finish button[type=submit]").click()
        # Finishing with questions unanswered asks first.
        page.get_by_role("button", name="Finish anyway").click()
        page.get_by_role("button", name="Retake").click()
        page.goto(ALL_15)  # the new attempt, every question on one page again
        ids = question_ids(page)
    assert len(ids) == 15
    # "Check" with nothing chosen (possible on a select-all question: its checkboxes are not
    # required) comes back to that question with a note, at a URL that is safe to reload.
    select_all = next(q for q in ids if page.locator(f"#question-{q} [type=checkbox]").count())
    page.locator(f"#question-{select_all}-action").click()
    expect(page).to_have_url(re.compile(rf"{ALL_15}#question-{select_all}$"))
    note = page.locator(f"#feedback-{select_all}")
    expect(note).to_have_text("Choose an answer, then press Check.")
    expect(page.locator(f"#question-{select_all} fieldset")).to_have_attribute(
        "aria-describedby", re.compile(rf"\bquestion-{select_all}-error\b")
    )
    page.reload()  # a GET: nothing is posted again, and the note has been shown once
    expect(note).to_be_empty()
    expect(page.locator("#quiz-progress progress")).to_have_attribute("value", "0")
    for number, question_id in enumerate(ids, start=1):
        page.locator(f"#question-{question_id} input[name=option]").first.check()
        page.locator(f"#question-{question_id}-action").click()
        expect(page).to_have_url(re.compile(rf"{ALL_15}#question-{question_id}$"))
        expect(page.locator(f"#feedback-{question_id}")).to_contain_text(
            re.compile(r"Correct\.|Not quite\.")
        )
        expect(page.locator("#quiz-progress progress")).to_have_attribute("value", str(number))
    page.get_by_role("button", name="See my score").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End-of-lesson check: your result")
    expect(page.locator(".quiz-result__score")).to_have_text(re.compile(r"^\d+ / 15 — \d+ %$"))
    expect(page.locator("[data-quiz-result]")).to_have_attribute("data-form", "15")
    context.close()


def test_the_lesson_call_to_action_opens_the_quiz(page: Page) -> None:
    page.goto(LESSON_PATH)
    page.locator("#quiz").get_by_role("link", name="Start the 10-question quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what stuck")


def test_a_tampered_answer_is_refused_in_words_next_to_the_question(page: Page) -> None:
    page.goto(ALL_10)
    first = question_ids(page)[0]
    option = page.locator(f"#question-{first} input[name=option]").first
    option.evaluate("input => { input.value = '9'; }")  # an option the question does not have
    option.check()
    page.locator(f"#question-{first}-action").click()
    refusal = page.locator(f"#question-{first}-form [data-request-error]")
    expect(refusal).to_have_attribute("role", "alert")
    expect(refusal).to_contain_text("is not an option of this question")
    expect(option).to_be_checked()  # nothing the learner chose is thrown away
    expect(page.locator(f"#feedback-{first}")).to_be_empty()
