"""axe on the pages the feature tests do not open: the end of each account flow, refusals, 500."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from playwright.sync_api import Page, expect

from tests.conftest import LESSON_SLUG

EMAIL = "ada@example.com"
PASSWORD = "a long enough passphrase"
NEW_PASSWORD = "another long passphrase"


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail")


urlpatterns = [path("", include("config.urls")), path("explode/", explode)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def learner(transactional_db):
    return get_user_model().objects.create_user(email=EMAIL, password=PASSWORD)


def sign_in(page: Page, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_password_reset_link_pages_are_accessible(
    page: Page, assert_accessible: Callable[[Page], None], learner, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto("/accounts/password/reset/key/1-not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)  # the link is not valid

    uid = user_pk_to_url_str(learner)
    page.goto(f"/accounts/password/reset/key/{uid}-{default_token_generator.make_token(learner)}/")
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    assert_accessible(page)  # choosing a new password
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url("/accounts/password/reset/key/done/")
    assert_accessible(page)
    sign_in(page, NEW_PASSWORD)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_ends_of_the_account_flows_are_accessible(
    page: Page, assert_accessible: Callable[[Page], None], learner, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    sign_in(page)
    page.goto("/accounts/password/change/")
    page.get_by_label("Current Password").fill(PASSWORD)
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").first).to_contain_text("Password successfully changed")
    assert_accessible(page)  # the password is changed
    page.goto("/accounts/delete/")
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url("/accounts/deleted/")
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_confirming_the_email_address_is_accessible(
    page: Page, assert_accessible: Callable[[Page], None], transactional_db, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    link = re.search(r"http://[^/]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(1))
    assert_accessible(page)  # asked to confirm
    page.get_by_role("button", name="Yes, confirm it").click()
    page.goto("/progress/")
    expect(page.get_by_text("Please confirm your email address")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.urls(__name__)
def test_refusals_and_the_server_error_page_are_accessible(
    page: Page, assert_accessible: Callable[[Page], None], transactional_db
) -> None:
    missing_attempt = f"/lessons/{LESSON_SLUG}/quiz/attempts/{uuid.uuid4()}/"
    response = page.goto(missing_attempt)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("That request was not accepted")
    assert_accessible(page)

    response = page.goto("/explode/")
    assert response is not None and response.status == 500
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "internal detail" not in page.content()
    assert_accessible(page)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("path", ["/no-such-page/", "/explode/"])
def test_under_debug_djangos_error_pages_are_readable_on_a_phone(
    phone_page: Page, settings, transactional_db, path: str
) -> None:
    settings.DEBUG = True
    phone_page.goto(path)
    # Laid out at the phone's width, not a desktop's 980 px shrunk to fit.
    layout_width = phone_page.evaluate("document.documentElement.clientWidth")
    assert layout_width <= 400
    heading = phone_page.locator("#summary h1")
    expect(heading).to_be_visible()
    css_size = heading.evaluate("h1 => parseFloat(getComputedStyle(h1).fontSize)")
    assert css_size * 375 / layout_width >= 16  # the size it shows at on the phone's screen
