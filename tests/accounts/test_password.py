from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase"


def ask_for_reset(email: str, ip: str = "127.0.0.1"):
    return Client().post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=ip)


def reset_link(message) -> str:
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)


def test_changing_the_password(client: Client, learner) -> None:
    client.force_login(learner)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)
    assert "_auth_user_id" in client.session


def test_resetting_a_forgotten_password_by_email(client: Client, learner) -> None:
    response = ask_for_reset("ada@example.com")
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    form_url = client.get(reset_link(mail.outbox[0]))["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/password/reset/key/done/"
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)


def test_a_reset_link_works_only_once(learner) -> None:
    ask_for_reset("ada@example.com")
    link = reset_link(mail.outbox[0])
    first = Client()
    form_url = first.get(link)["Location"]
    first.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client()
    response = again.get(link, follow=True)
    assert "This link has expired or was already used." in response.content.decode()
    refused = again.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": "yet another passphrase", "password2": "yet another passphrase"},
    )
    assert "This link has expired or was already used." in refused.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)


def test_a_reset_for_an_unknown_address_looks_the_same(learner) -> None:
    known = ask_for_reset("ada@example.com")
    unknown = ask_for_reset("nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page = Client().get(known["Location"])
    assert "If an account uses that address" in page.content.decode()
    # Only the learner gets a reset link; the unknown address is told it has no account.
    assert [m.to for m in mail.outbox] == [["ada@example.com"], ["nobody@example.com"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_reset_requests_are_limited_per_address(learner) -> None:
    for n in range(3):
        assert ask_for_reset("ada@example.com", ip=f"198.51.100.{n}").status_code == 302
    assert ask_for_reset("ada@example.com", ip="198.51.100.50").status_code == 429
    assert len(mail.outbox) == 3
    assert ask_for_reset("bob@example.com", ip="198.51.100.50").status_code == 302


def test_reset_requests_are_limited_per_ip_address(settings, learner) -> None:
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password": "2/h/ip,100/h/key",
    }
    ask_for_reset("a@example.com", ip="198.51.100.1")
    ask_for_reset("b@example.com", ip="198.51.100.1")
    assert ask_for_reset("ada@example.com", ip="198.51.100.1").status_code == 429
    assert ask_for_reset("ada@example.com", ip="198.51.100.2").status_code == 302
