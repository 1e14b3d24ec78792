"""Progress in the browser, without an account: saved in localStorage, shown on the pages."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, expect

LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_PATH = f"/lessons/{LESSON_SLUG}/"
KEY = "tendril.progress.v1"
SHARE = "Share one insight from this lesson with a colleague."
RUN = "Run a blameless, AI-specific postmortem"


def stored(page: Page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "null")


def test_checklist_ticks_survive_a_reload(page: Page) -> None:
    page.goto(LESSON_PATH)
    page.get_by_label(SHARE).check()
    page.reload()
    expect(page.get_by_label(SHARE)).to_be_checked()
    expect(page.get_by_label(RUN, exact=False)).not_to_be_checked()
    tick = stored(page)["lessons"][LESSON_SLUG]["checklist"]["share-one-insight"]
    assert tick["done"] is True


def test_unticking_is_remembered_too(page: Page) -> None:
    page.goto(LESSON_PATH)
    box = page.get_by_label(SHARE)
    box.check()
    box.uncheck()
    page.reload()
    expect(box).not_to_be_checked()


def sections_read(page: Page) -> set[str]:
    return set(
        ((stored(page) or {}).get("lessons", {}).get(LESSON_SLUG) or {}).get("sections_read", {})
    )


def test_sections_are_marked_read_as_the_learner_scrolls_through_them_at_a_reading_pace(
    page: Page,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(LESSON_PATH)
    # Start with the section's top at the foot of the screen, then read down through it and
    # the next ones.
    page.evaluate(
        "() => scrollBy(0, document.getElementById('preserve-evidence').getBoundingClientRect().top - innerHeight)"
    )
    page.mouse.move(640, 450)
    for _ in range(40):  # 4,000 px in about twelve seconds: a steady read, not a flick
        page.mouse.wheel(0, 100)
        page.wait_for_timeout(300)
    scrolled_through = set(
        page.evaluate(
            """() => [...document.querySelectorAll('article.lesson section[id]')]
                .filter(s => s.getBoundingClientRect().bottom < innerHeight
                    && s.getBoundingClientRect().bottom > innerHeight - 4000).map(s => s.id)"""
        )
    )
    assert {"preserve-evidence", "timeline-and-analysis"} <= scrolled_through
    assert scrolled_through <= sections_read(page)
    expect(page.locator("[data-status-sections]")).to_contain_text("sections read")
    expect(page.locator("[data-status-last-read]")).to_contain_text("Last read:")
    page.goto("/")
    ring = page.locator(f'[data-progress-ring="{LESSON_SLUG}"]')
    expect(ring).to_be_visible()
    expect(ring).to_contain_text("% read")


def test_the_reflection_note_is_kept_in_this_browser(page: Page) -> None:
    page.goto(LESSON_PATH)
    note = page.get_by_label("What would you do differently?")
    note.fill("Write the timeline before any analysis.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("[data-reflection-status]")).to_have_text("Note saved.")
    page.reload()
    expect(note).to_have_value("Write the timeline before any analysis.")


def test_a_finished_quiz_shows_as_the_best_score_on_the_lesson(page: Page) -> None:
    page.goto(f"{LESSON_PATH}quiz/10/all/")
    page.get_by_role("button", name="See my score").click()
    page.get_by_role("button", name="Finish anyway").click()
    expect(page.locator("[data-quiz-result]")).to_be_visible()
    page.goto(LESSON_PATH)
    expect(page.locator("[data-status-best]")).to_have_text("Best: 0/10")
    attempts = stored(page)["lessons"][LESSON_SLUG]["attempts"]
    assert len(attempts) == 1 and attempts[0]["signature"]


def test_a_corrupt_stored_value_is_ignored_with_a_warning_and_the_page_still_works(
    page: Page,
) -> None:
    warnings: list[str] = []
    errors: list[str] = []
    page.on(
        "console",
        lambda message: warnings.append(message.text) if message.type == "warning" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(LESSON_PATH)
    for corrupt in ["{not json", json.dumps({"version": 99, "lessons": []}), json.dumps([1, 2])]:
        page.evaluate(f"localStorage.setItem('{KEY}', {json.dumps(corrupt)})")
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert errors == []
    assert any("ignoring the progress saved in this browser" in text for text in warnings)
    page.get_by_label(SHARE).check()
    page.reload()
    expect(page.get_by_label(SHARE)).to_be_checked()
    assert stored(page)["version"] == 1


def test_the_script_api_lets_another_script_save_a_draft(page: Page) -> None:
    page.goto(LESSON_PATH)
    events = page.evaluate(
        """(slug) => {
            let seen = 0;
            document.addEventListener("tendril:progress-changed", () => { seen += 1; });
            TendrilProgress.update((doc) => {
                const entry = TendrilProgress.lessonEntry(doc, slug);
                entry.drafts["3f1c2d4e-0000-4000-8000-000000000001"] = {
                    title: {text: "Refund bot", at: TendrilProgress.now()},
                    fields: {summary: {text: "It happened.", at: TendrilProgress.now()}},
                };
            });
            return seen;
        }""",
        LESSON_SLUG,
    )
    assert events == 1
    draft = stored(page)["lessons"][LESSON_SLUG]["drafts"]["3f1c2d4e-0000-4000-8000-000000000001"]
    assert draft["title"]["text"] == "Refund bot"


def test_without_javascript_the_lesson_reads_fine(browser: Browser, live_server) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(LESSON_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Writing Postmortems for AI System Incidents"
    )
    expect(page.locator("[data-lesson-status]")).to_be_hidden()
    expect(page.locator("#sync-status")).to_contain_text("Progress saved locally in this browser.")
    expect(page.get_by_label("What would you do differently?")).to_be_visible()
    context.close()
