"""Addresses the site used before allauth still lead where they did, permanently."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/accounts/password_change/", "/accounts/password/change/"),
        ("/accounts/password_change/done/", "/accounts/password/change/"),
        ("/accounts/password_reset/", "/accounts/password/reset/"),
        ("/accounts/password_reset/done/", "/accounts/password/reset/done/"),
        ("/accounts/reset/MQ/set-password/", "/accounts/password/reset/"),
        ("/accounts/reset/done/", "/accounts/password/reset/key/done/"),
    ],
)
def test_an_old_account_address_redirects_permanently(old: str, new: str) -> None:
    response = Client().get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_a_redirect_keeps_the_query_string() -> None:
    response = Client().get("/accounts/password_reset/?next=/progress/")
    assert response["Location"] == "/accounts/password/reset/?next=/progress/"


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_the_addresses_allauth_shares_with_us_answer_directly(path: str) -> None:
    assert Client().get(path).status_code == 200


def test_signing_out_keeps_its_address(learner) -> None:
    client = Client()
    client.force_login(learner)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
