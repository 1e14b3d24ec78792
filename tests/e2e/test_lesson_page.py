from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

LESSON_PATH = "/lessons/writing-postmortems-for-ai-system-incidents/"


def test_a_learner_opens_the_lesson_from_the_catalogue(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Writing Postmortems for AI System Incidents").click()
    expect(page).to_have_url(f"{page.url.split('/lessons/')[0]}{LESSON_PATH}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Writing Postmortems for AI System Incidents"
    )
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb).to_contain_text("Lesson 909 of 1596")
    expect(breadcrumb).to_contain_text("~21 min read")


def test_the_table_of_contents_moves_focus_to_the_section(page: Page) -> None:
    page.goto(LESSON_PATH)
    toc = page.get_by_role("navigation", name="On this page")
    toc.get_by_role("link", name="Key insights").click()
    expect(page.locator("#key-insights")).to_be_focused()
    expect(page.locator("#key-insights")).to_be_in_viewport()


def test_keyboard_users_can_skip_to_the_content_and_reach_the_toc(page: Page) -> None:
    page.goto(LESSON_PATH)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    # From the main landmark, Tab walks into the lesson: breadcrumb first, then the TOC.
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#toc a')"):
            break
    assert page.evaluate("document.activeElement.matches('#toc a')")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page.locator(target)).to_be_focused()


def test_the_lesson_fits_a_375px_phone_without_horizontal_scrolling(phone_page: Page) -> None:
    phone_page.goto(LESSON_PATH)
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    wide = phone_page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(el => !el.closest('table, pre'))
            .map(el => el.tagName + '.' + el.className).slice(0, 5)"""
    )
    assert wide == []


def test_on_a_phone_the_contents_start_folded_and_open_by_keyboard(phone_page: Page) -> None:
    phone_page.goto(LESSON_PATH)
    toc = phone_page.get_by_role("navigation", name="On this page")
    premise = toc.get_by_role("link", name="The premise")
    expect(premise).to_be_hidden()
    expect(phone_page.get_by_role("heading", name="The premise", level=2)).to_be_in_viewport()
    toc.locator("summary").focus()
    phone_page.keyboard.press("Enter")
    expect(premise).to_be_visible()
    premise.press("Enter")
    expect(phone_page.locator("#premise")).to_be_focused()


LAYOUT_SHIFT_TOTAL = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(total), 500);
})"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_lesson_does_not_jump_while_it_loads(phone_page: Page, page: Page, size: str) -> None:
    # Folding or unfolding the contents after the first paint used to push the lesson around.
    viewer = phone_page if size == "phone" else page
    # A slow connection, as Lighthouse's mobile run has: the browser paints the first part of
    # the page before the scripts have run.
    cdp = viewer.context.new_cdp_session(viewer)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 200_000,
            "uploadThroughput": 90_000,
        },
    )
    viewer.goto(LESSON_PATH)
    viewer.wait_for_load_state("load")
    toc = viewer.get_by_role("navigation", name="On this page")
    expect(toc.locator("details")).to_have_js_property("open", size == "desktop")
    assert viewer.evaluate(LAYOUT_SHIFT_TOTAL) < 0.01


def test_the_reading_progress_bar_follows_the_scroll_even_without_scroll_timelines(
    page: Page,
) -> None:
    # Browsers without CSS scroll-driven animations (Firefox today) get the bar from site.js.
    page.add_init_script(
        "const supports = CSS.supports.bind(CSS);"
        "CSS.supports = (...args) => !String(args[0]).includes('animation-timeline') && supports(...args);"
    )
    page.goto(LESSON_PATH)
    bar = page.locator(".reading-progress__bar")
    expect(bar).to_have_attribute("style", "transform: scaleX(0);")
    page.evaluate("window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) / 2)")
    expect(bar).to_have_attribute("style", re.compile(r"transform: scaleX\(0\.[45]\d*\);"))
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(bar).to_have_attribute("style", "transform: scaleX(1);")


def test_the_checklist_is_made_of_real_labelled_checkboxes(page: Page) -> None:
    page.goto(LESSON_PATH)
    boxes = page.locator("#apply").get_by_role("checkbox")
    expect(boxes).to_have_count(3)
    first = boxes.first
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_be_checked()


def test_axe_finds_no_violations_on_the_catalogue_lesson_and_404(
    page: Page, phone_page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    for path in ["/", LESSON_PATH, "/lessons/not-a-lesson/"]:
        page.goto(path)
        assert_accessible(page)
    phone_page.goto(LESSON_PATH)
    assert_accessible(phone_page)


def test_dark_mode_keeps_the_page_accessible(
    page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(LESSON_PATH)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 22, 19)"
    assert_accessible(page)
