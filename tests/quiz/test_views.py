from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape

from quiz.attempts import SESSION_OWNER_KEY, Owner
from quiz.bank import QuestionBank, clear_question_bank_cache, get_question_bank
from quiz.models import Answer, Attempt
from quiz.results import verify_quiz_result
from tests.conftest import LESSON_SLUG

pytestmark = pytest.mark.django_db

LESSON_URL = f"/lessons/{LESSON_SLUG}/"
QUIZ_10 = f"{LESSON_URL}quiz/10/"
QUIZ_15 = f"{LESSON_URL}quiz/15/"
ALL_10 = f"{QUIZ_10}all/"
ALL_15 = f"{QUIZ_15}all/"
CHOOSE = "Choose an answer, then press Check."


def attempt_url(attempt: Attempt, action: str = "") -> str:
    return f"{LESSON_URL}quiz/attempts/{attempt.id}/{action + '/' if action else ''}"


def with_quiz_session(client: Client) -> Client:
    """A browser that has started a quiz before, so a quiz page stores its attempt (a stranger's
    view stores nothing until the first answer: see test_no_writes_for_strangers.py)."""
    if SESSION_OWNER_KEY not in client.session:
        session = client.session
        session[SESSION_OWNER_KEY] = Owner.new_session_key()
        session.save()
    return client


def open_quiz(client: Client, url: str = QUIZ_10) -> Attempt:
    assert with_quiz_session(client).get(url, follow=True).status_code == 200
    return Attempt.objects.filter(finished_at__isnull=True).latest("started_at")


def step_url(attempt: Attempt, number: int) -> str:
    return f"{attempt_url(attempt)}questions/{number}/"


def positions(attempt: Attempt, bank: QuestionBank, question_id: str, *, right: bool) -> list[int]:
    """The 1-based positions (as the page numbers them) of the right answer, or of a wrong one."""
    option_ids = dict(attempt.plan)[question_id]
    question = bank.question(question_id)
    assert question is not None
    if right:
        return sorted(option_ids.index(o) + 1 for o in question.correct_option_ids)
    wrong = next(o.id for o in question.options if not o.correct)
    return [option_ids.index(wrong) + 1]


def answer(
    client: Client, attempt: Attempt, question_id: str, chosen: list[int], view="all", **extra
):
    data = {"question": question_id, "option": [str(p) for p in chosen], "view": view}
    return client.post(attempt_url(attempt, "answer"), data, **extra)


def snapshot(attempt: Attempt) -> tuple:
    attempt.refresh_from_db()
    answers = list(Answer.objects.filter(attempt=attempt).values_list("question_id", "selected"))
    return attempt.plan, attempt.score, attempt.finished_at, attempt.user_id, answers


def without_tokens(html: str) -> str:
    """The page minus its CSRF tokens, which change on every response."""
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", html)


def question_block(html: str, question_id: str) -> str:
    start = html.index(f'<section id="question-{question_id}"')
    return html[start : html.index("</section>", start)]


# --- Taking the quiz ---------------------------------------------------------------------------


def test_the_lesson_page_links_to_both_forms(client: Client) -> None:
    html = client.get(LESSON_URL).content.decode()
    cta = html[html.index('id="quiz-title"') : html.index('id="tutor"')]
    assert "Check what stuck" in cta and "10 questions, one at a time" in cta
    assert f'href="{QUIZ_10}"' in cta and f'href="{QUIZ_15}"' in cta


def test_the_ten_question_form_shows_ten_labelled_fieldsets_and_a_progress_indicator(
    client: Client,
) -> None:
    html = client.get(ALL_10).content.decode()
    assert html.count("<h1") == 1 and "<h1>Check what stuck</h1>" in html
    assert html.count("<fieldset") == 10 and html.count("<legend") == 10
    assert "Question 1 of 10" in html and "Question 10 of 10" in html
    assert '<progress class="progress-bar" max="10" value="0"' in html
    for input_id in re.findall(r'<input type="(?:radio|checkbox)" id="([^"]+)"', html):
        assert f'<label for="{input_id}">' in html
    hints = html.count('<p class="field-help" id="question-')
    assert hints == html.count('type="checkbox"') // 6  # each select-all question says so
    assert 'aria-describedby="question-' in html or hints == 0


