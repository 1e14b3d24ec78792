"""Inputs that once crashed the site with a 500: each now gets a clear 4xx, in JSON on the APIs.

Run on PostgreSQL too (the second pass of .ci/run): NUL is refused by PostgreSQL's JSON type,
so that is where storing one would fail.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from progress.models import ProgressRecord
from tests.conftest import LESSON_SLUG

SYNC_URL = "/api/progress/sync"
TUTOR_URL = f"/api/lessons/{LESSON_SLUG}/tutor"
AT = "2025-03-01T12:00:00.000Z"

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(db):
    user = get_user_model().objects.create_user("nul@example.org", "pw 12345678")
    return user


@pytest.fixture
def signed_in(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


def post_json(client: Client, url: str, body: str, **extra: object):
    return client.post(url, data=body, content_type="application/json", **extra)


def sync_body(**lesson: object) -> str:
    return json.dumps({"version": 1, "lessons": {LESSON_SLUG: lesson}})


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("url", [SYNC_URL, TUTOR_URL])
@pytest.mark.parametrize("depth", [40, 1_000, 5_000])
def test_deeply_nested_json_is_refused_in_json(signed_in, url: str, depth: int) -> None:
    body = '{"version": 1, "x": ' + "[" * depth + "]" * depth + "}"
    payload = assert_json_error(post_json(signed_in, url, body), 400)
    assert "nested too deeply" in json.dumps(payload)
    assert not ProgressRecord.objects.exists()


def test_a_five_thousand_digit_number_is_refused_by_the_tutor(client: Client) -> None:
    body = '{"question": ' + "9" * 5_000 + "}"
    payload = assert_json_error(post_json(client, TUTOR_URL, body), 400)
    assert payload["field"] == "(body)"


def test_a_five_thousand_digit_number_is_refused_by_sync(signed_in) -> None:
    body = '{"version": 1, "extra": ' + "9" * 5_000 + "}"
    assert_json_error(post_json(signed_in, SYNC_URL, body), 400)


@pytest.mark.parametrize("url", [SYNC_URL, TUTOR_URL])
def test_a_form_post_to_a_json_api_is_refused_in_json_even_after_the_csrf_check(
    learner, url: str
) -> None:
    # With CSRF enforced, Django's check reads the form first; the body is gone after that.
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get(f"/lessons/{LESSON_SLUG}/")
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"question": "x", "version": "1"}, HTTP_X_CSRFTOKEN=token)
    payload = assert_json_error(response, 415)
    assert "application/json" in json.dumps(payload)


@pytest.mark.parametrize(
    "lesson",
    [
        {"reflection": {"text": "before\x00after", "at": AT}},
        {"checklist": {"apply-postmortem": {"done": True, "at": AT, "note": "\x00"}}},
        {"future_part": {"text": "a\x00b"}},
        {"\x00": 1},
        {"future_part": {"\ud800 lone": 1}},
        {"future_part": ["\udfff"]},
    ],
    ids=["reflection", "unknown-in-tick", "unknown-text", "nul-key", "surrogate-key", "surrogate"],
)
def test_text_postgresql_cannot_store_is_refused_and_nothing_is_stored(signed_in, lesson) -> None:
    payload = assert_json_error(post_json(signed_in, SYNC_URL, sync_body(**lesson)), 400)
    assert payload["problems"][0]["field"] == "(document)"
    assert not ProgressRecord.objects.exists()


def test_a_nul_in_the_no_javascript_note_is_refused_with_a_message(signed_in, learner) -> None:
    response = signed_in.post(
        f"/progress/{LESSON_SLUG}/reflection", {"reflection": "keep\x00this"}, follow=True
    )
    assert response.status_code == 200
    assert "NUL character" in response.content.decode()
    assert not ProgressRecord.objects.filter(user=learner).exists()


def test_the_wrong_method_on_an_api_is_answered_in_json(signed_in) -> None:
    payload = assert_json_error(signed_in.get(SYNC_URL), 405)
    assert payload["error"]


def test_an_unknown_api_address_is_answered_in_json(client: Client) -> None:
    assert_json_error(client.get("/api/nothing-here"), 404)


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


urlpatterns = [path("api/explode", explode), path("", include("config.urls"))]


@pytest.mark.urls(__name__)
def test_a_crash_in_an_api_is_answered_in_json_and_logged(caplog) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/explode")
    payload = assert_json_error(response, 500)
    assert "secret" not in json.dumps(payload)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert any(r.exc_info for r in caplog.records if r.name == "django.request")
