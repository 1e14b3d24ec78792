from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from lessons.public_page import PublicPage, is_first_visit

LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"
TOKEN = re.compile(r'(?:"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)')


def test_pieces_joined_around_any_token_are_one_valid_gzip_stream() -> None:
    page = PublicPage.from_html("<p>start</p>\x00csrf-token\x00<p>middle</p>\x00csrf-token\x00end")
    for token in ["abc", "x" * 64, ""]:
        assert gzip.decompress(page.gzip_body(token)).decode() == (
            f"<p>start</p>{token}<p>middle</p>{token}end"
        )


def test_a_first_visit_gets_the_same_page_compressed_with_its_own_token() -> None:
    plain = Client().get(LESSON_URL)
    compressed = Client().get(LESSON_URL, HTTP_ACCEPT_ENCODING="gzip, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    unpacked = gzip.decompress(compressed.content).decode()
    assert TOKEN.sub("", unpacked) == TOKEN.sub("", plain.content.decode())
    assert TOKEN.search(unpacked).group(1) != TOKEN.search(plain.content.decode()).group(1)


@pytest.mark.django_db
def test_the_token_in_a_first_visit_page_is_accepted_with_its_cookie() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get(LESSON_URL)
    token = TOKEN.search(response.content.decode()).group(1)
    assert "csrftoken" in response.cookies
    # Any CSRF-protected POST shows the pair works; signing out is one every site has.
    rejected = client.post("/healthz")
    assert rejected.status_code == 403
    accepted = client.post("/healthz", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 405  # past the CSRF check, and /healthz only answers GET


@pytest.mark.django_db
def test_only_signed_out_visitors_without_a_session_share_the_page(rf) -> None:
    user = get_user_model().objects.create_user("ada@example.org", "pw-123456!")

    def request(**extra: object) -> object:
        req = rf.get(LESSON_URL, **extra)
        req.user = AnonymousUser()
        req.htmx = False
        return req

    assert is_first_visit(request())
    signed_in = request()
    signed_in.user = user
    assert not is_first_visit(signed_in)
    assert not is_first_visit(request(HTTP_COOKIE="sessionid=abc"))
    with_query = rf.get(LESSON_URL, {"ref": "mail"})
    with_query.user, with_query.htmx = AnonymousUser(), False
    assert not is_first_visit(with_query)
