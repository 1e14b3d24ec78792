"""Each quiz declares the forms it offers; the pages offer exactly those and refuse the rest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from quiz.bank import get_question_bank
from quiz.models import Answer, Attempt
from tests.conftest import LESSON_SLUG
from tests.quiz.test_views import with_quiz_session

pytestmark = pytest.mark.django_db

GROWN_UP = "when-to-tell-a-grown-up-about-something-ai-did"
HONOR_CODE = "writing-your-own-hs-ai-honor-code"
FILE = f"content/{LESSON_SLUG}/quiz.yaml"


def quiz_cta(html: str) -> str:
    return html[html.index('id="quiz-title"') : html.index('id="tutor"')]


def test_the_short_lesson_offers_only_its_six_question_quick_check(client: Client) -> None:
    cta = quiz_cta(client.get(f"/lessons/{HONOR_CODE}/").content.decode())
    assert "Quick check" in cta and "6 questions, one at a time · Score saves" in cta
    assert f'href="/lessons/{HONOR_CODE}/quiz/6/"' in cta
    assert "/quiz/10/" not in cta and "/quiz/15/" not in cta
    assert client.get(f"/lessons/{HONOR_CODE}/quiz/10/").status_code == 404
    assert client.get(f"/lessons/{HONOR_CODE}/quiz/15/").status_code == 404


def test_the_six_question_form_asks_six_questions_covering_every_sub_lesson(
    client: Client,
) -> None:
    bank = get_question_bank(HONOR_CODE)
    assert bank is not None and len(bank.questions) > 6  # a draw, not always the same six
    for _ in range(5):
        html = with_quiz_session(client).get(f"/lessons/{HONOR_CODE}/quiz/6/all/").content.decode()
        assert "<h1>Quick check</h1>" in html and html.count("<fieldset") == 6
        attempt = Attempt.objects.filter(lesson_slug=HONOR_CODE).latest("started_at")
        asked = [bank.question(question_id) for question_id, _ in attempt.plan]
        parts = {bank.sub_lesson_of(q) for q in asked if q is not None}
        assert parts == set(bank.sub_lessons)
        client.post(f"/lessons/{HONOR_CODE}/quiz/6/retake/")


def test_the_childrens_quiz_runs_and_can_be_answered(client: Client) -> None:
    html = with_quiz_session(client).get(f"/lessons/{GROWN_UP}/quiz/10/all/").content.decode()
    assert html.count("<fieldset") == 10
    attempt = Attempt.objects.filter(lesson_slug=GROWN_UP).latest("started_at")
    bank = get_question_bank(GROWN_UP)
    assert bank is not None
    question_id, option_ids = attempt.plan[0]
    question = bank.question(question_id)
    assert question is not None
    chosen = [str(option_ids.index(o) + 1) for o in sorted(question.correct_option_ids)]
    url = f"/lessons/{GROWN_UP}/quiz/attempts/{attempt.id}/answer/"
    response = client.post(url, {"question": question_id, "option": chosen})
    assert response.status_code in (200, 302)
    assert Answer.objects.get(attempt=attempt).question_id == question_id
    assert client.get(f"/lessons/{GROWN_UP}/quiz/15/").status_code == 404


def test_the_postmortem_quiz_still_offers_both_of_its_forms(client: Client) -> None:
    cta = quiz_cta(client.get(f"/lessons/{LESSON_SLUG}/").content.decode())
    assert f'href="/lessons/{LESSON_SLUG}/quiz/10/"' in cta
    assert f'href="/lessons/{LESSON_SLUG}/quiz/15/"' in cta
    assert client.get(f"/lessons/{LESSON_SLUG}/quiz/6/").status_code == 404


def _problems_for(path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    path.write_text(text)
    with pytest.raises(CommandError):
        call_command("check_content")
    return capsys.readouterr().err.strip().splitlines()


def test_an_unknown_or_repeated_form_is_reported_with_file_and_field(
    install_quiz: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = install_quiz("valid.yaml")
    original = path.read_text()
    assert "forms:" not in original  # a file without `forms` offers the 10 and 15 forms
    declare = original.replace("pass_percent:", "forms: [10, 12, 10]\npass_percent:", 1)
    assert _problems_for(path, declare, capsys) == [
        f"{FILE}: forms[2]: duplicate form '10' (first used at forms[0])",
        f"{FILE}: forms[1]: 12 is not a quiz form; choose from 6, 10, 15",
    ]


def test_a_quiz_that_offers_no_form_is_reported(
    install_quiz: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = install_quiz("valid.yaml")
    text = path.read_text().replace("pass_percent:", "forms: []\npass_percent:", 1)
    assert _problems_for(path, text, capsys) == [
        f"{FILE}: forms: must have at least 1 item",
    ]
