"""Account and progress pages: usable by keyboard and screen reader, in light and dark."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import Page, expect

EMAIL = "ada@example.com"
PASSWORD = "a long enough passphrase"
ACCOUNT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/progress/",
]
SIGNED_IN_PAGES = [
    "/progress/",
    "/accounts/password_change/",
    "/accounts/delete/",
    "/lessons/writing-postmortems-for-ai-system-incidents/",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def learner(transactional_db):
    return get_user_model().objects.create_user(username=EMAIL, email=EMAIL, password=PASSWORD)


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


def test_a_field_error_is_announced_with_its_field(page: Page, learner) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile(r"^An account with this email already exists\. Sign in\?")
    )


def test_too_many_sign_ins_say_when_to_try_again(page: Page, learner) -> None:
    page.goto("/accounts/login/")
    for _ in range(6):
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many attempts — try again in")


def test_the_account_pages_fit_a_375px_phone(phone_page: Page, learner) -> None:
    for path in ["/accounts/login/", "/accounts/signup/", "/progress/"]:
        phone_page.goto(path)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
