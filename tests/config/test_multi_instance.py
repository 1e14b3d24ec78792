"""Two app servers, one PostgreSQL, one Redis: sign in through one, sync through the other."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"

pytestmark = [
    pytest.mark.skipif(
        not (DATABASE_URL.startswith("postgres") and REDIS_URL),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL; .ci/run sets both",
    ),
    pytest.mark.xdist_group("two-servers"),  # one worker starts the two servers for them all
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shared_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, that both servers share (dropped afterwards)."""
    import psycopg

    name = f"tendril_multi_{uuid.uuid4().hex[:10]}"
    server = urllib.parse.urlsplit(DATABASE_URL)
    maintenance_url = server._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server._replace(path=f"/{name}").geturl()
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            timeout=180,
        )
        yield url
    finally:
        with psycopg.connect(maintenance_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_servers(
    shared_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"multi-{uuid.uuid4().hex[:8]}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # the same key on every instance
        "DJANGO_DEBUG": "1",  # static files from the finders: no collectstatic in a test
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    logs = tmp_path_factory.mktemp("servers")
    servers, urls = [], []
    for index in range(2):
        port = free_port()
        servers.append(
            # The production server, started as `make serve` starts it (granian).
            subprocess.Popen(
                [sys.executable, "-m", "config.serve"],
                cwd=BASE_DIR,
                env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2"},
                stdout=(logs / f"server{index}.log").open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, server in zip(urls, servers, strict=True):
            wait_until_healthy(url, server)
        yield urls
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the app server exited during start-up"
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                body = json.load(response)
                assert body == {"status": "ok", "database": "ok", "cache": "ok"}
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not become healthy")


class Learner:
    """One browser: cookies are per host, not per port, so both servers see the same ones."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def open(
        self, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post_form(self, url: str, fields: dict[str, str]) -> tuple[int, bytes]:
        self.open(url)  # the form page sets the CSRF cookie
        fields = {**fields, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        return self.open(
            url, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": url}
        )

    def sync(self, base_url: str, document: dict) -> tuple[int, dict]:
        status, body = self.open(
            f"{base_url}/api/progress/sync",
            data=json.dumps(document).encode(),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookie("csrftoken"),
                "Referer": f"{base_url}/",
            },
        )
        return status, json.loads(body)


def checklist_document(item_id: str, at: str) -> dict:
    return {
        "version": 1,
        "lessons": {LESSON_SLUG: {"checklist": {item_id: {"done": True, "at": at}}}},
    }


def test_a_learner_signs_in_on_one_server_and_syncs_through_the_other(
    two_servers: list[str],
) -> None:
    first, second = two_servers
    learner = Learner()
    email, password = f"learner-{uuid.uuid4().hex[:8]}@example.org", "a long passphrase 42"
    status, _ = learner.post_form(
        f"{first}/accounts/signup/",
        {"email": email, "password1": password, "password2": password},
    )
    assert status == 200  # redirected after sign-up, signed in
    assert learner.cookie("sessionid")

    status, merged = learner.sync(
        second, checklist_document("run-on-live-project", "2026-11-20T10:00:00Z")
    )
    assert status == 200, merged
    assert merged["document"]["lessons"][LESSON_SLUG]["checklist"]["run-on-live-project"]["done"]

    # Another device of the same learner, signed in through the second server, syncs through
    # the first and gets both devices' progress back.
    other_device = Learner()
    status, _ = other_device.post_form(
        f"{second}/accounts/login/", {"login": email, "password": password}
    )
    assert status == 200 and other_device.cookie("sessionid")
    status, merged = other_device.sync(
        first, checklist_document("share-one-insight", "2026-11-21T09:00:00Z")
    )
    assert status == 200, merged
    checklist = merged["document"]["lessons"][LESSON_SLUG]["checklist"]
    assert set(checklist) == {"run-on-live-project", "share-one-insight"}


def test_a_signed_out_sync_is_refused_on_either_server(two_servers: list[str]) -> None:
    for url in two_servers:
        learner = Learner()
        learner.open(f"{url}/lessons/{LESSON_SLUG}/")
        status, body = learner.sync(
            url, checklist_document("share-one-insight", "2026-11-21T09:00:00Z")
        )
        assert status in {401, 403}
        assert "error" in body
