"""A request with a broken Content-Length gets a clear 400 with the usual headers, not a 500."""

from __future__ import annotations

import pytest
from django.test import Client

SLUG = "writing-postmortems-for-ai-system-incidents"


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "+10", "1_000", "١٢"])
@pytest.mark.parametrize(
    "path",
    [f"/lessons/{SLUG}/tutor/", "/accounts/login/", f"/lessons/{SLUG}/practice/"],
)
def test_a_form_post_with_a_broken_content_length_is_a_400(path: str, length: str) -> None:
    client = Client(raise_request_exception=True)
    response = client.post(
        path,
        "question=hello",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=length,
    )
    assert response.status_code == 400
    assert b"Content-Length must be a number of bytes" in response.content
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_well_formed_post_is_untouched() -> None:
    response = Client().post(f"/lessons/{SLUG}/tutor/", {"question": "what is blameless?"})
    assert response.status_code == 302  # the no-JS tutor answers by redirecting to the answer
