from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import path

SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_URL = f"/lessons/{SLUG}/"

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


INLINE_CODE = re.compile(r"<style|<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def assert_no_inline_code(response, label: str) -> None:
    """The policy refuses inline scripts, styles and handlers; a page must not need them."""
    if response.get("Content-Type", "").startswith("text/html") and not response.get(
        "Content-Encoding"
    ):
        match = INLINE_CODE.search(response.content.decode())
        assert match is None, f"{label}: inline code {match and match.group(0)!r}"


def assert_secure_headers(response, label: str) -> None:
    assert response.status_code < 500, f"{label}: {response.status_code}"
    for header, value in EXPECTED_HEADERS.items():
        assert response.get(header) == value, f"{label}: {header}"
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, label
    assert "script-src 'self'" in policy, label
    assert "style-src 'self'" in policy, label
    assert "frame-ancestors 'none'" in policy, label
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, label
    permissions = response.get("Permissions-Policy", "")
    assert "camera=()" in permissions and "geolocation=()" in permissions, label


@pytest.fixture
def learner(db) -> Client:
    user = get_user_model().objects.create_user("sec@example.org", "a long passphrase 42")
    client = Client()
    client.force_login(user)
    return client


def first_question(html: str) -> tuple[str, str, str]:
    """(answer URL, question id, one option id) from a quiz page."""
    action = re.search(r'action="([^"]*/answer/)"', html).group(1)
    question = re.search(r'name="question" value="([^"]+)"', html).group(1)
    option = re.search(r'name="option" value="([^"]+)"', html).group(1)
    return action, question, option


@pytest.mark.django_db
def test_every_kind_of_page_and_answer_carries_the_security_headers(learner: Client) -> None:
    anonymous = Client()
    pages = {
        "catalogue": anonymous.get("/"),
        "lesson, first visit": anonymous.get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip"),
        "lesson, signed in": learner.get(LESSON_URL),
        "404 page": anonymous.get("/lessons/no-such-lesson/"),
        "405 answer": anonymous.post(LESSON_URL),
        "health check": anonymous.get("/healthz"),
        "sign in": anonymous.get("/accounts/login/"),
        "sign up": anonymous.get("/accounts/signup/"),
        "progress page": learner.get("/progress/"),
        "practice page": learner.get(f"/lessons/{SLUG}/practice/"),
        "tutor answer (htmx)": learner.post(
            f"/lessons/{SLUG}/tutor/",
            {"question": "What is a blameless postmortem?"},
            HTTP_HX_REQUEST="true",
        ),
        "tutor API": learner.post(
            f"/api/lessons/{SLUG}/tutor",
            json.dumps({"question": "Who should review harm?"}),
            content_type="application/json",
        ),
        "sync API": learner.post(
            "/api/progress/sync",
            json.dumps({"version": 1, "lessons": {}}),
            content_type="application/json",
        ),
        "sync API, refused": anonymous.post(
            "/api/progress/sync", "{}", content_type="application/json"
        ),
    }
    quiz_page = learner.get(f"/lessons/{SLUG}/quiz/10/", follow=True)
    pages["quiz page"] = quiz_page
    pages["quiz, all questions"] = learner.get(f"/lessons/{SLUG}/quiz/10/all/")
    action, question, option = first_question(quiz_page.content.decode())
    pages["quiz feedback (htmx)"] = learner.post(
        action, {"question": question, "option": option}, HTTP_HX_REQUEST="true"
    )
    assert pages["quiz feedback (htmx)"].status_code == 200
    finish = re.search(r'action="([^"]*/finish/)"', quiz_page.content.decode()).group(1)
    pages["quiz, finish with questions left"] = learner.post(finish)
    finished = learner.post(finish, {"confirm": "yes"})
    assert finished.status_code in (302, 303)
    pages["quiz result"] = learner.get(finished["Location"])
    pages["tutor page, no JavaScript"] = learner.post(
        f"/lessons/{SLUG}/tutor/", {"question": "Who reviews harm before publishing?"}
    )
    pages["password reset"] = anonymous.get("/accounts/password/reset/")
    pages["password reset, bad link"] = anonymous.get("/accounts/password/reset/key/1-bad-token/")
    pages["admin, not staff"] = learner.get("/admin/")
    pages["form refused, no CSRF token"] = Client(enforce_csrf_checks=True).post(
        f"/lessons/{SLUG}/tutor/", {"question": "anything"}
    )
    assert pages["form refused, no CSRF token"].status_code == 403
    for label, response in pages.items():
        assert_secure_headers(response, label)
        assert_no_inline_code(response, label)


@pytest.mark.django_db
def test_a_refused_form_explains_itself_in_the_sites_own_page() -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"/lessons/{SLUG}/tutor/", {"question": "What is blameless?"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>This form has expired</h1>" in html
    assert "nothing was saved" in html
    assert "allow cookies" in html  # this client sent no CSRF cookie at all
    assert_no_inline_code(response, "CSRF refusal")


def explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("explode/", explode)]


@pytest.mark.urls(__name__)
def test_the_500_page_carries_the_security_headers_too() -> None:
    response = Client(raise_request_exception=False).get("/explode/")
    assert response.status_code == 500
    for header, value in EXPECTED_HEADERS.items():
        assert response.get(header) == value, header
    assert "style-src 'self'" in response.get("Content-Security-Policy", "")
    assert_no_inline_code(response, "500 page")


@pytest.fixture
def collected_static(settings, tmp_path):
    """Static files as production serves them: collected, hashed and compressed."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def test_static_files_are_served_with_nosniff_and_long_caching(collected_static) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed_url = staticfiles_storage.url("css/site.css")
    assert hashed_url != "/static/css/site.css", "collectstatic should hash the file name"
    response = Client().get(hashed_url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert response.get("Content-Encoding") in {"gzip", "br"}


def test_static_files_carry_the_security_headers_too(settings) -> None:
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    for header, value in EXPECTED_HEADERS.items():
        assert response.get(header) == value, header
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_under_debug_djangos_technical_404_may_use_its_inline_styles(settings) -> None:
    settings.DEBUG = True
    response = Client().get("/no-such-page/")
    policy = response.get("Content-Security-Policy", "")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    assert "style-src 'self' 'unsafe-inline'" in policy
    # The site's own pages keep the strict policy under DEBUG too.
    assert "'unsafe-inline'" not in Client().get(LESSON_URL).get("Content-Security-Policy", "")


VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.mark.django_db
def test_under_debug_the_technical_404_is_laid_out_for_a_phone(settings) -> None:
    settings.DEBUG = True
    html = Client().get("/no-such-page/").content.decode()
    head = html.split("</head>")[0]
    assert head.count(VIEWPORT) == 1
    assert int(Client().get("/no-such-page/")["Content-Length"]) == len(html.encode())
    # The site's own 404 already has one.
    settings.DEBUG = False
    assert Client().get("/no-such-page/").content.decode().count(VIEWPORT) == 1


@pytest.mark.urls(__name__)
def test_under_debug_the_technical_500_is_readable_and_in_production_nothing_is_relaxed(
    settings,
) -> None:
    settings.DEBUG = True
    debug = Client(raise_request_exception=False).get("/explode/")
    assert debug.status_code == 500 and "RuntimeError" in debug.content.decode()
    assert "script-src 'self' 'unsafe-inline'" in debug.get("Content-Security-Policy", "")
    assert debug.content.decode().split("</head>")[0].count(VIEWPORT) == 1
    settings.DEBUG = False
    production = Client(raise_request_exception=False).get("/explode/")
    assert "'unsafe-inline'" not in production.get("Content-Security-Policy", "")
