"""The catalogue in Chromium: search by keyboard, browse a track, axe at both widths."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from lessons.content import get_catalogue
from lessons.search import sync_search_index


@pytest.fixture
def search_index(transactional_db: None) -> None:
    sync_search_index(lessons=get_catalogue().whole_lessons(), force=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_learner_searches_by_keyboard_and_lands_on_the_section(
    page: Page, search_index: None, assert_accessible: Callable[[Page], None], scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Search lessons").fill("drift")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/?q=drift")
    expect(page.get_by_role("status")).to_contain_text("matching “drift”")
    assert_accessible(page)
    hit = page.locator(".search-hit a").first
    section = hit.get_attribute("href").split("#")[1]
    hit.click()
    expect(page.locator(f"#{section}")).to_be_in_viewport()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_catalogue_on_a_phone(
    phone_page: Page, search_index: None, assert_accessible: Callable[[Page], None], scheme: str
) -> None:
    phone_page.emulate_media(color_scheme=scheme)
    phone_page.goto("/?q=zzzyzzx")
    expect(phone_page.get_by_role("heading", name="No lessons match “zzzyzzx”")).to_be_visible()
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name="Creators").click()
    expect(phone_page.get_by_role("link", name="Creators")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_search_results_on_a_phone_are_accessible_light_and_dark(
    phone_page: Page, search_index: None, assert_accessible_light_and_dark: Callable[[Page], None]
) -> None:
    phone_page.goto("/?q=drift")
    expect(phone_page.get_by_role("status")).to_contain_text("matching “drift”")
    expect(phone_page.locator(".search-hit a").first).to_be_visible()
    assert_accessible_light_and_dark(phone_page)
