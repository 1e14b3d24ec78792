from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="learn.example.org",
        **overrides,
    )
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_is_clean_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_an_empty_database_url_means_the_default_sqlite_database() -> None:
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        env=production_env(DATABASE_URL=""),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "sqlite"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_stays_200_but_degraded_naming_the_cache_when_it_is_down(
    client: Client, settings
) -> None:
    # The site works without its cache, so a load balancer must keep sending traffic here.
    dead_redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
    settings.CACHES = {"default": dead_redis, "sessions": dead_redis}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "down",
        "down": ["cache"],
    }


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database_when_it_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["down"] == ["database"]


def test_every_request_is_logged_with_its_id_status_and_duration(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tendril.requests"):
        response = client.get(LESSON_URL, HTTP_X_REQUEST_ID="lb-request-12345678")
    assert response["X-Request-ID"] == "lb-request-12345678"
    [record] = [r for r in caplog.records if r.name == "tendril.requests"]
    assert record.status == 200
    assert record.path == LESSON_URL
    assert record.duration_ms > 0
    assert record.request_id == "lb-request-12345678"


def test_a_forged_request_id_is_replaced_not_logged(client: Client) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID="evil\nINFO fake log line")
    assert response["X-Request-ID"] != "evil\nINFO fake log line"
    assert len(response["X-Request-ID"]) == 32


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


urlpatterns = [path("explode/", explode)]


@pytest.mark.urls(__name__)
def test_a_server_error_is_logged_with_traceback_and_hidden_from_the_user(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/explode/")
    assert response.status_code == 500
    assert b"secret internal detail" not in response.content
    assert b"Something went wrong" in response.content
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    assert "secret internal detail" in str(record.exc_info[1])


def test_production_logs_are_one_json_object_per_line() -> None:
    script = (
        "import django, logging; django.setup(); "
        "from django.test import Client; "
        "Client().get('/healthz', HTTP_HOST='learn.example.org', secure=True)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**production_env(), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    request_lines = [line for line in lines if line["logger"] == "tendril.requests"]
    assert request_lines, result.stdout + result.stderr
    assert request_lines[-1]["path"] == "/healthz"
    assert {"time", "level", "request_id", "status", "duration_ms"} <= request_lines[-1].keys()


@pytest.mark.django_db
def test_healthz_answers_head_for_load_balancers(client: Client) -> None:
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""
