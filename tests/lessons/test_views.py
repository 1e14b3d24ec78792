from __future__ import annotations

import gzip
import re
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from content_registry import reset_store
from tests.conftest import make_learner

FIXTURES = Path(__file__).parent.parent / "fixtures" / "content"
LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"


def test_the_catalogue_lists_the_lesson(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Writing Postmortems for AI System Incidents" in response.content
    assert LESSON_URL.encode() in response.content


def test_an_empty_catalogue_says_so(client: Client, use_content_dir, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    use_content_dir(tmp_path / "empty")
    response = client.get("/")
    assert b"No lessons yet" in response.content


def test_the_lesson_page_has_its_header_and_every_part(client: Client) -> None:
    response = client.get(LESSON_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for text in [
        "Lesson 909 of 1596",
        "Creators",
        "Ethics &amp; Society",
        "~21 min read",
        "Run blameless postmortems specifically for AI system failures.",
        "What AI does well here",
        "What AI cannot do",
        "Key insights",
        "If users were harmed, involve legal and communications before publishing.",
        "Check what stuck",
        "10 questions, one at a time · Score saves to your progress.",
        "Ask anything about this lesson.",
        "Progress saved locally in this browser.",
        "Keep going",
    ]:
        assert text in html, text
    assert 'href="#main"' in html  # skip link
    assert html.count('type="checkbox"') >= 3


def test_every_table_of_contents_link_points_at_a_section(client: Client) -> None:
    html = client.get(LESSON_URL).content.decode()
    toc = html[html.index('id="toc"') : html.index("</nav>", html.index('id="toc"'))]
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert len(targets) >= 10
    for target in targets:
        assert f'<section id="{target}"' in html, target


def test_related_lessons_never_link_to_a_missing_lesson(client: Client, use_content_dir) -> None:
    use_content_dir(FIXTURES / "valid")
    html = client.get("/lessons/sample-lesson/").content.decode()
    assert "A Lesson That Does Not Exist Yet" in html
    assert "Not available yet" in html
    assert "/lessons/missing-lesson/" not in html


def test_an_unknown_lesson_is_a_404_page_that_matches_the_site(client: Client) -> None:
    response = client.get("/lessons/no-such-lesson/")
    assert response.status_code == 404
    assert b"We couldn\xe2\x80\x99t find that page" in response.content
    assert b"Browse all lessons" in response.content


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_lesson_page_refuses_other_methods_and_says_get_and_head_are_allowed(
    client: Client, method: str
) -> None:
    response = getattr(client, method)(LESSON_URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_head_request_gets_the_headers_without_the_page(client: Client) -> None:
    # Uptime checks and link checkers ask with HEAD.
    response = client.head(LESSON_URL)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
def test_an_anonymous_lesson_view_makes_no_sql_queries(client: Client) -> None:
    client.get(LESSON_URL)  # warm the content cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LESSON_URL).status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_content_is_escaped_in_templates(client: Client, content_copy: Path) -> None:
    lesson_file = content_copy / "writing-postmortems-for-ai-system-incidents" / "lesson.md"
    text = lesson_file.read_text().replace(
        "tagline: Run blameless", 'tagline: "<script>alert(1)</script> Run blameless', 1
    )
    text = text.replace("AI system failures.\n", 'AI system failures."\n', 1)
    lesson_file.write_text(text)
    html = Client().get(LESSON_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# The page a visitor without a session sees: the same bytes for everyone, cached whole.


def test_two_signed_out_visitors_get_byte_identical_pages() -> None:
    first = Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip")
    second = Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == second.status_code == 200
    html = gzip.decompress(first.content)
    assert html == gzip.decompress(second.content)
    assert b"csrfmiddlewaretoken" not in html and b"X-CSRFToken" not in html
    assert b"Sign in" in html and b"Sign out" not in html


def test_the_shared_page_is_public_varies_only_on_encoding_and_sets_no_cookie(
    settings,
) -> None:
    settings.LESSON_PAGE_MAX_AGE = 120
    cache.clear()  # the page as it is first rendered, then as it is served from the cache
    for _ in range(2):
        response = Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip")
        assert_shared_headers(response)


def assert_shared_headers(response) -> None:
    assert response["Content-Encoding"] == "gzip"  # GZipMiddleware compresses pages
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=120"}
    assert response["Vary"] == "Accept-Encoding"
    assert not response.cookies


def test_the_shared_page_is_rendered_once_and_then_served_from_the_cache() -> None:
    Client().get(LESSON_URL)
    with patch("lessons.page.render_to_string") as render:
        again = Client().get(LESSON_URL)
    assert again.status_code == 200
    render.assert_not_called()


def test_a_changed_lesson_is_not_served_from_the_cache(content_copy: Path) -> None:
    assert b"Run blameless" in Client().get(LESSON_URL).content
    lesson_file = content_copy / "writing-postmortems-for-ai-system-incidents" / "lesson.md"
    lesson_file.write_text(lesson_file.read_text().replace("Run blameless", "Run kind", 1))
    reset_store()  # what a restart (or CONTENT_RELOAD under make run) does
    assert b"Run kind" in Client().get(LESSON_URL).content


@pytest.mark.django_db
def test_a_signed_in_learner_gets_their_own_private_page(client: Client) -> None:
    learner = make_learner("ada@example.com", "correct horse battery")
    client.force_login(learner)
    response = client.get(LESSON_URL)
    assert response["Cache-Control"] == "private"
    assert "Cookie" in response["Vary"]
    html = response.content.decode()
    assert "Sign out" in html and 'name="csrfmiddlewaretoken"' in html
    assert "Saved to your account." in html


@pytest.mark.django_db
def test_a_signed_out_visitor_with_a_session_gets_a_private_page(client: Client) -> None:
    session = client.session
    session["something"] = "of theirs"
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get(LESSON_URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private"
    assert b"Sign in" in response.content
