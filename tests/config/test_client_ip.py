"""Per-IP rate limits see each learner's own address, also behind our load balancer."""

from __future__ import annotations

import uuid

import pytest
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from config.client_ip import client_ip

BALANCER = "10.0.0.2"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


def test_without_proxies_the_connection_address_counts_and_the_header_is_ignored(
    settings,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),
        # The client can write anything to the left of what our balancer appended.
        ("1.2.3.4, 198.51.100.1", "198.51.100.1"),
        ("2001:db8::1", "2001:db8::1"),
        # Not through the balancer, or garbage where the address should be: the connection.
        ("", BALANCER),
        ("not-an-address", BALANCER),
    ],
)
def test_behind_one_balancer_the_address_it_appended_counts(
    settings, forwarded_for: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(BALANCER, forwarded_for)) == expected


def test_two_learners_behind_the_balancer_have_separate_limits(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATELIMIT_ENABLE = True
    group = f"client-ip-test-{uuid.uuid4()}"  # fresh counts, also in a shared Redis

    def count(forwarded_for: str) -> dict:
        request = request_from(BALANCER, forwarded_for)
        return get_usage(request, group=group, key="ip", rate="1/m", increment=True)

    assert count("198.51.100.1")["should_limit"] is False
    assert count("198.51.100.1")["should_limit"] is True
    # A spoofed left-most entry does not give the same learner a fresh allowance...
    assert count("9.9.9.9, 198.51.100.1")["should_limit"] is True
    # ...and another learner is not blocked by the first one.
    assert count("198.51.100.2")["should_limit"] is False
