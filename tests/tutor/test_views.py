from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import unescape
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from tests.conftest import LESSON_SLUG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

FORM_URL = f"/lessons/{LESSON_SLUG}/tutor/"
API_URL = f"/api/lessons/{LESSON_SLUG}/tutor"
LESSON_URL = f"/lessons/{LESSON_SLUG}/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{LESSON_URL}"}


def ask_api(client: Client, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(API_URL, data=data, content_type="application/json", **extra)


# The lesson page


def test_the_lesson_page_has_a_labelled_question_box_that_asks_by_get_with_and_without_htmx(
    client: Client,
) -> None:
    page = client.get(LESSON_URL).content.decode()
    assert "Curious about “Writing Postmortems for AI System Incidents”?" in page
    assert "I’ll answer using just what you’re reading — short, friendly, grounded." in page
    assert f'method="get" action="{FORM_URL}"' in page
    assert f'hx-get="{FORM_URL}"' in page
    assert '<label for="tutor-question">' in page
    assert 'name="csrfmiddlewaretoken"' not in page  # a question is a read
    assert 'role="log"' in page


def test_the_lesson_page_never_shows_the_visitors_recent_questions(client: Client) -> None:
    client.get(FORM_URL, {"question": "what is an attribution narrative"})
    assert "what is an attribution narrative" in client.get(FORM_URL).content.decode()
    assert "what is an attribution narrative" not in client.get(LESSON_URL).content.decode()


def test_without_javascript_a_question_by_get_is_answered_on_a_private_page(
    client: Client,
) -> None:
    client.get(FORM_URL, {"question": "what is drift?"})
    response = client.get(FORM_URL, {"question": "what is an attribution narrative"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert re.search(f'href="{LESSON_URL}#attribution-narrative--(?:p|li)\\d+"', html)
    assert html.index("what is an attribution narrative") < html.index("what is drift?")
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "public" not in cache_control


def test_htmx_asks_by_get_too_and_gets_just_the_answer(client: Client) -> None:
    response = client.get(FORM_URL, {"question": "what is an attribution narrative"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "From: <a" in response.content.decode()
    assert "public" not in response["Cache-Control"]


# The form endpoint


def test_htmx_gets_just_the_answer_with_citation_links_into_the_lesson_page(
    client: Client,
) -> None:
    response = client.post(FORM_URL, {"question": "what is an attribution narrative"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    # The link lands on the quoted paragraph itself, and the answer is shown once.
    assert re.search(r'href="#attribution-narrative--(?:p|li)\d+">', html)
    assert "From: <a" in html
    assert "what is an attribution narrative" in html
    assert 'hx-swap-oob="true"' in html  # the box is emptied for the next question
    assert response["Vary"].startswith("HX-Request") or "HX-Request" in response["Vary"]


def test_without_javascript_the_tutor_page_shows_the_answer_and_recent_questions(
    client: Client,
) -> None:
    client.post(FORM_URL, {"question": "what is drift?"})
    response = client.post(FORM_URL, {"question": "what is an attribution narrative"})
    assert response.status_code == 302
    assert response["Location"] == FORM_URL  # reloading the page does not ask again
    response = client.get(FORM_URL)
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert re.search(f'href="{LESSON_URL}#attribution-narrative--(?:p|li)\\d+"', html)
    assert html.index("what is an attribution narrative") < html.index("what is drift?")


# Follow-ups: the question before is carried by the form (a hidden field htmx refreshes with each
# answer) and may be sent to the API; "do those need one too" means near misses only after them.
FIRST = "what is a near miss"
FOLLOW_UP = "do those need one too"


def test_htmx_reads_a_follow_up_after_the_question_before_and_carries_it_on(
    client: Client,
) -> None:
    alone = client.get(FORM_URL, {"question": FOLLOW_UP}, **HTMX).content.decode()
    assert "can’t find that in this lesson" in alone
    html = client.get(FORM_URL, {"question": FOLLOW_UP, "previous": FIRST}, **HTMX).content.decode()
    assert "Near misses count." in html
    assert f"Read as a follow-up to “{FIRST}”" in html
    # The form's hidden field now holds this question, for the next follow-up.
    assert re.search(
        rf'<input type="hidden" id="tutor-previous" name="previous" value="{FOLLOW_UP}" '
        r'hx-swap-oob="true">',
        html,
    )


def test_without_javascript_the_form_carries_the_last_question_and_recent_keep_their_context(
    client: Client,
) -> None:
    page = client.get(FORM_URL, {"question": FIRST}).content.decode()
    assert f'name="previous" value="{FIRST}"' in page
    page = client.get(FORM_URL, {"question": FOLLOW_UP, "previous": FIRST}).content.decode()
    assert "Near misses count." in page
    # Shown again among the recent questions, the follow-up keeps the answer it was given.
    page = client.get(FORM_URL).content.decode()
    assert page.index(FOLLOW_UP) < page.index("Near misses count.")
    assert f'name="previous" value="{FOLLOW_UP}"' in page


def test_the_api_reads_a_follow_up_after_the_previous_question(client: Client) -> None:
    assert not ask_api(client, {"question": FOLLOW_UP}).json()["grounded"]
    reply = ask_api(client, {"question": FOLLOW_UP, "previous": FIRST}).json()
    assert reply["grounded"]
    assert "Near misses count." in reply["answer"]
    assert reply["read_after"] == FIRST
    # A question read on its own says nothing of the one before.
    assert (
        "read_after"
        not in ask_api(client, {"question": "what is drift?", "previous": FIRST}).json()
    )


def test_a_tampered_previous_question_is_a_422_not_a_crash(client: Client) -> None:
    response = client.get(FORM_URL, {"question": FOLLOW_UP, "previous": "q" * 600}, **HTMX)
    assert response.status_code == 422
    assert "previous question" in response.content.decode()


def test_a_table_row_in_an_answer_is_shown_as_the_table_shows_it(client: Client) -> None:
    html = client.get(FORM_URL, {"question": "how do i rewrite human error"}, **HTMX)
    page = unescape(html.content.decode())
    row = page[page.index('<dl class="tutor-answer__row">') : page.index("</dl>")]
    headers = re.findall(r"<dt>(.*?)</dt>", row)
    cells = re.findall(r"<dd>(.*?)</dd>", row)
    assert headers == ["Before (blameful)", "After (blameless)"]
    assert cells[0].startswith("Human error caused the outage")
    assert cells[1].startswith("The grounding check could be disabled")


def test_the_tutor_page_can_be_opened_directly(client: Client) -> None:
    response = client.get(FORM_URL)
    assert response.status_code == 200
    assert "Ask the tutor" in response.content.decode()


def test_an_off_topic_question_gets_a_refusal_with_sections_to_try(client: Client) -> None:
    html = client.post(FORM_URL, {"question": "who won the world cup?"}, **HTMX).content.decode()
    assert "can’t find that in this lesson" in html
    assert "tutor-answer--refusal" in html
    assert html.count('<li><a href="#') >= 2


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Please type a question first."), ("   \n ", "Please type a question first.")],
)
def test_an_empty_question_is_a_422_with_a_message(
    client: Client, question: str, message: str
) -> None:
    response = client.post(FORM_URL, {"question": question})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_question_over_500_characters_is_a_422_and_keeps_the_text(client: Client) -> None:
    long_question = "why " * 130
    response = client.post(FORM_URL, {"question": long_question})
    assert response.status_code == 422
    assert "under 500 characters" in response.content.decode()
    assert "why why why" in response.content.decode()


def test_with_htmx_a_rejected_question_goes_into_the_error_slot(client: Client) -> None:
    response = client.post(FORM_URL, {"question": " "}, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#tutor-error"
    assert response["HX-Reswap"] == "innerHTML"
    assert "Please type a question first." in response.content.decode()


def test_an_unknown_lesson_is_a_404(client: Client) -> None:
    assert client.post("/lessons/no-such-lesson/tutor/", {"question": "drift?"}).status_code == 404
    assert client.get("/lessons/no-such-lesson/tutor/").status_code == 404


def test_a_rejected_question_is_not_remembered(client: Client) -> None:
    client.post(FORM_URL, {"question": "x" * 600})
    assert "x" * 50 not in client.get(FORM_URL).content.decode()


# The JSON API


def test_asking_for_the_lesson_in_brief_answers_with_its_premise_and_links_to_it(
    client: Client,
) -> None:
    page = client.get(LESSON_URL).content.decode()
    html = client.get(FORM_URL, {"question": "tl;dr pls"}, **HTMX).content.decode()
    assert 'href="#premise"' in html
    assert 'id="premise"' in page  # the link lands on the premise of the lesson page
    body = ask_api(client, {"question": "what is this lesson about?"}).json()
    assert body["grounded"] is True
    assert body["citations"][0]["section_id"] == "premise"
    assert body["answer"] in unescape(html)


def test_the_api_answers_with_answer_grounded_and_citations(client: Client) -> None:
    response = ask_api(client, {"question": "swiss cheese?"})
    assert response.status_code == 200
    body = response.json()
    assert body["grounded"] is True
    assert body["citations"][0]["section_id"] == "contributing-factors"
    assert body["citations"][0]["section_title"] == "Contributing factors by layer"
    assert body["citations"][0]["quote"]


def test_the_api_refuses_with_grounded_false_and_no_citations(client: Client) -> None:
    body = ask_api(client, {"question": "what is a p-value?"}).json()
    assert body["grounded"] is False
    assert body["citations"] == []
    assert "can’t find that in this lesson" in body["answer"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"not json", 400, "(body)"),
        (b"\xff\xfe", 400, "(body)"),
        ([1, 2], 422, "(body)"),
        ('"just a string"', 422, "(body)"),
        ({}, 422, "question"),
        ({"question": 42}, 422, "question"),
        ({"question": None}, 422, "question"),
        ({"question": ["drift"]}, 422, "question"),
        ({"question": ""}, 422, "question"),
        ({"question": " \t "}, 422, "question"),
        ({"question": "q" * 501}, 422, "question"),
        ({"question": "drift?", "extra": 1}, 422, "extra"),
        ({"question": "drift?", "previous": 7}, 422, "previous"),
        ({"question": "drift?", "previous": "q" * 501}, 422, "previous"),
    ],
)
def test_bad_api_input_is_a_4xx_json_error_naming_the_field(
    client: Client, body: Any, status: int, field: str
) -> None:
    response = ask_api(client, body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["field"] == field
    assert response.json()["error"]


def test_the_api_says_when_the_lesson_does_not_exist(client: Client) -> None:
    response = client.post(
        "/api/lessons/no-such-lesson/tutor",
        data=json.dumps({"question": "drift?"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json() == {"error": "No lesson called 'no-such-lesson'.", "field": "slug"}


def test_the_api_only_answers_post(client: Client) -> None:
    assert client.get(API_URL).status_code == 405


# CSRF


def test_both_endpoints_refuse_a_post_without_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(LESSON_URL)
    assert client.post(FORM_URL, {"question": "drift?"}).status_code == 403
    api = ask_api(client, {"question": "drift?"})
    assert api.status_code == 403
    assert "CSRF" in api.json()["error"]  # JSON clients get JSON (settings.CSRF_FAILURE_VIEW)


def test_asking_by_get_needs_no_token() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(LESSON_URL)
    assert client.get(FORM_URL, {"question": "drift?"}).status_code == 200


def test_an_htmx_post_with_the_token_from_the_cookie_passes_and_one_without_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # any page with a POST form sets the cookie
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    asked = {"question": "what is an attribution narrative"}
    assert client.post(FORM_URL, asked, **HTMX).status_code == 403
    answered = client.post(FORM_URL, asked, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert answered.status_code == 200
    assert "From: <a" in answered.content.decode()


def test_both_endpoints_accept_the_token_from_the_form_field_or_x_csrftoken() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    form = client.post(FORM_URL, {"question": "drift?", "csrfmiddlewaretoken": token})
    assert form.status_code == 302
    api = ask_api(client, {"question": "drift?"}, HTTP_X_CSRFTOKEN=token)
    assert api.status_code == 200


# Rate limit


@pytest.fixture
def three_a_minute(settings: Any) -> None:
    settings.TUTOR_RATE_LIMIT = "3/m"


@pytest.mark.usefixtures("three_a_minute")
def test_the_fourth_question_in_a_minute_is_told_to_wait_with_retry_after(client: Client) -> None:
    for _ in range(3):
        assert ask_api(client, {"question": "drift?"}).status_code == 200
    response = ask_api(client, {"question": "drift?"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "try again in" in response.json()["error"]


@pytest.mark.usefixtures("three_a_minute")
def test_the_form_rate_limit_is_friendly_with_and_without_htmx(client: Client) -> None:
    for _ in range(3):
        client.post(FORM_URL, {"question": "drift?"})
    page = client.post(FORM_URL, {"question": "drift?"})
    assert page.status_code == 429
    assert int(page["Retry-After"]) >= 1
    assert "take a breath" in page.content.decode()
    partial = client.post(FORM_URL, {"question": "drift?"}, **HTMX)
    assert partial.status_code == 429
    assert partial["HX-Retarget"] == "#tutor-error"
    assert int(partial["Retry-After"]) >= 1
    assert "take a breath" in partial.content.decode()


@pytest.mark.usefixtures("three_a_minute")
def test_questions_by_get_are_limited_like_posts(client: Client) -> None:
    for _ in range(3):
        assert client.get(FORM_URL, {"question": "drift?"}).status_code == 200
    page = client.get(FORM_URL, {"question": "drift?"})
    assert page.status_code == 429
    assert int(page["Retry-After"]) >= 1
    assert "take a breath" in page.content.decode()
    assert client.get(FORM_URL).status_code == 200  # the page itself is not a question


@pytest.mark.usefixtures("three_a_minute")
def test_the_limit_counts_per_ip_across_sessions() -> None:
    for _ in range(3):
        assert ask_api(Client(), {"question": "drift?"}).status_code == 200
    assert ask_api(Client(), {"question": "drift?"}).status_code == 429
    assert ask_api(Client(), {"question": "drift?"}, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.usefixtures("three_a_minute")
def test_the_limit_counts_per_session_across_ips(client: Client) -> None:
    # A question through the form (without JavaScript) is kept in the session, starting one;
    # it was asked before the session existed, so only its IP address counted it.
    client.post(FORM_URL, {"question": "drift?"}, REMOTE_ADDR="10.0.0.1")
    assert django_settings.SESSION_COOKIE_NAME in client.cookies
    for number in (2, 3, 4):
        response = ask_api(client, {"question": "drift?"}, REMOTE_ADDR=f"10.0.0.{number}")
        assert response.status_code == 200
    assert ask_api(client, {"question": "drift?"}, REMOTE_ADDR="10.0.0.5").status_code == 429


@pytest.mark.usefixtures("three_a_minute")
def test_cookieless_api_calls_create_no_sessions_and_are_limited_by_ip() -> None:
    for _ in range(3):
        response = ask_api(Client(), {"question": "drift?"}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 200
        assert django_settings.SESSION_COOKIE_NAME not in response.cookies
    assert ask_api(Client(), {"question": "drift?"}, REMOTE_ADDR="10.0.0.7").status_code == 429
    assert Session.objects.count() == 0


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
@pytest.mark.usefixtures("three_a_minute")
def test_the_limit_is_kept_in_redis_when_redis_url_is_set(client: Client) -> None:
    import redis

    for _ in range(3):
        ask_api(client, {"question": "drift?"})
    assert ask_api(client, {"question": "drift?"}).status_code == 429
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(b"rl:" in key for key in server.keys("*")), "no rate-limit counts in Redis"
    cache.clear()  # the counts live only there: clearing Redis lifts the limit
    assert ask_api(client, {"question": "drift?"}).status_code == 200


def test_the_urlconf_loads_the_tutors_retrieval_libraries_only_with_a_first_question() -> None:
    # In a fresh process: this one has long loaded them for other tests.
    script = (
        "import sys, django; django.setup(); import config.urls; "
        "print(sorted({'numpy', 'bm25s', 'simplemma', 'tutor.answers'} & set(sys.modules)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    found = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_a_quiz_explanation_in_an_answer_says_it_comes_from_the_quiz(client: Client) -> None:
    # Cited at the section it explains, but not written there: the page must not claim it is.
    url = "/lessons/keeping-personal-and-confidential-data-out-of-ai-prompts-at-work/tutor/"
    question = "if there's no name, just a job title and a site, is it still personal data?"
    html = unescape(client.get(url, {"question": question}, **HTMX).content.decode())
    assert "From: <a" in html  # the lesson's own paragraph
    assert "From the quiz, on: <a" in html  # the quiz explanation beside it
    reply = client.post(
        "/api/lessons/keeping-personal-and-confidential-data-out-of-ai-prompts-at-work/tutor",
        data=json.dumps({"question": question}),
        content_type="application/json",
    ).json()
    assert [c["source"] for c in reply["citations"]] == ["lesson", "quiz"]
