from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LEARNERS_DEVICE = "203.0.113.7"
WRONG = "not the password"


def sign_in(client: Client, email: str, password: str, ip: str = "127.0.0.1", **headers):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip, **headers
    )


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_signing_in_with_the_email_in_any_case(client: Client, learner) -> None:
    response = sign_in(client, "Ada@Example.COM", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(learner) -> None:
    wrong_password = sign_in(Client(), "ada@example.com", WRONG)
    unknown = sign_in(Client(), "nobody@example.com", WRONG)
    assert wrong_password.status_code == unknown.status_code == 200
    message = "The email address and/or password you specified are not correct."
    assert message in wrong_password.content.decode()
    assert message in unknown.content.decode()


def test_failed_sign_ins_for_one_account_from_one_address_are_limited(learner) -> None:
    for _ in range(5):
        sign_in(Client(), "ada@example.com", WRONG, ip="198.51.100.1")
    attacker = Client()
    response = sign_in(attacker, "ada@example.com", PASSWORD, ip="198.51.100.1")
    # Announced to screen readers as an alert, not only shown.
    assert re.search(
        r'role="alert">[^<]*<p>Too many failed login attempts', response.content.decode()
    )
    assert not is_signed_in(attacker)


def test_wrong_passwords_from_other_addresses_do_not_lock_the_learner_out(learner) -> None:
    for n in range(20):
        sign_in(Client(), "ada@example.com", WRONG, ip=f"198.51.100.{n + 1}")
    own_device = Client()
    response = sign_in(own_device, "ada@example.com", PASSWORD, ip=LEARNERS_DEVICE)
    assert response.status_code == 302
    assert is_signed_in(own_device)


def test_behind_a_proxy_the_lockout_follows_the_forwarded_client_address(settings, learner) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(10):
        sign_in(
            Client(), "ada@example.com", WRONG, ip=proxy, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        )
    own_device = Client()
    sign_in(own_device, "ada@example.com", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=LEARNERS_DEVICE)
    assert is_signed_in(own_device)
    for _ in range(5):
        sign_in(Client(), "ada@example.com", WRONG, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.99")
    attacker = Client()
    sign_in(attacker, "ada@example.com", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert not is_signed_in(attacker)


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(settings, learner) -> None:
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/15m/ip,100/15m/key",
    }
    for n in range(3):
        sign_in(Client(), f"u{n}@example.com", WRONG, ip="198.51.100.1")
    blocked = Client()
    response = sign_in(blocked, "ada@example.com", PASSWORD, ip="198.51.100.1")
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_signed_in(blocked)
    elsewhere = Client()
    assert sign_in(elsewhere, "ada@example.com", PASSWORD, ip=LEARNERS_DEVICE).status_code == 302


def test_sign_in_attempts_of_any_kind_are_limited_per_address(settings, learner) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    sign_in(Client(), "ada@example.com", PASSWORD, ip="198.51.100.1")
    sign_in(Client(), "ada@example.com", PASSWORD, ip="198.51.100.1")
    refused = sign_in(Client(), "ada@example.com", PASSWORD, ip="198.51.100.1")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert 'href="/static/css/site.css"' in refused.content.decode()  # the site's own page


def test_signing_out_is_a_post(client: Client, learner) -> None:
    client.force_login(learner)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and is_signed_in(client)
    assert client.post("/accounts/logout/").status_code == 302
    assert not is_signed_in(client)


def test_the_sign_out_page_says_what_happens_to_synced_and_unsynced_progress(
    client: Client, learner
) -> None:
    client.force_login(learner)
    text = " ".join(client.get("/accounts/logout/").content.decode().split())
    assert "reached your account stays in your account and is removed from this browser" in text
    assert "not yet synced" in text and "stays in this browser" in text
    # Not the old promise that everything stays here, which signing out does not keep.
    assert "Progress you made on this device stays in this browser" not in text


def test_the_navigation_offers_sign_in_or_sign_out(client: Client, learner) -> None:
    html = client.get("/").content.decode()
    assert ">Sign in</a>" in html and ">Sign up</a>" in html
    client.force_login(learner)
    html = client.get("/").content.decode()
    assert ">Sign out</button>" in html and ">My progress</a>" in html
    assert f'data-account="{learner.pk}"' in html


def test_the_sign_in_page_offers_the_password_reset_link_once(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert html.count("/accounts/password/reset/") == 1
