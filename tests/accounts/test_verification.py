"""A new account works at once; it is asked to confirm its address, and the download waits."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client: Client, email: str = "new.learner@example.com"):
    form = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", form)


def test_a_new_account_syncs_at_once(client: Client) -> None:
    sign_up(client)
    response = client.post(
        "/api/progress/sync",
        json.dumps({"version": 1, "lessons": {}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert not EmailAddress.objects.get(email="new.learner@example.com").verified


def test_a_new_account_is_sent_a_confirmation_link_and_asked_to_use_it(client: Client) -> None:
    sign_up(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.learner@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    html = client.get("/progress/").content.decode()
    assert "Please confirm your email address" in html
    assert "downloading your data waits until the address is confirmed" in html


def test_an_unverified_account_cannot_download_its_data_yet(
    client: Client, unverified_learner
) -> None:
    client.force_login(unverified_learner)
    response = client.get("/progress/download")
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "Confirm your email first" in response.content.decode()
    # Asking again sends a fresh link.
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_confirming_the_address_unlocks_the_download(client: Client) -> None:
    sign_up(client)
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    confirm_page = client.get(link.group(1))
    assert "Yes, confirm it" in confirm_page.content.decode()
    client.post(link.group(1))
    assert EmailAddress.objects.get(email="new.learner@example.com").verified
    assert "Please confirm your email address" not in client.get("/progress/").content.decode()
    download = client.get("/progress/download")
    assert download["Content-Disposition"] == 'attachment; filename="tendril-progress.json"'


def test_a_verified_learner_is_not_asked_again(client: Client, learner) -> None:
    client.force_login(learner)
    assert "Please confirm your email address" not in client.get("/progress/").content.decode()
