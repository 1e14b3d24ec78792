"""Redis is an accelerator, not a dependency: with it dead, every page, sign-in, sync, quiz and
tutor request still works; /healthz says the cache is down; when it comes back it is used again,
with no restart. The test starts its own redis-server on a free port and kills it."""

from __future__ import annotations

import json
import logging
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.contrib.auth import get_user_model
from django.test import Client

from config import cache as failover
from tests.conftest import LESSON_SLUG

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed"),
]

PASSWORD = "a long passphrase 42"
LESSON_URL = f"/lessons/{LESSON_SLUG}/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stored_keys(self) -> list[bytes]:
        return redis.Redis(port=self.port).keys("*")


@pytest.fixture
def redis_server(settings, monkeypatch) -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    location = f"redis://127.0.0.1:{server.port}/0"
    base = {"BACKEND": "config.cache.FailoverRedisCache", "LOCATION": location}
    settings.CACHES = {
        "default": {**base, "KEY_PREFIX": "t", "OPTIONS": {"FALLBACK": "local"}},
        "sessions": {**base, "KEY_PREFIX": "t", "OPTIONS": {"FALLBACK": "none"}},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.TUTOR_RATE_LIMIT = "6/m"
    monkeypatch.setattr(failover, "RETRY_SECONDS", 0.3)
    yield server
    server.kill()


def sign_in(client: Client) -> int:
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    return response.status_code


def use_the_site(client: Client) -> None:
    """One of everything a learner does, each answered without a server error."""
    for url in ("/", LESSON_URL, f"{LESSON_URL}tutor/", "/progress/", f"{LESSON_URL}practice/"):
        assert client.get(url).status_code == 200, url
    quiz = client.get(f"{LESSON_URL}quiz/10/")
    assert quiz.status_code == 200
    # The first question not answered yet (its form still posts with htmx).
    action, question = re.search(
        r'action="([^"]*/answer/)" hx-post=.*?name="question" value="([^"]+)"',
        quiz.content.decode(),
        re.S,
    ).groups()
    assert client.post(action, {"question": question, "option": ["1"]}).status_code == 302
    sync = client.post(
        "/api/progress/sync",
        json.dumps({"version": 1, "lessons": {LESSON_SLUG: {"sections_read": {}}}}),
        content_type="application/json",
    )
    assert sync.status_code == 200, sync.content
    tutor = client.post(
        f"/api/lessons/{LESSON_SLUG}/tutor",
        json.dumps({"question": "What is a postmortem?"}),
        content_type="application/json",
    )
    assert tutor.status_code == 200, tutor.content


def test_the_site_works_with_redis_dead_and_uses_it_again_when_it_returns(
    redis_server: RedisServer, caplog
) -> None:
    get_user_model().objects.create_user("ada@example.org", PASSWORD)
    learner = Client()
    assert sign_in(learner) == 302
    use_the_site(learner)
    assert Client().get("/healthz").json()["cache"] == "ok"
    assert redis_server.stored_keys(), (
        "Redis holds the sessions and rate-limit counts while it is up"
    )

    redis_server.kill()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        use_the_site(learner)  # the session, read from the database
        newcomer = Client()
        assert sign_in(newcomer) == 302
        use_the_site(newcomer)
        health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["down"] == ["cache"]
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)

    # Rate limits still count (per process) rather than failing open.
    stranger = Client()
    answers = [
        stranger.post(
            f"/api/lessons/{LESSON_SLUG}/tutor",
            json.dumps({"question": "What is drift?"}),
            content_type="application/json",
        ).status_code
        for _ in range(8)
    ]
    assert 429 in answers

    # Signing out while Redis is down: no stale copy in Redis signs the learner back in later.
    assert learner.post("/accounts/logout/").status_code == 302

    redis_server.start()  # same port, empty
    time.sleep(0.4)
    assert Client().get("/healthz").json()["cache"] == "ok"
    assert "Sign out" not in learner.get("/progress/").content.decode()
    assert sign_in(learner) == 302
    use_the_site(learner)
    assert any(b"session" in key for key in redis_server.stored_keys()), (
        "sessions cached in Redis again"
    )