def test_the_fifteen_question_form_asks_fifteen_of_the_bank(
    client: Client, bank: QuestionBank
) -> None:
    html = with_quiz_session(client).get(ALL_15).content.decode()
    assert "<h1>End-of-lesson check</h1>" in html
    assert html.count("<fieldset") == 15
    attempt = Attempt.objects.latest("started_at")
    asked = [bank.question(question_id) for question_id, _ in attempt.plan]
    select_all_options = sum(
        len(q.options) for q in asked if q is not None and q.kind == "multiple"
    )
    assert html.count('type="checkbox"') == select_all_options


@pytest.mark.parametrize(
    "url", [f"{LESSON_URL}quiz/12/", "/lessons/no-such-lesson/quiz/10/", f"{LESSON_URL}quiz/x/"]
)
def test_forms_that_do_not_exist_are_not_found(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404
    assert not Attempt.objects.exists()


def test_a_reload_resumes_the_same_attempt_with_the_same_order(client: Client) -> None:
    first = with_quiz_session(client).get(ALL_10).content.decode()
    second = client.get(ALL_10).content.decode()
    assert Attempt.objects.count() == 1
    assert without_tokens(first) == without_tokens(second)


def test_the_page_never_contains_the_correct_option_before_answering(
    client: Client, bank: QuestionBank
) -> None:
    html = client.get(ALL_15).content.decode()
    questions = html[html.index('class="quiz__questions"') : html.index('id="finish"')]
    assert "correct" not in questions.lower()
    for question in bank.questions:
        assert escape(question.explanation)[:60] not in html
    # Options are numbered by position in this attempt, never by their id in quiz.yaml.
    assert set(re.findall(r'name="option" value="([^"]+)"', html)) <= {str(n) for n in range(1, 9)}


def test_which_option_is_correct_changes_nothing_on_the_page(
    client: Client, content_copy: Path
) -> None:
    before = with_quiz_session(client).get(ALL_15).content.decode()
    quiz_file = content_copy / LESSON_SLUG / "quiz.yaml"
    text = quiz_file.read_text()
    # Move the premise question's correct flag from its first option to its second.
    text = text.replace(
        "        correct: true\n      - id: general-is-enough", "      - id: general-is-enough", 1
    )
    text = text.replace(
        "          vocabulary changes.\n",
        "          vocabulary changes.\n        correct: true\n",
        1,
    )
    quiz_file.write_text(text)
    clear_question_bank_cache()
    changed = get_question_bank(LESSON_SLUG)
    assert changed is not None
    assert changed.question("premise").correct_option_ids == {"general-is-enough"}
    after = client.get(ALL_15).content.decode()
    assert without_tokens(before) == without_tokens(after)


# --- Checking answers without JavaScript -------------------------------------------------------


def test_without_javascript_check_posts_and_the_page_comes_back_with_feedback(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    question_id = attempt.plan[0][0]
    response = answer(
        client, attempt, question_id, positions(attempt, bank, question_id, right=True)
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ALL_10}#question-{question_id}"
    html = client.get(ALL_10).content.decode()
    block = question_block(html, question_id)
    question = bank.question(question_id)
    assert "<strong>Correct.</strong>" in block
    assert escape(question.explanation) in block
    assert f'href="{LESSON_URL}#{question.section_id}"' in block
    assert '<fieldset class="quiz-question__fieldset" disabled' in block
    assert 'role="status"' in block
    assert "Question 2 of 10" in html and 'value="1"' in html


def test_a_wrong_answer_shows_the_right_one_and_the_explanation(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    question_id = attempt.plan[0][0]
    answer(client, attempt, question_id, positions(attempt, bank, question_id, right=False))
    block = question_block(client.get(ALL_10).content.decode(), question_id)
    question = bank.question(question_id)
    assert "<strong>Not quite.</strong> The right answer" in block
    for option in question.options:
        if option.correct:
            assert f"“{option.text}”" in block
    assert "(your answer, not correct)" in block


def test_checking_with_nothing_chosen_redirects_to_the_question_and_asks_for_a_choice_once(
    client: Client,
) -> None:
    attempt = open_quiz(client)
    question_id = attempt.plan[2][0]
    response = client.post(attempt_url(attempt, "answer"), {"question": question_id, "view": "all"})
    # Post/redirect/get: the page is fetched again, so reloading it never re-posts the form.
    assert response.status_code == 303
    assert response["Location"] == f"{ALL_10}#question-{question_id}"
    assert not Answer.objects.exists()
    html = client.get(ALL_10).content.decode()
    assert html.count(CHOOSE) == 1
    block = question_block(html, question_id)
    assert f'<p class="field-error" id="question-{question_id}-error">{CHOOSE}</p>' in block
    assert re.search(rf'<fieldset [^>]*aria-describedby="[^"]*question-{question_id}-error"', block)
    # Still open for an answer (an option's own text may say "disabled": look at the tags).
    assert not re.search(r"<(?:input|button)\b[^>]*\bdisabled\b", block)
    assert "hx-post" in block
    reloaded = client.get(ALL_10).content.decode()
    assert CHOOSE not in reloaded and f"question-{question_id}-error" not in reloaded


def test_a_choice_note_kept_for_one_attempt_is_not_shown_on_another(client: Client) -> None:
    attempt = open_quiz(client)
    client.post(attempt_url(attempt, "answer"), {"question": attempt.plan[0][0]})
    assert CHOOSE not in client.get(QUIZ_15, follow=True).content.decode()


# --- Checking answers with htmx ----------------------------------------------------------------


def test_with_htmx_check_returns_the_locked_question_its_feedback_and_the_progress(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    question_id = attempt.plan[0][0]
    response = answer(
        client,
        attempt,
        question_id,
        positions(attempt, bank, question_id, right=True),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html
    assert (
        html.startswith(f'\n<form id="question-{question_id}-form"')
        or f'<form id="question-{question_id}-form"' in html
    )
    assert "hx-post" not in html  # locked: nothing more to send for this question
    assert f'<div id="feedback-{question_id}" hx-swap-oob="innerHTML">' in html
    assert "<strong>Correct.</strong>" in html
    assert 'id="quiz-progress" class="quiz-progress" hx-swap-oob="true"' in html
    assert "Question 2 of 10" in html
    assert f'id="question-{question_id}-action"' in html and "Next question" in html


def test_with_htmx_checking_with_nothing_chosen_shows_the_note_under_the_question(
    client: Client,
) -> None:
    attempt = open_quiz(client)
    question_id = attempt.plan[0][0]
    response = client.post(
        attempt_url(attempt, "answer"),
        {"question": question_id, "view": "all"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "hx-post" in html  # a partial, and the question stays open
    feedback = f'<div id="feedback-{question_id}" hx-swap-oob="innerHTML">'
    assert f'{feedback}<p class="field-error" id="question-{question_id}-error">{CHOOSE}' in html
    assert re.search(rf'<fieldset [^>]*aria-describedby="[^"]*question-{question_id}-error"', html)
    assert not Answer.objects.exists()
    assert CHOOSE not in client.get(ALL_10).content.decode()  # nothing kept for a later page


# --- Finishing and the results page ------------------------------------------------------------


def take_whole_quiz(
    client: Client, bank: QuestionBank, *, right: int, url: str = QUIZ_10
) -> Attempt:
    attempt = open_quiz(client, url)
    for index, (question_id, _) in enumerate(attempt.plan):
        answer(
            client, attempt, question_id, positions(attempt, bank, question_id, right=index < right)
        )
    response = client.post(attempt_url(attempt, "finish"))
    assert response.status_code == 302
    assert response["Location"] == attempt_url(attempt)
    return attempt


def test_the_results_page_shows_score_pass_review_retake_and_the_way_back(
    client: Client, bank: QuestionBank
) -> None:
    attempt = take_whole_quiz(client, bank, right=8)
    html = client.get(attempt_url(attempt)).content.decode()
    assert "8 / 10 — 80 %" in html
    assert "<strong>Passed.</strong>" in html
    assert html.count('class="quiz-review__item') == 10
    assert (
        html.count("<strong>Correct.</strong>") == 8
        and html.count("<strong>Not correct.</strong>") == 2
    )
    assert f'action="{QUIZ_10}new/"' in html and ">Retake</button>" in html
    assert f'action="{attempt_url(attempt, "practice")}"' in html
    assert ">Practise the 2 you missed</button>" in html
    assert f'href="{LESSON_URL}">Back to the lesson</a>' in html


def test_a_low_score_does_not_pass(client: Client, bank: QuestionBank) -> None:
    attempt = take_whole_quiz(client, bank, right=6)
    html = client.get(attempt_url(attempt)).content.decode()
    assert "6 / 10 — 60 %" in html and "<strong>Not passed yet.</strong>" in html


def test_the_results_page_exposes_one_signed_result_for_the_progress_script(
    client: Client, bank: QuestionBank
) -> None:
    attempt = take_whole_quiz(client, bank, right=9, url=QUIZ_15)
    html = client.get(attempt_url(attempt)).content.decode()
    assert html.count("data-quiz-result") == 1
    attrs = dict(
        re.findall(r'data-([a-z-]+)="([^"]*)"', html[html.index("data-quiz-result") - 200 :])
    )
    attempt.refresh_from_db()
    assert attrs["lesson"] == LESSON_SLUG
    assert attrs["attempt-id"] == str(attempt.id)
    assert (attrs["form"], attrs["score"], attrs["total"]) == ("15", "9", "15")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", attrs["finished-at"])
    result = verify_quiz_result(attrs["signature"])
    assert result is not None
    assert (result.attempt_id, result.score, result.total, result.form) == (
        str(attempt.id),
        9,
        15,
        15,
    )
    assert result.finished_at == attempt.finished_at


def test_an_unfinished_attempts_result_page_leads_back_to_the_quiz(client: Client) -> None:
    attempt = open_quiz(client)
    response = client.get(attempt_url(attempt))
    assert (
        response.status_code == 302 and response["Location"] == f"{step_url(attempt, 1)}#question"
    )


def test_retake_starts_a_new_attempt_and_the_lesson_page_shows_the_best_score(
    client: Client, bank: QuestionBank
) -> None:
    first = take_whole_quiz(client, bank, right=8)
    response = client.post(f"{QUIZ_10}new/")
    second = Attempt.objects.filter(finished_at__isnull=True).get()
    assert response.status_code == 302
    assert response["Location"] == f"{step_url(second, 1)}#question"
    assert second.id != first.id and Attempt.objects.count() == 2
    assert "Best: 8/10" in client.get(LESSON_URL).content.decode()


def test_a_first_visit_to_the_lesson_page_reads_no_session(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        assert client.get(LESSON_URL).status_code == 200


# --- Tampering: a clear 4xx, and nothing changes -----------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"question": "no-such-question", "option": "1"},
            400,
            "question: no question &#x27;no-such-question&#x27; in this quiz.",
        ),
        (
            {"question": "FIRST", "option": "7"},
            400,
            "option: 7 is not an option of this question (1-4).",
        ),
        (
            {"question": "FIRST", "option": "0"},
            400,
            "option[0]: is not an option of this question.",
        ),
        ({"question": "FIRST", "option": "two"}, 400, "option[0]: must be an option number."),
        ({"question": "FIRST", "option": ["1", "2"]}, 400, "takes one answer, not 2"),
        (
            {"question": "FIRST", "option": "1", "score": "10"},
            400,
            "score: is not a field of this form.",
        ),
        (
            {"question": "FIRST", "option": "1", "correct": "true"},
            400,
            "correct: is not a field of this form.",
        ),
        ({"option": "1"}, 400, "question: is required."),
        ({"question": ["FIRST", "SECOND"], "option": "1"}, 400, "question: must be sent once."),
        ({"question": "../../etc", "option": "1"}, 400, "question: is not a question id."),
        (
            {"question": "FIRST", "option": [str(n) for n in range(1, 10)]},
            400,
            "option: at most 8 options.",
        ),
        ({"question": "OUTSIDE", "option": "1"}, 400, "is not part of this attempt."),
    ],
)
def test_tampered_answers_are_refused_clearly_and_change_nothing(
    client: Client, bank: QuestionBank, data: dict, status: int, message: str
) -> None:
    attempt = open_quiz(client)
    planned = [question_id for question_id, _ in attempt.plan]
    first = next(q for q in planned if bank.question(q).kind == "single")
    outside = next(q.id for q in bank.questions if q.id not in planned)
    names = {"FIRST": first, "SECOND": planned[1], "OUTSIDE": outside}
    data = {
        key: [names.get(v, v) for v in value]
        if isinstance(value, list)
        else names.get(value, value)
        for key, value in data.items()
    }
    before = snapshot(attempt)
    response = client.post(attempt_url(attempt, "answer"), data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    assert snapshot(attempt) == before


def test_answering_twice_is_a_conflict_and_keeps_the_first_answer(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    question_id = attempt.plan[0][0]
    answer(client, attempt, question_id, positions(attempt, bank, question_id, right=False))
    before = snapshot(attempt)
    response = answer(
        client, attempt, question_id, positions(attempt, bank, question_id, right=True)
    )
    assert response.status_code == 409
    assert "already answered" in response.content.decode()
    assert snapshot(attempt) == before
    htmx = answer(client, attempt, question_id, [1], headers={"HX-Request": "true"})
    assert htmx.status_code == 409 and htmx["HX-Refresh"] == "true"


def test_a_finished_attempt_takes_no_answers_and_cannot_be_finished_again(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    client.post(attempt_url(attempt, "finish"), {"confirm": "yes"})
    before = snapshot(attempt)
    response = answer(client, attempt, attempt.plan[0][0], [1])
    assert response.status_code == 409 and "finished" in response.content.decode()
    assert client.post(attempt_url(attempt, "finish"), {"confirm": "yes"}).status_code == 409
    assert snapshot(attempt) == before


def test_a_forged_score_on_finish_is_refused(client: Client, bank: QuestionBank) -> None:
    attempt = open_quiz(client)
    before = snapshot(attempt)
    response = client.post(attempt_url(attempt, "finish"), {"score": "10", "total": "10"})
    assert response.status_code == 400
    assert "score: is not a field of this form." in response.content.decode()
    assert snapshot(attempt) == before
    assert client.post(f"{QUIZ_10}new/", {"score": "10"}).status_code == 400
    assert Attempt.objects.count() == 1


def test_an_oversized_post_is_refused(client: Client) -> None:
    attempt = open_quiz(client)
    before = snapshot(attempt)
    response = client.post(
        attempt_url(attempt, "answer"),
        {"question": attempt.plan[0][0], "option": "1", "pad": "x" * 5000},
    )
    assert response.status_code == 413
    assert snapshot(attempt) == before


@pytest.mark.parametrize("content_length", ["abc", "-5", "1e3", "+10", "1_000"])
@pytest.mark.parametrize("action", ["answer", "finish", "retake"])
def test_a_malformed_content_length_is_refused_clearly_and_changes_nothing(
    client: Client, action: str, content_length: str
) -> None:
    attempt = open_quiz(client)
    before = snapshot(attempt)
    url = f"{QUIZ_10}new/" if action == "retake" else attempt_url(attempt, action)
    data = {"question": attempt.plan[0][0], "option": "1"} if action == "answer" else {}
    response = client.post(url, data, CONTENT_LENGTH=content_length)
    assert response.status_code == 400
    assert "Content-Length" in response.content.decode()
    assert "number of bytes" in response.content.decode()
    assert snapshot(attempt) == before
    assert Attempt.objects.count() == 1


def test_a_json_body_is_refused_as_malformed(client: Client) -> None:
    attempt = open_quiz(client)
    response = client.post(
        attempt_url(attempt, "answer"),
        data='{"question": "premise", "option": [1]}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_another_browsers_attempt_cannot_be_answered_finished_or_seen(
    client: Client, bank: QuestionBank
) -> None:
    attempt = open_quiz(client)
    client.post(attempt_url(attempt, "finish"), {"confirm": "yes"})
    mine = open_quiz(client)
    before = snapshot(mine)
    other = Client()
    assert answer(other, mine, mine.plan[0][0], [1]).status_code == 404
    assert other.post(attempt_url(mine, "finish")).status_code == 404
    assert other.get(attempt_url(attempt)).status_code == 404
    assert other.get(step_url(mine, 1)).status_code == 404
    assert other.post(attempt_url(attempt, "practice")).status_code == 404
    assert snapshot(mine) == before


def test_an_attempt_is_only_reachable_under_its_own_lesson(client: Client) -> None:
    attempt = open_quiz(client)
    url = attempt_url(attempt, "finish").replace(LESSON_SLUG, "no-such-lesson")
    assert client.post(url).status_code == 404


def test_posts_need_a_csrf_token_and_answer_urls_refuse_get(client: Client) -> None:
    attempt = open_quiz(client)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(attempt_url(attempt, "finish")).status_code == 403
    assert client.get(attempt_url(attempt, "answer")).status_code == 405
    assert client.get(attempt_url(attempt, "finish")).status_code == 405
    assert Attempt.objects.get().finished_at is None


def test_quiz_pages_ask_search_engines_not_to_index_them(client: Client) -> None:
    """Opening a quiz starts an attempt: crawlers should not start (or list) any."""
    noindex = '<meta name="robots" content="noindex">'
    assert noindex in client.get(QUIZ_10, follow=True).content.decode()
    assert noindex in client.get(ALL_10).content.decode()
    assert noindex not in client.get(LESSON_URL).content.decode()
