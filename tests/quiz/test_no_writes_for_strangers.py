"""A quiz page view stores nothing for a visitor without a session (a crawler can fill no table);
the first answer stores the very attempt that was shown, and a result signed for an anonymous
browser counts for one account only."""

from __future__ import annotations

import html as html_module
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from quiz.bank import QuestionBank
from quiz.models import Answer, Attempt
from tests.conftest import LESSON_SLUG
from tests.quiz.test_views import take_whole_quiz

pytestmark = pytest.mark.django_db

QUIZ_10 = f"/lessons/{LESSON_SLUG}/quiz/10/all/"


def shown_questions(html: str) -> list[tuple[str, str]]:
    """(answer address, question id) of every question form on the page, in order."""
    return re.findall(r'action="([^"]*/answer/)".*?name="question" value="([^"]+)"', html, re.S)


def test_a_strangers_quiz_page_views_store_nothing(client: Client) -> None:
    for _ in range(3):
        response = client.get(QUIZ_10)
        assert response.status_code == 200
        assert shown_questions(response.content.decode())
    assert Attempt.objects.count() == 0
    assert Session.objects.count() == 0


def test_the_first_answer_stores_the_attempt_shown_and_a_reload_resumes_it(
    client: Client, bank: QuestionBank
) -> None:
    html = client.get(QUIZ_10).content.decode()
    questions = shown_questions(html)
    assert len(questions) == 10
    answer_url, first_question = questions[0]
    response = client.post(answer_url, {"question": first_question, "option": ["1"]})
    assert response.status_code == 302

    attempt = Attempt.objects.get()
    assert [question_id for question_id, _ in attempt.plan] == [q for _, q in questions]
    assert Answer.objects.get(attempt=attempt).question_id == first_question
    # The page shown before answering had the same option order as the stored plan.
    shown = re.search(rf'id="question-{first_question}-form".*?</form>', html, re.S).group(0)
    option_texts = re.findall(r"<label for=\"question-[^\"]+-option-\d+\">([^<]+)</label>", shown)
    question = bank.question(first_question)
    by_id = {option.id: option.text for option in question.options}
    assert [html_module.unescape(t) for t in option_texts] == [
        by_id[o].strip() for o in dict(attempt.plan)[first_question]
    ]

    again = client.get(QUIZ_10).content.decode()
    assert [q for _, q in shown_questions(again)] == [q for _, q in questions]
    assert Attempt.objects.count() == 1


def test_an_invented_attempt_id_stores_nothing(client: Client) -> None:
    url = f"/lessons/{LESSON_SLUG}/quiz/attempts/0f0e0d0c-0b0a-0908-0706-050403020100/answer/"
    response = client.post(url, {"question": "premise", "option": ["1"]})
    assert response.status_code == 404
    assert Attempt.objects.count() == 0


def test_a_result_signed_for_an_anonymous_browser_counts_for_one_account_only(
    bank: QuestionBank,
) -> None:
    browser = Client()
    attempt = take_whole_quiz(browser, bank, right=7)
    page = browser.get(f"/lessons/{LESSON_SLUG}/quiz/attempts/{attempt.pk}/").content.decode()
    signature = re.search(r'data-signature="([^"]+)"', page)
    assert signature, "the results page carries the signed result for progress.js"
    sent = {
        "id": str(attempt.pk),
        "form": 10,
        "score": 7,
        "total": 10,
        "finished_at": re.search(r'data-finished-at="([^"]+)"', page).group(1),
        "signature": signature.group(1),
    }
    body = json.dumps({"version": 1, "lessons": {LESSON_SLUG: {"attempts": [sent]}}})

    def sync_as(email: str) -> dict:
        user = get_user_model().objects.create_user(email, "pw 1234567890")
        device = Client()
        device.force_login(user)
        response = device.post("/api/progress/sync", body, content_type="application/json")
        assert response.status_code == 200
        return response.json()

    first = sync_as("ada@example.com")
    assert [a["id"] for a in first["document"]["lessons"][LESSON_SLUG]["attempts"]] == [sent["id"]]
    assert Attempt.objects.get(pk=attempt.pk).user.email == "ada@example.com"
    second = sync_as("bob@example.com")
    assert second["rejected_attempts"][0]["reason"] == "this attempt belongs to another learner"
    assert LESSON_SLUG not in second["document"]["lessons"] or not second["document"]["lessons"][
        LESSON_SLUG
    ].get("attempts")


def test_check_with_nothing_chosen_keeps_the_attempt_shown(client: Client) -> None:
    questions = shown_questions(client.get(QUIZ_10).content.decode())
    answer_url, first_question = questions[0]
    response = client.post(answer_url, {"question": first_question})
    assert response.status_code == 303
    again = client.get(QUIZ_10).content.decode()
    assert [q for _, q in shown_questions(again)] == [q for _, q in questions]
    assert "Choose an answer, then press Check." in again
