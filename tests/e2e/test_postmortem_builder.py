from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE_VIEWPORTS, LAYOUT_SHIFT_TOTAL

SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON = f"/lessons/{SLUG}/"
PRACTICE = f"{LESSON}practice/"
STORAGE_KEY = "tendril.progress.v1"


@pytest.fixture(autouse=True)
def _fresh_coach_limits() -> None:
    # Every browser test comes from 127.0.0.1; the coach's per-minute count starts afresh.
    cache.clear()


def drafts_in_storage(page: Page) -> dict[str, Any]:
    raw = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    return json.loads(raw)["lessons"][SLUG]["drafts"] if raw else {}


def live_drafts(page: Page) -> dict[str, Any]:
    return {
        key: draft
        for key, draft in drafts_in_storage(page).items()
        if not (draft.get("deleted") or {}).get("value")
    }


def test_a_learner_drafts_from_the_example_gets_coached_downloads_and_finds_it_after_reload(
    page: Page, tmp_path: Path
) -> None:
    page.goto(LESSON)
    page.get_by_role("link", name="Draft your postmortem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft your postmortem")
    page.get_by_role("link", name="Start from the example").click()
    title = page.get_by_role("textbox", name="Title", exact=True)
    expect(title).to_have_value("Support assistant invented a refund policy")
    expect(page).to_have_url(f"{page.url.split('/lessons/')[0]}{PRACTICE}")  # no ?example=1 left

    went_wrong = page.get_by_role("textbox", name="What went wrong", exact=True)
    flags = page.locator("#field-went-wrong-coach")
    went_wrong.fill("Priya didn't check the evaluation results.")
    expect(flags.locator("mark")).to_have_text("Priya didn't")
    expect(flags).to_contain_text("Try:")
    went_wrong.fill("The release had no evaluation for policy questions.")
    expect(flags.locator("mark")).to_have_count(0)
    expect(flags).to_be_empty()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as Markdown").click()
    download = download_info.value
    assert download.suggested_filename == "postmortem-support-assistant-invented-a-refund-policy.md"
    markdown = Path(download.path()).read_text()
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Summary", "## Impact and harm", "## AI system snapshot"]
    assert headings[-2:] == ["## Open questions", "## Disclosure and legal review"]
    assert len(headings) == 13
    assert "The release had no evaluation for policy questions." in markdown

    page.wait_for_timeout(600)  # the draft saves after a short pause in typing
    page.reload()
    expect(page.get_by_role("textbox", name="What went wrong", exact=True)).to_have_value(
        "The release had no evaluation for policy questions."
    )
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(
        "Support assistant invented a refund policy"
    )
    expect(page.get_by_role("combobox", name="Open draft")).to_contain_text(
        "Example: the refund-policy chatbot"
    )
    (draft,) = live_drafts(page).values()
    assert (
        draft["fields"]["went.wrong"]["text"]
        == "The release had no evaluation for policy questions."
    )
    assert draft["fields"]["action_items.4.category"]["text"] == "process"


def test_a_counter_appears_only_near_a_fields_limit_and_warns_past_it(page: Page) -> None:
    page.goto(PRACTICE + "?example=1")
    expect(page.locator(".char-count:visible")).to_have_count(0)
    summary = page.get_by_role("textbox", name="Summary", exact=True)
    counter = page.locator("#field-summary-count")
    summary.fill("Twelve chars")
    expect(counter).to_be_hidden()
    summary.fill("x" * 9_500)
    expect(counter).to_have_text("9500 / 10000 characters")
    expect(counter).to_be_visible()
    assert "field-summary-count" in (summary.get_attribute("aria-describedby") or "")
    summary.fill("x" * 10_003)
    expect(counter).to_have_text("10003 / 10000 characters: 3 over the limit")
    expect(counter).to_have_class("char-count char-count--over")
    summary.fill("Short again")
    expect(counter).to_be_hidden()


def test_an_oversize_section_is_refused_beside_the_field_and_nothing_is_lost(page: Page) -> None:
    page.goto(PRACTICE)
    page.get_by_role("textbox", name="Detection", exact=True).fill("a" * 10_001)
    page.get_by_role("textbox", name="Open questions", exact=True).fill(
        "Did the model version change?"
    )
    page.get_by_role("button", name="Check my draft").click()
    expect(page.locator("#field-detection-error")).to_contain_text("the limit is 10,000")
    expect(page.get_by_role("textbox", name="Detection", exact=True)).to_have_value("a" * 10_001)
    expect(page.get_by_role("textbox", name="Open questions", exact=True)).to_have_value(
        "Did the model version change?"
    )
    expect(page.get_by_role("alert")).to_contain_text("Nothing you typed was lost")


