from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from progress.models import ProgressRecord

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def sign_up(
    client: Client, email: str, password: str = PASSWORD, again: str | None = None, **extra
):
    data = {"email": email, "password1": password, "password2": again or password, **extra}
    return client.post("/accounts/signup/", data, **extra)


def test_signing_up_creates_an_account_and_signs_in(client: Client) -> None:
    response = sign_up(client, "New.Learner@Example.com", next="/progress/")
    assert response.status_code == 302
    assert response["Location"] == "/progress/"
    user = get_user_model().objects.get()
    assert (user.username, user.email) == ("new.learner@example.com", "new.learner@example.com")
    assert client.get("/progress/").context["user"].is_authenticated


def test_sign_up_refuses_an_unsafe_next_address(client: Client) -> None:
    response = sign_up(client, "ada@example.com", next="https://evil.example/")
    assert response["Location"] == "/"


def test_sign_up_applies_djangos_password_validators(client: Client) -> None:
    response = sign_up(client, "ada@example.com", password="12345678")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert 'aria-describedby="id_password1-error id_password1-help"' in html
    assert 'aria-invalid="true"' in html
    assert not get_user_model().objects.exists()


def test_sign_up_refuses_mismatched_passwords_and_a_taken_email(client: Client, learner) -> None:
    html = sign_up(client, "ADA@example.com", again="something else entirely").content.decode()
    assert "An account with this email already exists." in html
    assert "The two passwords differ." in html


def test_the_sign_up_form_is_labelled_and_autocompletes(client: Client) -> None:
    html = client.get("/accounts/signup/").content.decode()
    assert '<label for="id_email">Email</label>' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert "csrfmiddlewaretoken" in html


def test_signing_in_with_the_email_in_any_case(client: Client, learner) -> None:
    response = client.post(
        "/accounts/login/", {"username": "Ada@Example.COM", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_says_so(client: Client, learner) -> None:
    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "That email and password do not match an account." in response.content.decode()


def test_signing_in_is_limited_per_account(client: Client, learner) -> None:
    for attempt in range(5):
        ip = f"10.0.0.{attempt}"
        client.post(
            "/accounts/login/", {"username": "ada@example.com", "password": "x"}, REMOTE_ADDR=ip
        )
    response = client.post(
        "/accounts/login/",
        {"username": "ada@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.0.1.1",
    )
    assert response.status_code == 429
    assert re.search(r"Too many attempts — try again in \d+ minutes?\.", response.content.decode())
    assert "_auth_user_id" not in client.session
    assert "That email and password do not match" not in response.content.decode()


def test_signing_in_is_limited_per_ip_address(client: Client, settings, learner) -> None:
    settings.PROGRESS_RATE_LIMITS = {
        **settings.PROGRESS_RATE_LIMITS,
        "sign_in": {"ip": "3/15m", "account": "100/15m"},
    }
    for n in range(3):
        client.post("/accounts/login/", {"username": f"u{n}@example.com", "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many attempts — try again in" in response.content.decode()
    other_ip = client.post(
        "/accounts/login/",
        {"username": "ada@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert other_ip.status_code == 302


def test_signing_up_is_limited_per_ip_address(client: Client, settings) -> None:
    settings.PROGRESS_RATE_LIMITS = {
        **settings.PROGRESS_RATE_LIMITS,
        "sign_up": {"ip": "2/h", "account": "100/h"},
    }
    sign_up(Client(), "a@example.com", password="1")
    sign_up(Client(), "b@example.com", password="1")
    response = sign_up(client, "c@example.com")
    assert response.status_code == 429
    assert "Too many attempts — try again in" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_signing_out_is_a_post(client: Client, learner) -> None:
    client.force_login(learner)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_navigation_offers_sign_in_or_sign_out(client: Client, learner) -> None:
    html = client.get("/").content.decode()
    assert ">Sign in</a>" in html and ">Sign up</a>" in html
    client.force_login(learner)
    html = client.get("/").content.decode()
    assert ">Sign out</button>" in html and ">My progress</a>" in html
    assert f'data-account="{learner.pk}"' in html


def test_changing_the_password(client: Client, learner) -> None:
    client.force_login(learner)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response["Location"] == "/accounts/password_change/done/"
    learner.refresh_from_db()
    assert learner.check_password("a brand new passphrase")


def test_resetting_a_forgotten_password_by_email(client: Client, learner) -> None:
    response = client.post("/accounts/password_reset/", {"email": "ada@example.com"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    learner.refresh_from_db()
    assert learner.check_password("a brand new passphrase")


def test_deleting_the_account_needs_the_password_and_removes_the_progress(
    client: Client, learner
) -> None:
    client.force_login(learner)
    ProgressRecord.objects.create(user=learner)
    wrong = client.post("/accounts/delete/", {"password": "nope"})
    assert "That is not your password." in wrong.content.decode()
    assert get_user_model().objects.exists()
    response = client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert "Your account is deleted" in response.content.decode()
    assert not get_user_model().objects.exists()
    assert not ProgressRecord.objects.exists()


def test_only_the_page_right_after_deleting_asks_the_browser_to_clear_that_account(
    client: Client, learner
) -> None:
    client.force_login(learner)
    account_id = learner.pk
    after = client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert f'data-clear-local-progress="{account_id}"' in after.content.decode()
    again = client.get("/accounts/deleted/")
    assert "data-clear-local-progress" not in again.content.decode()


def test_a_wrong_password_on_delete_does_not_ask_the_browser_to_clear_anything(
    client: Client, learner
) -> None:
    client.force_login(learner)
    wrong = client.post("/accounts/delete/", {"password": "nope"})
    assert "data-clear-local-progress" not in wrong.content.decode()
