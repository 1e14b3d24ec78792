"""axe on the pages the feature tests do not open: the end of each account flow, refusals, 500."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
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
    page.goto("/accounts/reset/bm9ib2R5/not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)  # the link is not valid

    uid = urlsafe_base64_encode(force_bytes(learner.pk))
    page.goto(f"/accounts/reset/{uid}/{default_token_generator.make_token(learner)}/")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    assert_accessible(page)  # choosing a new password
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url("/accounts/reset/done/")
    assert_accessible(page)
    sign_in(page, NEW_PASSWORD)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_ends_of_the_account_flows_are_accessible(
    page: Page, assert_accessible: Callable[[Page], None], learner, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    sign_in(page)
    page.goto("/accounts/password_change/done/")
    assert_accessible(page)
    page.goto("/accounts/delete/")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url("/accounts/deleted/")
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
