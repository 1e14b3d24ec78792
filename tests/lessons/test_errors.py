"""The site's 404: says what was not found, and leads back to the lesson it was under."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import LESSON_SLUG

pytestmark = pytest.mark.django_db

LESSON_URL = f"/lessons/{LESSON_SLUG}/"


def test_a_bad_quiz_address_says_so_and_links_back_to_its_lesson(client: Client) -> None:
    response = client.get(f"{LESSON_URL}quiz/12/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "This lesson has no such quiz." in html
    assert f'<a class="button" href="{LESSON_URL}">Back to “Writing Postmortems' in html
    assert f"<code>{LESSON_URL}quiz/12/</code>" in html


def test_an_address_under_a_lesson_that_matches_nothing_still_leads_to_the_lesson(
    client: Client,
) -> None:
    response = client.get(f"{LESSON_URL}no-such-part/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is no page at this address." in html
    assert f'href="{LESSON_URL}"' in html
    assert "tried" not in html and "urlpatterns" not in html.lower()  # nothing for developers


def test_a_missing_lesson_says_so_and_offers_the_catalogue(client: Client) -> None:
    response = client.get("/lessons/no-such-lesson/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "No lesson with that address." in html
    assert 'href="/">Browse all lessons</a>' in html
    assert "Back to “" not in html


def test_the_address_shown_is_escaped(client: Client) -> None:
    html = client.get("/nothing/%3Cscript%3Ealert(1)%3C/script%3E/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