def test_an_overlong_section_replaces_its_old_hints_with_a_note_as_the_learner_types(
    page: Page,
) -> None:
    page.goto(PRACTICE)
    summary = page.get_by_role("textbox", name="Summary", exact=True)
    coach = page.locator("#field-summary-coach")
    summary.fill("Sam should have tested the prompt.")
    expect(coach.locator("mark").first).to_have_text("Sam should have")
    summary.fill("Sam should have tested the prompt. " + "x" * 10_000)
    expect(coach).to_contain_text("the limit is 10,000. Shorten it by 35")
    expect(coach.locator("mark")).to_have_count(0)
    summary.fill("Prompt changes could ship without an evaluation run.")
    expect(coach).to_be_empty()


def test_the_readiness_panel_holds_publishing_until_legal_and_comms_confirm(page: Page) -> None:
    page.goto(PRACTICE + "?example=1")
    readiness = page.locator("#practice-readiness")
    expect(readiness).to_contain_text("Ready to publish")
    page.get_by_label("Legal and communications have reviewed this postmortem").uncheck()
    expect(readiness).to_contain_text("Not ready to publish")
    expect(readiness).to_contain_text("the legal and communications review is not confirmed")
    page.get_by_role("combobox", name="Category", exact=True).nth(1).select_option("")
    page.get_by_role("textbox", name="Owner role (a role, not a person)").nth(2).fill("Priya")
    page.get_by_role("textbox", name="Owner role (a role, not a person)").nth(2).blur()
    expect(readiness).to_contain_text("Action item 2 has no category.")
    expect(readiness).to_contain_text("Action item 3’s owner looks like a person’s name")


def test_learners_add_action_items_up_to_the_limit_and_each_is_coached(page: Page) -> None:
    page.goto(PRACTICE)
    rows = page.locator("[data-action-row]")
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="Add another action item").click()
    expect(rows).to_have_count(4)
    expect(page.locator("#field-action-items-3-action")).to_be_focused()
    expect(rows.nth(3).locator("legend")).to_have_text("Action item 4")
    page.locator("#field-action-items-3-action").fill("Stop human error in releases")
    expect(page.locator("#field-action-items-3-action-coach mark")).to_have_text("human error")
    for _ in range(20):
        if page.get_by_role("button", name="Add another action item").is_hidden():
            break
        page.get_by_role("button", name="Add another action item").click()
    expect(rows).to_have_count(20)
    page.wait_for_timeout(600)
    (draft,) = live_drafts(page).values()
    assert draft["fields"]["action_items.3.action"]["text"] == "Stop human error in releases"


