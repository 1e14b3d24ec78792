"""A quiz finished without JavaScript before signing in counts for the account afterwards."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from quiz.bank import QuestionBank
from quiz.models import Attempt
from tests.conftest import LESSON_SLUG
from tests.quiz.test_views import take_whole_quiz

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def sync_nothing(client: Client) -> dict:
    response = client.post(
        "/api/progress/sync",
        json.dumps({"version": 1, "lessons": {}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()["document"]


def test_signing_in_brings_this_browsers_finished_quiz_into_the_account(
    bank: QuestionBank,
) -> None:
    learner = get_user_model().objects.create_user("ada@example.com", PASSWORD)
    browser = Client()
    attempt = take_whole_quiz(browser, bank, right=8)
    assert Attempt.objects.get(pk=attempt.pk).user is None

    response = browser.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302

    assert Attempt.objects.get(pk=attempt.pk).user == learner
    # Another device of the same account, which never saw that browser, syncs and gets it.
    other_device = Client()
    other_device.force_login(learner)
    attempts = sync_nothing(other_device)["lessons"][LESSON_SLUG]["attempts"]
    assert [(a["id"], a["score"], a["total"]) for a in attempts] == [(str(attempt.pk), 8, 10)]


def test_another_browsers_anonymous_quiz_is_not_claimed(bank: QuestionBank) -> None:
    get_user_model().objects.create_user("ada@example.com", PASSWORD)
    someone_else = take_whole_quiz(Client(), bank, right=3)
    browser = Client()
    browser.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    assert Attempt.objects.get(pk=someone_else.pk).user is None
