from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from progress.models import ProgressRecord
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


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


def test_the_address_of_a_deleted_account_can_sign_up_again(client: Client, learner) -> None:
    client.force_login(learner)
    client.post("/accounts/delete/", {"password": PASSWORD})
    form = {"email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD}
    Client().post("/accounts/signup/", form)
    assert get_user_model().objects.filter(email="ada@example.com").exists()