def test_learners_keep_several_drafts_rename_switch_and_delete_them(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(PRACTICE)
    page.get_by_role("textbox", name="Title", exact=True).fill("Chatbot refund incident")
    page.wait_for_timeout(600)
    picker = page.get_by_role("combobox", name="Open draft")
    expect(picker.locator("option")).to_have_text(["Chatbot refund incident"])

    page.get_by_role("button", name="New draft").click()
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value("")
    page.get_by_role("textbox", name="Summary", exact=True).fill("A second incident.")
    page.get_by_role("textbox", name="Draft name", exact=True).fill("Near miss in March")
    page.get_by_role("button", name="Rename").click()
    expect(picker.locator("option")).to_have_count(2)
    expect(picker).to_contain_text("Near miss in March")

    picker.select_option(label="Chatbot refund incident")
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(
        "Chatbot refund incident"
    )
    expect(page.get_by_role("textbox", name="Summary", exact=True)).to_have_value("")
    picker.select_option(label="Near miss in March")
    expect(page.get_by_role("textbox", name="Summary", exact=True)).to_have_value(
        "A second incident."
    )

    page.get_by_role("button", name="Delete this draft").click()
    expect(picker.locator("option")).to_have_text(["Chatbot refund incident"])
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(
        "Chatbot refund incident"
    )
    drafts = drafts_in_storage(page)
    assert len(drafts) == 2
    (tombstone,) = [d for d in drafts.values() if (d.get("deleted") or {}).get("value")]
    assert all(field["text"] == "" for field in tombstone["fields"].values())


def test_copy_puts_the_markdown_on_the_clipboard(page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(PRACTICE + "?example=1")
    page.get_by_role("button", name="Copy Markdown").click()
    expect(page.locator("#copy-status")).to_have_text("Copied the postmortem as Markdown.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("# Support assistant invented a refund policy\n")
    assert "## Action items" in copied


def test_without_javascript_the_form_checks_adds_rows_and_downloads(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(PRACTICE)
    expect(page.locator("[data-drafts]")).to_be_hidden()
    page.get_by_role("textbox", name="Summary", exact=True).fill(
        "The on-call engineer was careless."
    )
    page.get_by_role("button", name="Add another action item").click()
    expect(page.locator("[data-action-row]")).to_have_count(4)
    expect(page.get_by_role("textbox", name="Summary", exact=True)).to_have_value(
        "The on-call engineer was careless."
    )
    expect(page.locator("#field-summary-coach mark")).to_have_text("careless")
    expect(page.get_by_role("status").first).to_contain_text("The coach found 1 phrase to reword")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as Markdown").click()
    assert "The on-call engineer was careless." in Path(download_info.value.path()).read_text()
    context.close()


def test_the_practice_page_has_no_axe_violations_in_light_and_dark(
    page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    page.goto(PRACTICE)
    assert_accessible(page)
    page.goto(PRACTICE + "?example=1")
    page.get_by_role("textbox", name="Summary", exact=True).fill(
        "Sam should have tested the prompt."
    )
    expect(page.locator("#field-summary-coach mark").first).to_be_visible()
    page.locator("details").first.evaluate("el => el.open = true")
    assert_accessible(page)
    page.emulate_media(color_scheme="dark")
    assert_accessible(page)
    page.get_by_role("textbox", name="Detection", exact=True).fill("b" * 10_001)
    page.get_by_role("button", name="Check my draft").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_summary_after_check_my_draft_has_no_axe_violations(
    page: Page, assert_accessible_light_and_dark: Callable[[Page], None], width: int
) -> None:
    page.set_viewport_size(AXE_VIEWPORTS[width])
    page.goto(PRACTICE)
    page.get_by_role("textbox", name="Summary", exact=True).fill("Sam should have tested it.")
    page.get_by_role("textbox", name="Where we got lucky", exact=True).fill("If only we knew.")
    page.get_by_role("button", name="Check my draft").click()
    summary = page.locator("#practice-summary")
    expect(summary.get_by_role("link")).to_have_text(["Summary", "Where we got lucky"])
    assert_accessible_light_and_dark(page)


def test_the_practice_page_fits_a_375px_phone(
    phone_page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    phone_page.goto(PRACTICE + "?example=1")
    phone_page.get_by_role("textbox", name="Summary", exact=True).fill(
        "If only the reviewer had looked."
    )
    expect(phone_page.locator("#field-summary-coach mark")).to_have_text("If only")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    wide = phone_page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map(el => el.tagName + '.' + el.className).slice(0, 5)"""
    )
    assert wide == []
    assert_accessible(phone_page)


def test_the_print_stylesheet_hides_the_tools_and_keeps_the_words(page: Page) -> None:
    page.goto(PRACTICE + "?example=1")
    page.emulate_media(media="print")
    expect(page.locator(".practice-guide").first).to_be_hidden()
    expect(page.locator(".practice-actions")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("textbox", name="Summary", exact=True)).to_be_visible()


def signed_in_context(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_a_signed_in_learners_draft_follows_them_to_another_device(
    browser: Any, live_server: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user(email="learner@example.com", password="x")
    laptop = signed_in_context(browser, live_server, user).new_page()
    laptop.goto(PRACTICE)

    def draft_synced(response: Any) -> bool:
        # The page-load sync carries no draft yet; wait for the one that does.
        return (
            "/api/progress/sync" in response.url
            and response.ok
            and "Drafted on the laptop" in (response.request.post_data or "")
        )

    with laptop.expect_response(draft_synced, timeout=10_000):
        laptop.get_by_role("textbox", name="Title", exact=True).fill("Drafted on the laptop")
    phone = signed_in_context(browser, live_server, user).new_page()
    phone.goto(PRACTICE)
    expect(phone.get_by_role("textbox", name="Title", exact=True)).to_have_value(
        "Drafted on the laptop"
    )
    expect(phone.get_by_role("combobox", name="Open draft")).to_contain_text(
        "Drafted on the laptop"
    )


def test_a_draft_stored_before_the_move_opens_with_all_its_rows_and_posts_them(
    page: Page,
) -> None:
    at = "2026-01-05T10:00:00Z"
    stored = {
        "version": 1,
        "lessons": {
            SLUG: {
                "drafts": {
                    "0b0e3a52-6f6e-4a3e-9c55-3a8f0c1d2e4f": {
                        "title": {"text": "Stored in January", "at": at},
                        "fields": {
                            "title": {"text": "Refund bot, January", "at": at},
                            "impact.gate": {"text": "on", "at": at},
                            "action_items.5.action": {"text": "Sixth row survives", "at": at},
                            "action_items.5.owner": {"text": "Support lead", "at": at},
                        },
                    }
                }
            }
        },
    }
    page.goto(PRACTICE)
    page.evaluate(f"localStorage.setItem('{STORAGE_KEY}', {json.dumps(json.dumps(stored))})")
    page.reload()
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(
        "Refund bot, January"
    )
    expect(page.locator("#field-action-items-5-action")).to_have_value("Sixth row survives")
    expect(
        page.get_by_label("Legal and communications have reviewed this postmortem")
    ).to_be_checked()
    page.get_by_role("button", name="Check my draft").click()
    expect(page.locator("#field-action-items-0-action")).to_have_value("Sixth row survives")
    expect(page.locator("#field-action-items-0-owner")).to_have_value("Support lead")


def test_without_javascript_a_check_lands_on_a_summary_linking_to_each_flagged_field(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(PRACTICE)
    page.get_by_role("textbox", name="Summary", exact=True).fill("Sam should have tested it.")
    page.get_by_role("textbox", name="Where we got lucky", exact=True).fill("If only we knew.")
    page.get_by_role("button", name="Check my draft").click()
    expect(page).to_have_url(re.compile(r"#practice-summary$"))
    summary = page.locator("#practice-summary")
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("The coach found 2 phrases to reword")
    expect(summary.get_by_role("link")).to_have_text(["Summary", "Where we got lucky"])
    summary.get_by_role("link", name="Where we got lucky").click()
    expect(page).to_have_url(re.compile(r"#field-went-lucky$"))
    expect(page.get_by_role("textbox", name="Where we got lucky", exact=True)).to_be_in_viewport()
    context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_link_to_a_section_marks_its_heading_briefly_not_the_whole_section(
    page: Page, motion: str
) -> None:
    page.emulate_media(reduced_motion=motion)
    page.goto(PRACTICE)
    link = page.locator("#practice-readiness").get_by_role("link").filter(has_text="Timeline")
    section_id = (link.first.get_attribute("href") or "").lstrip("#")
    link.first.click()
    section = page.locator(f"[id='{section_id}']")
    heading = section.locator(".practice-section__title")
    expect(heading).to_be_in_viewport()
    background = "el => getComputedStyle(el).backgroundColor"
    assert heading.evaluate(background) != "rgba(0, 0, 0, 0)"
    assert section.evaluate(background) == "rgba(0, 0, 0, 0)"
    assert section.evaluate("el => getComputedStyle(el).boxShadow") == "none"
    # Gone a couple of seconds later (polled: a busy machine runs the page's clock late).
    page.wait_for_function(
        "el => getComputedStyle(el).backgroundColor === 'rgba(0, 0, 0, 0)'",
        arg=heading.element_handle(),
        timeout=5000,
    )
    shadow = heading.evaluate("el => getComputedStyle(el).boxShadow")
    assert shadow == "none" or shadow.startswith("rgba(0, 0, 0, 0)")  # the bar is gone too


def test_start_from_the_example_twice_opens_the_same_example_draft(page: Page) -> None:
    page.goto(PRACTICE)
    page.get_by_role("link", name="Start from the example").click()
    title = page.get_by_role("textbox", name="Title", exact=True)
    expect(title).to_have_value("Support assistant invented a refund policy")
    title.fill("Refund bot, my version")
    page.wait_for_timeout(600)  # the draft saves after a short pause in typing
    page.get_by_role("link", name="Start from the example").click()
    expect(page.locator("[data-draft-status]")).to_contain_text("Opened your example draft")
    expect(title).to_have_value("Refund bot, my version")
    assert len(live_drafts(page)) == 1
    expect(page.get_by_role("combobox", name="Open draft").locator("option")).to_have_count(1)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_builder_does_not_jump_when_its_script_shows_the_drafts_panel(
    phone_page: Page, page: Page, size: str
) -> None:
    viewer = phone_page if size == "phone" else page
    # A slow connection: the browser paints the form before the script has run.
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
    viewer.goto(PRACTICE)
    viewer.wait_for_load_state("load")
    expect(viewer.get_by_role("heading", name="Your drafts")).to_be_visible()
    assert viewer.evaluate(LAYOUT_SHIFT_TOTAL) < 0.01
