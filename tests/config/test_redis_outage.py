"""Redis is an accelerator, not a dependency: with it dead, every page, sign-in, sync, quiz and
tutor request still works; /healthz says the cache is down; when it comes back it is used again,
with no restart. The tests start their own redis-server on a free port and kill it, or cut it
off behind a small TCP proxy so that it comes back with its data."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client

from config import cache as failover
from tests.conftest import LESSON_SLUG

pytestmark = pytest.mark.django_db(transaction=True)

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

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)

    def stored_keys(self) -> list[bytes]:
        return self.client().keys("*")


class RedisProxy:
    """A TCP proxy in front of a Redis: `cut()` drops every connection and refuses new ones, as a
    network outage would, while Redis keeps its data; `restore()` lets connections through again.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone leaves it listening.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            connections, self.connections = self.connections, []
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def require_redis_server() -> None:
    # CI installs Redis (its service runs there), so a missing binary there is a broken CI
    # machine, not a reason to pass without testing.
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed, and CI must run the Redis outage tests")
        pytest.skip("redis-server not installed")


def use_redis_at(settings, monkeypatch, port: int) -> None:
    location = f"redis://127.0.0.1:{port}/0"
    base = {"BACKEND": "config.cache.FailoverRedisCache", "LOCATION": location, "KEY_PREFIX": "t"}
    settings.CACHES = {
        "default": {**base, "OPTIONS": {"FALLBACK": "local"}},
        "sessions": {**base, "OPTIONS": {"FALLBACK": "none", "MAX_TIMEOUT": 300}},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.TUTOR_RATE_LIMIT = "6/m"
    monkeypatch.setattr(failover, "RETRY_SECONDS", 0.3)


@pytest.fixture
def redis_server(settings, monkeypatch) -> Iterator[RedisServer]:
    require_redis_server()
    server = RedisServer()
    server.start()
    use_redis_at(settings, monkeypatch, server.port)
    yield server
    server.kill()


@pytest.fixture
def redis_behind_proxy(settings, monkeypatch) -> Iterator[tuple[RedisServer, RedisProxy]]:
    require_redis_server()
    server = RedisServer()
    server.start()
    proxy = RedisProxy(server.port)
    proxy.restore()
    use_redis_at(settings, monkeypatch, proxy.port)
    yield server, proxy
    proxy.cut()
    server.kill()


def sign_in(client: Client) -> int:
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    return response.status_code


def use_the_site(client: Client) -> None:
    """One of everything a learner does, each answered without a server error."""
    for url in ("/", LESSON_URL, f"{LESSON_URL}tutor/", "/progress/", f"{LESSON_URL}practice/"):
        assert client.get(url).status_code == 200, url
    quiz = client.get(f"{LESSON_URL}quiz/10/", follow=True)
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
    assert health.status_code == 200, "still serving: only the cache is down"
    assert health.json()["status"] == "degraded"
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


def in_threads(count: int, work) -> list:
    """Run `work()` on `count` threads at once (each gets its own cache objects, as a server's
    threads do) and return what each returned."""
    results: list = [None] * count

    def run(index: int) -> None:
        results[index] = work()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_while_redis_is_down_a_process_counts_once_for_all_its_threads(
    redis_behind_proxy: tuple[RedisServer, RedisProxy],
) -> None:
    _server, proxy = redis_behind_proxy
    assert caches["default"].get("warm-up") is None
    proxy.cut()

    def count_five() -> object:
        cache = caches["default"]
        cache.add("hits", 0)
        for _ in range(5):
            cache.incr("hits")
        # The object itself, not its id(): once its thread ends, a freed object's id can be
        # given to the next thread's.
        return cache

    instances = in_threads(4, count_five)
    assert len({id(instance) for instance in instances}) == 4, "each thread had its own cache"
    assert caches["default"].is_down
    assert caches["default"].get("hits") == 20


def test_a_session_ended_during_an_outage_is_not_read_back_when_redis_returns_with_its_data(
    redis_behind_proxy: tuple[RedisServer, RedisProxy],
) -> None:
    server, proxy = redis_behind_proxy
    get_user_model().objects.create_user("ada@example.org", PASSWORD)
    learner = Client()
    assert sign_in(learner) == 302
    assert "Sign out" in learner.get("/progress/").content.decode()
    redis = server.client()
    session_keys = [key for key in server.stored_keys() if b"session" in key]
    assert session_keys, "the session is cached in Redis"
    assert 0 < redis.ttl(session_keys[0]) <= 300, "a cached session expires within 5 minutes"

    # The same session cookie somewhere else: a second tab, or a copy someone else holds.
    cookie = learner.cookies.output(header="", sep=";")

    def signed_in_elsewhere() -> bool:
        elsewhere = Client()
        elsewhere.cookies = SimpleCookie(cookie)
        return "Sign out" in elsewhere.get("/progress/").content.decode()

    assert signed_in_elsewhere()

    proxy.cut()
    # Signed out on another thread of the server, as a request handled elsewhere would be.
    assert in_threads(1, lambda: learner.post("/accounts/logout/").status_code) == [302]
    assert redis.exists(*session_keys), "Redis kept the old copy of the session"
    assert not signed_in_elsewhere()

    proxy.restore()
    time.sleep(0.4)
    assert not signed_in_elsewhere()
    assert not redis.exists(*session_keys), "the stale copy was deleted on recovery"
    assert not caches["sessions"].is_down
