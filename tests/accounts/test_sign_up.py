from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client: Client, email: str, password: str = PASSWORD, again: str | None = None, **data):
    form = {"email": email, "password1": password, "password2": again or password, **data}
    return client.post("/accounts/signup/", form)


def test_signing_up_creates_an_account_and_signs_in(client: Client) -> None:
    response = sign_up(client, "New.Learner@Example.com", next="/progress/")
    assert response.status_code == 302
    assert response["Location"] == "/progress/"
    user = get_user_model().objects.get()
    assert user.email == "new.learner@example.com"
    assert client.get("/progress/").context["user"].is_authenticated


def test_sign_up_refuses_an_unsafe_next_address(client: Client) -> None:
    response = sign_up(client, "ada@example.com", next="https://evil.example/")
    assert response["Location"] == "/"


def test_a_next_that_is_not_an_address_still_signs_the_learner_in(client: Client) -> None:
    response = sign_up(client, "ada@example.com", next="foo")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/progress/").context["user"].is_authenticated


def test_sign_up_applies_djangos_password_validators(client: Client) -> None:
    response = sign_up(client, "ada@example.com", password="12345678")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert 'aria-describedby="id_password1-error' in html
    assert 'aria-invalid="true"' in html
    assert not get_user_model().objects.exists()


def test_sign_up_refuses_mismatched_passwords(client: Client) -> None:
    html = sign_up(client, "ada@example.com", again="something else entirely").content.decode()
    assert "You must type the same password each time." in html
    assert not get_user_model().objects.exists()


def test_sign_up_answers_a_taken_address_exactly_as_a_new_one(learner) -> None:
    new = sign_up(Client(), "someone.new@example.com", next="/progress/")
    taken = sign_up(Client(), "ADA@example.com", next="/progress/")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert get_user_model().objects.filter(email="ada@example.com").count() == 1
    # The owner of the taken address is told by mail, not the person at the keyboard.
    to_ada = [message for message in mail.outbox if message.to == ["ada@example.com"]]
    assert len(to_ada) == 1
    assert "already" in to_ada[0].body


def test_the_page_after_sign_up_asks_to_confirm_the_email_and_says_what_waits(
    client: Client,
) -> None:
    response = sign_up(client, "someone.new@example.com")
    landing = client.get(response["Location"])
    assert landing.request["PATH_INFO"] == "/"
    html = landing.content.decode()
    assert html.count("Confirmation email sent to someone.new@example.com.") == 1
    assert "until then you can learn and sync, but downloading your data waits." in html
    # Shown once, in the page's status region, not again on the next page.
    assert '<div role="status"><p class="notice notice--ok">Confirmation email sent' in html
    assert "Confirmation email sent" not in client.get("/").content.decode()


def test_the_notice_after_sign_up_is_the_same_for_a_taken_address(learner) -> None:
    new_client, taken_client = Client(), Client()
    sign_up(new_client, "someone.new@example.com")
    sign_up(taken_client, "ada@example.com")
    new_page = new_client.get("/accounts/password/reset/").content.decode()
    taken_page = taken_client.get("/accounts/password/reset/").content.decode()
    assert "Confirmation email sent to someone.new@example.com." in new_page
    assert "Confirmation email sent to ada@example.com." in taken_page


def test_the_sign_up_form_is_labelled_and_autocompletes(client: Client) -> None:
    html = client.get("/accounts/signup/").content.decode()
    assert '<label for="id_email">' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert "csrfmiddlewaretoken" in html


def test_signing_up_is_limited_per_ip_address(client: Client, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    sign_up(Client(), "a@example.com", password="1")
    sign_up(Client(), "b@example.com", password="1")
    response = sign_up(client, "c@example.com")
    assert response.status_code == 429
    assert not get_user_model().objects.exists()
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert sign_up(elsewhere, "c@example.com").status_code == 302
