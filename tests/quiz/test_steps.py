"""The quiz one question per screen: each step its own address, Check, feedback, Continue,
finishing with questions left, and practising the ones missed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape

from quiz.attempts import PRACTICE_FORM
from quiz.bank import QuestionBank
from quiz.models import Attempt
from tests.quiz.test_views import (
    CHOOSE,
    LESSON_URL,
    QUIZ_10,
    answer,
    attempt_url,
    open_quiz,
    positions,
    step_url,
    with_quiz_session,
)

pytestmark = pytest.mark.django_db


def answer_on_step(
    client: Client, attempt: Attempt, bank: QuestionBank, index: int, *, right: bool, **extra
):
    question_id = attempt.plan[index][0]
    chosen = positions(attempt, bank, question_id, right=right)
    return answer(client, attempt, question_id, chosen, view="step", **extra)


def test_opening_the_quiz_lands_on_the_first_questions_own_screen(client: Client) -> None:
    response = with_quiz_session(client).get(QUIZ_10)
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{step_url(attempt, 1)}#question"
    html = client.get(step_url(attempt, 1)).content.decode()
    assert html.count("<fieldset") == 1
    assert '<h2 class="quiz-progress__label" id="question-number">Question 1 of 10</h2>' in html
    assert '<progress class="progress-bar" max="10" value="0"' in html
    assert '<section id="question" class="quiz-step" tabindex="-1"' in html
    assert ">Check</button>" in html and "Continue" not in html
    assert f'href="{QUIZ_10}all/"' in html  # "Show all questions" stays an option


def test_a_strangers_first_look_shows_question_one_and_stores_nothing(client: Client) -> None:
    response = client.get(QUIZ_10, follow=True)
    assert response.status_code == 200
    assert re.search(
        r"/quiz/attempts/[0-9a-f-]+/questions/1/#question$", response.redirect_chain[-1][0]
    )
    html = response.content.decode()
    assert '<h2 class="quiz-progress__label" id="question-number">Question 1 of 10</h2>' in html
    assert html.count("<fieldset") == 1
    assert Attempt.objects.count() == 0
    # The step's own address shows the same question again, still without storing anything.
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert again.count("<fieldset") == 1
    assert Attempt.objects.count() == 0


def test_without_javascript_check_comes_back_to_the_same_question_landing_on_the_feedback(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    response = answer_on_step(client, attempt, bank, 0, right=False)
    assert response.status_code == 302
    assert response["Location"] == f"{step_url(attempt, 1)}#quiz-feedback"
    html = client.get(step_url(attempt, 1)).content.decode()
    assert 'id="quiz-feedback"' in html
    question = bank.question(attempt.plan[0][0])
    fieldset, feedback, cont = (
        html.index("<fieldset"),
        html.index(escape(question.explanation)),
        html.index(">Continue</a>"),
    )
    assert fieldset < feedback < cont  # the explanation sits between the answers and Continue
    assert "<strong>Not quite.</strong>" in html
    assert f'href="{step_url(attempt, 2)}#question"' in html
    assert '<progress class="progress-bar" max="10" value="1"' in html
    assert ">Check</button>" not in html


def test_with_htmx_check_swaps_the_card_moves_focus_to_the_feedback_and_announces_it(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    response = answer_on_step(client, attempt, bank, 0, right=True, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="quiz-card" class="quiz-card">')
    assert re.search(r'id="quiz-feedback"[^>]*tabindex="-1"[^>]*data-focus-on-swap', html)
    assert "<strong>Correct.</strong>" in html and ">Continue</a>" in html
    assert 'id="quiz-progress" class="quiz-progress" hx-swap-oob="true"' in html
    assert re.search(
        r'id="quiz-announcer"[^>]*aria-live="polite" hx-swap-oob="true">Correct\.', html
    )


def test_checking_nothing_on_a_step_asks_for_a_choice_on_that_step_once(client: Client) -> None:
    attempt = open_quiz(client)
    response = client.post(attempt_url(attempt, "answer"), {"question": attempt.plan[3][0]})
    assert response.status_code == 303
    assert response["Location"] == f"{step_url(attempt, 4)}#question"
    assert client.get(step_url(attempt, 4)).content.decode().count(CHOOSE) == 1
    assert CHOOSE not in client.get(step_url(attempt, 4)).content.decode()


def test_the_last_question_leads_to_the_score_and_unknown_steps_are_not_found(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    answer_on_step(client, attempt, bank, 9, right=True)
    html = client.get(step_url(attempt, 10)).content.decode()
    assert f'action="{attempt_url(attempt, "finish")}"' in html and ">See my score</button>" in html
    assert client.get(step_url(attempt, 11)).status_code == 404
    assert client.get(step_url(attempt, 0)).status_code == 404


def test_finishing_with_questions_unanswered_asks_first_and_links_to_them(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    for index in range(7):
        answer_on_step(client, attempt, bank, index, right=True)
    response = client.post(attempt_url(attempt, "finish"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Finish with 3 questions unanswered?" in html
    for number in (8, 9, 10):
        assert f'href="{step_url(attempt, number)}#question"' in html
    attempt.refresh_from_db()
    assert attempt.finished_at is None
    confirmed = client.post(attempt_url(attempt, "finish"), {"confirm": "yes"})
    assert confirmed.status_code == 302 and confirmed["Location"] == attempt_url(attempt)
    attempt.refresh_from_db()
    assert attempt.score == 7
    assert client.get(step_url(attempt, 1))["Location"] == attempt_url(attempt)


def test_the_result_names_the_sections_to_reread_from_the_missed_questions_only(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    for index in range(10):
        answer_on_step(client, attempt, bank, index, right=index != 2 and index != 5)
    client.post(attempt_url(attempt, "finish"))
    html = client.get(attempt_url(attempt)).content.decode()
    reread = html[html.index('id="reread-title"') : html.index("quiz-result__actions")]
    missed = {bank.question(attempt.plan[i][0]).section_id for i in (2, 5)}
    linked = set(re.findall(rf'href="{LESSON_URL}#([^"]+)"', reread))
    assert linked == missed


def test_practising_the_missed_ones_asks_only_those_and_never_counts_as_a_score(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    for index in range(10):
        answer_on_step(client, attempt, bank, index, right=index >= 2)
    client.post(attempt_url(attempt, "finish"))
    response = client.post(attempt_url(attempt, "practice"))
    practice = Attempt.objects.exclude(id=attempt.id).get()
    assert response.status_code == 302
    assert response["Location"] == f"{step_url(practice, 1)}#question"
    assert practice.form == PRACTICE_FORM
    assert [q for q, _ in practice.plan] == [q for q, _ in attempt.plan[:2]]
    html = client.get(step_url(practice, 1)).content.decode()
    assert "Question 1 of 2" in html and "Practise the ones you missed" in html
    for index in range(2):
        answer_on_step(client, practice, bank, index, right=True)
    client.post(attempt_url(practice, "finish"))
    result = client.get(attempt_url(practice)).content.decode()
    assert "2 / 2" in result and "data-quiz-result" not in result
    assert "Best: 8/10" in client.get(LESSON_URL).content.decode()
    # The quiz itself still resumes (or starts) a real form, never the practice round.
    client.get(QUIZ_10)
    assert Attempt.objects.filter(form=10, finished_at__isnull=True).count() == 1


def test_an_unfinished_attempt_has_nothing_to_practise_yet(client: Client) -> None:
    attempt = open_quiz(client)
    response = client.post(attempt_url(attempt, "practice"))
    assert response.status_code == 409 and "Finish this attempt first" in response.content.decode()
    assert Attempt.objects.count() == 1
