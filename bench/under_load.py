"""Benchmarks against `make serve` (granian, DEBUG off) under load from wrk, in one run.

Prints a table and appends it, dated, to bench/results.md:
- lesson page requests/s ÷ a static file's requests/s from the same server (target ≥ 0.9);
- median and p95 under load of quiz answer, tutor answer and progress sync;
- lesson page weight on a first visit in Chromium: compressed bytes and requests (≤ 60 KB, ≤ 6);
- Lighthouse (mobile preset) on the lesson, quiz and progress pages;
- then the in-process benchmarks (bench/*.py: lesson page, quiz, tutor, sync, coach, catalogue) with
  their output kept verbatim; quiz, sync and catalogue also on PostgreSQL when
  BENCH_DATABASE_URL answers;
- then bench/catalogue_scale.py (a generated 1,600-lesson catalogue: start-up time, memory per
  worker, check_content; about 3 minutes), its progress lines left out.

Run: .venv/bin/python bench/under_load.py [--seconds 5] [--connections 8] [--no-lighthouse]
     [--no-in-process] [--no-catalogue-scale] [--no-write]
Needs wrk (Debian package) and, for Lighthouse, Node.js; `make bench` installs both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
LESSON_SLUG = "writing-postmortems-for-ai-system-incidents"
LESSON_PATH = f"/lessons/{LESSON_SLUG}/"
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = BENCH_DIR / ".node" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices")
CHROMIUM_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic "
    "--no-first-run --disable-background-networking --disable-component-update --disable-sync"
)


@dataclass
class Row:
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "meets target", False: "MISSES target", None: ""}[self.ok]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def production_server(workdir: Path) -> Iterator[str]:
    """`make serve` on a free port with its own SQLite database (or DATABASE_URL if set)."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PORT": str(port),
        # Load from one address would trip the tutor's and sign-in's limits within a second.
        "DJANGO_RATELIMIT_ENABLE": "0",
        # The set-up client is Python, which keeps Secure cookies to HTTPS; Chromium does not.
        "DJANGO_SECURE_COOKIES": "0",
        # Sign-up sends a confirmation; with DEBUG off that is SMTP, which is not there.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        # Migrations and the search index run first; on a loaded machine they take minutes.
        deadline = time.monotonic() + float(os.environ.get("BENCH_START_TIMEOUT", "120"))
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"make serve did not start:\n{(workdir / 'server.log').read_text()}"
                )
            time.sleep(0.3)
        yield base_url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def run_wrk(url: str, *, seconds: int, connections: int, lua: str = "") -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(lua + "\n" + (BENCH_DIR / "wrk_report.lua").read_text())
    try:
        result = subprocess.run(
            [
                "wrk",
                f"-t{WRK_THREADS}",
                f"-c{connections}",
                f"-d{seconds}s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    finally:
        script.unlink()
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["rps"] = report["requests"] / report["seconds"]
    return report


def lua_post(*, body: str, cookies: dict[str, str], csrf_token: str, content_type: str) -> str:
    cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return "\n".join(
        [
            'wrk.method = "POST"',
            f"wrk.body = {json.dumps(body)}",
            f'wrk.headers["Content-Type"] = {json.dumps(content_type)}',
            f'wrk.headers["X-CSRFToken"] = {json.dumps(csrf_token)}',
            f'wrk.headers["Cookie"] = {json.dumps(cookie_header)}',
            'wrk.headers["HX-Request"] = "true"',
        ]
    )


class Browser:
    """A cookie-keeping HTTP client for setting up sessions before the load starts."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "") or ""

    def csrf_token(self) -> str:
        if not self.cookie("csrftoken"):
            # A page with a POST form sets the cookie (the shared lesson page has none).
            self.request("/accounts/login/")
        return self.cookie("csrftoken")


def measure_static_and_lesson(base_url: str, args: argparse.Namespace) -> list[Row]:
    status, html = Browser(base_url).request(LESSON_PATH)
    assert status == 200, status
    css_path = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', html)
    assert css_path, "the lesson page links no hashed stylesheet"
    gzip_header = 'wrk.headers["Accept-Encoding"] = "br, gzip"'
    for path in (css_path.group(1), LESSON_PATH):  # warm every worker before measuring
        run_wrk(base_url + path, seconds=1, connections=args.connections, lua=gzip_header)
    static = run_wrk(
        base_url + css_path.group(1),
        seconds=args.seconds,
        connections=args.connections,
        lua=gzip_header,
    )
    lesson = run_wrk(
        base_url + LESSON_PATH, seconds=args.seconds, connections=args.connections, lua=gzip_header
    )
    ratio = lesson["rps"] / static["rps"]
    return [
        Row("static file (site.css), requests/s", f"{static['rps']:.0f}"),
        Row("lesson page, requests/s", f"{lesson['rps']:.0f}"),
        Row("lesson ÷ static requests/s", f"{ratio:.2f}", "≥ 0.9", ratio >= 0.9),
        Row("lesson page under load, median / p95", latency(lesson)),
    ]


def latency(report: dict[str, float]) -> str:
    text = f"{report['p50_us'] / 1000:.1f} ms / {report['p95_us'] / 1000:.1f} ms"
    if report["non_2xx"] or report["socket_errors"]:
        text += f" ({report['non_2xx']} non-2xx, {report['socket_errors']} socket errors)"
    return text


WRK_THREADS = 2


def lua_requests(requests: list[dict[str, str]]) -> str:
    """A wrk script sending each prepared request once per thread's share, round-robin."""
    items = ",\n".join(
        "{" + ", ".join(f"{key} = {json.dumps(value)}" for key, value in item.items()) + "}"
        for item in requests
    )
    return f"""
local items = {{
{items}
}}
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end
local i = nil
request = function()
  if i == nil then i = tid end
  local item = items[(i % #items) + 1]
  i = i + {WRK_THREADS}
  return wrk.format("POST", item.path, {{
    ["Content-Type"] = item.content_type,
    ["Cookie"] = item.cookie,
    ["X-CSRFToken"] = item.token,
    ["HX-Request"] = "true",
  }}, item.body)
end
"""


def cookie_header(browser: Browser) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def answer_form(html: str) -> tuple[str, str, str]:
    """The quiz step's answer form: its action, its question and its first option."""
    form = re.search(r"<form[^>]*/answer/.*?</form>", html, flags=re.S)
    assert form, "the quiz step shows no answer form"
    action = re.search(r'action="([^"]*/answer/)"', form.group(0))
    question = re.search(r'name="question" value="([^"]+)"', form.group(0))
    option = re.search(r'name="option" value="([^"]+)"', form.group(0))
    assert action and question and option, "the answer form has no action, question or option"
    return action.group(1), question.group(1), option.group(1)


def quiz_answer_setup(base_url: str) -> tuple[str, str]:
    """Many learners, each part-way through a 15-question attempt: each request is a first
    answer to one of its questions 2 to 15, sent as htmx sends it.

    The quiz shows one question per page: each learner answers question 1 (which stores the
    attempt and gives the browser its quiz token), then reads every other question's step page
    for its form. Enough of them that wrk never wraps around to a question already answered (a
    409, a different and cheaper path) at the rates seen here.
    """
    requests = []
    for _ in range(QUIZ_LEARNERS):
        browser = Browser(base_url)
        status, html = browser.request(f"/lessons/{LESSON_SLUG}/quiz/15/")  # follows to step 1
        assert status == 200, status
        action, question, option = answer_form(html)
        steps = action.replace("/answer/", "/questions/")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": browser.cookie("csrftoken"),
            "HX-Request": "true",
        }
        body = urllib.parse.urlencode({"question": question, "option": option}).encode()
        status, _ = browser.request(action, data=body, headers=headers)
        assert status == 200, status
        for number in range(2, 16):
            status, html = browser.request(f"{steps}{number}/")
            assert status == 200, status
            _, question, option = answer_form(html)
            requests.append(
                {
                    "path": action,
                    "body": f"question={question}&option={option}",
                    "content_type": "application/x-www-form-urlencoded",
                    "cookie": cookie_header(browser),
                    "token": browser.cookie("csrftoken"),
                }
            )
    return "/", lua_requests(requests)


# 14 answers each (2,800): more than wrk sends in one 5 s scenario here (a few hundred a second);
# a wrap-around would show as 409s, counted as non-2xx in the report.
QUIZ_LEARNERS = 200


TUTOR_QUESTIONS = [
    "what goes in a blameless postmortem?",
    "why keep the timeline separate from analysis",
    "who signs off when users were harmed",
    "what is an attribution narrative",
    "how do I write action items",
    "what's the capital of France",
]


def tutor_answer_setup(base_url: str) -> tuple[str, str]:
    browser = Browser(base_url)
    token = browser.csrf_token()
    requests = [
        {
            "path": f"/api/lessons/{LESSON_SLUG}/tutor",
            "body": json.dumps({"question": question}),
            "content_type": "application/json",
            "cookie": cookie_header(browser),
            "token": token,
        }
        for question in TUTOR_QUESTIONS
    ]
    return "/", lua_requests(requests)


def progress_sync_setup(base_url: str) -> tuple[str, str]:
    """One signed-in learner syncing a realistic document (sections, checklist, reflection)."""
    browser = Browser(base_url)
    token = browser.csrf_token()
    password = secrets.token_urlsafe(16)
    fields = {
        "email": f"bench-{secrets.token_hex(4)}@example.org",
        "password1": password,
        "password2": password,
        "csrfmiddlewaretoken": token,
    }
    status, _ = browser.request("/accounts/signup/", data=urllib.parse.urlencode(fields).encode())
    assert status == 200 and browser.cookie("sessionid"), status
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    document = {
        "version": 1,
        "lessons": {
            LESSON_SLUG: {
                "sections_read": dict.fromkeys(
                    ("premise", "blameless-culture", "worked-example"), now
                ),
                "checklist": {"run-on-live-project": {"done": True, "at": now}},
                "reflection": {
                    "text": "Separate the timeline from the analysis next time.",
                    "at": now,
                },
                "attempts": [],
            }
        },
    }
    requests = [
        {
            "path": "/api/progress/sync",
            "body": json.dumps(document),
            "content_type": "application/json",
            "cookie": cookie_header(browser),
            "token": browser.cookie("csrftoken"),
        }
    ]
    return "/", lua_requests(requests)


# Each POST hot path: (metric name, setup(base_url) -> (path, wrk script)).
PostScenario = Callable[[str], tuple[str, str]]
POST_SCENARIOS: list[tuple[str, PostScenario]] = [
    ("quiz answer", quiz_answer_setup),
    ("tutor answer", tutor_answer_setup),
    ("progress sync", progress_sync_setup),
]


def measure_post_paths(base_url: str, args: argparse.Namespace) -> list[Row]:
    rows = []
    for name, setup in POST_SCENARIOS:
        path, lua = setup(base_url)
        report = run_wrk(
            base_url + path, seconds=args.seconds, connections=args.connections, lua=lua
        )
        rows.append(Row(f"{name} under load, median / p95", latency(report)))
        rows.append(Row(f"{name}, requests/s", f"{report['rps']:.0f}"))
    return rows


def measure_page_weight(base_url: str) -> list[Row]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS.split()[1:]
        )
        page = browser.new_page()
        responses = []
        page.on("requestfinished", lambda request: responses.append(request))
        page.goto(base_url + LESSON_PATH, wait_until="networkidle")
        transferred = sum(
            r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in responses
        )
        browser.close()
    kilobytes = transferred / 1024
    return [
        Row(
            "lesson first visit, bytes transferred",
            f"{kilobytes:.1f} KB",
            "≤ 60 KB",
            kilobytes <= 60,
        ),
        Row("lesson first visit, requests", str(len(responses)), "≤ 6", len(responses) <= 6),
    ]


def redirected_to(base_url: str, path: str) -> str:
    """Where `path` sends a visitor without cookies (the path itself when it does not redirect)."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    try:
        with urllib.request.build_opener(Stay).open(base_url + path, timeout=30):
            return path
    except urllib.error.HTTPError as response:
        location = response.headers.get("Location", "")
        if response.code in (301, 302, 303, 307, 308) and location:
            return urllib.parse.urljoin(path, location)
        raise


def lighthouse_pages(base_url: str) -> list[tuple[str, str]]:
    """Every kind of page a learner meets (an error page has no Lighthouse score to read).

    The quiz's address redirects a visitor without a session to the first step of a new attempt;
    Lighthouse is given that step page, as it asks, because over a redirect it at times records no
    Largest Contentful Paint and so no performance score (NO_LCP). The step's address ends in
    `#question` (a phone scrolls past the header to the question); with it, Lighthouse recorded no
    LCP in 2 runs of 6, without it in none of 6, so it is given the same document without the
    fragment.
    """
    return [
        ("catalogue", "/"),
        ("search", "/?q=postmortem"),
        ("lesson", LESSON_PATH),
        ("quiz", redirected_to(base_url, f"/lessons/{LESSON_SLUG}/quiz/10/").split("#")[0]),
        ("postmortem builder", f"/lessons/{LESSON_SLUG}/practice/"),
        ("progress", "/progress/"),
        ("sign-in", "/accounts/login/"),
    ]


LIGHTHOUSE_RUNS = 3  # scores vary run to run; Lighthouse's own advice is a median of several


def run_lighthouse(url: str, report_path: Path) -> dict | str:
    """One Lighthouse run: its categories, or why it produced none."""
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance,accessibility,best-practices",
            "--output=json",
            f"--output-path={report_path}",
            f"--chrome-flags={CHROMIUM_FLAGS}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        timeout=180,
        check=False,
    )
    if not report_path.exists():
        return "failed to run"
    report = json.loads(report_path.read_text())
    if report.get("runtimeError"):
        # e.g. NO_NAVSTART: the trace was not recorded, so there are no scores to read.
        return f"run failed ({report['runtimeError'].get('code', 'error')})"
    missing = [name for name, category in report["categories"].items() if category["score"] is None]
    if missing:
        # A metric it could not measure (NO_LCP, say) leaves its category without a score:
        # that is a failed run, not a score of 0.
        errors = {
            audit["errorMessage"].rsplit("(", 1)[-1].rstrip(")")
            for audit in report["audits"].values()
            if audit.get("scoreDisplayMode") == "error" and audit.get("errorMessage")
        }
        return f"no {', '.join(missing)} score ({', '.join(sorted(errors)) or 'error'})"
    return report["categories"]


def measure_lighthouse(base_url: str, workdir: Path) -> list[Row]:
    if not LIGHTHOUSE.exists():
        return [Row("Lighthouse", "not run: `make bench` installs it under bench/.node/")]
    rows = []
    for name, path in lighthouse_pages(base_url):
        runs, failures = [], []
        for attempt in range(LIGHTHOUSE_RUNS):
            outcome = run_lighthouse(base_url + path, workdir / f"lighthouse-{name}-{attempt}.json")
            if isinstance(outcome, str):
                failures.append(outcome)
                continue
            runs.append({key: round(v["score"] * 100) for key, v in outcome.items()})
        if not runs:
            rows.append(Row(f"Lighthouse {name}", "; ".join(failures)))
            continue
        failed = f"; {len(failures)} run(s) failed: {'; '.join(failures)}" if failures else ""
        # The run with the median performance score, as Lighthouse recommends.
        scores = sorted(runs, key=lambda run: run.get("performance", 0))[len(runs) // 2]
        ok = (
            scores.get("performance", 0) >= 98
            and scores.get("accessibility", 0) == 100
            and scores.get("best-practices", 0) == 100
        )
        rows.append(
            Row(
                f"Lighthouse {name} (mobile, median of {len(runs)} runs): "
                "perf / a11y / best practices",
                " / ".join(
                    str(scores.get(key))
                    for key in ("performance", "accessibility", "best-practices")
                )
                + failed,
                "≥ 98 / 100 / 100",
                ok,
            )
        )
    return rows


IN_PROCESS_SCRIPTS = [
    "lesson_page.py",
    "quiz.py",
    "tutor.py",
    "sync.py",
    "coach.py",
    "catalogue.py",
]
ON_POSTGRESQL_TOO = ["quiz.py", "sync.py", "catalogue.py"]


def postgresql_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        return None
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception:
        return None
    return url


def run_in_process_benchmarks() -> str:
    """Each in-process script's own report, one after another, as printed."""
    env = {**os.environ, "DJANGO_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    runs = [(script, "SQLite", env) for script in IN_PROCESS_SCRIPTS]
    if url := postgresql_url():
        runs += [
            (script, "PostgreSQL", {**env, "DATABASE_URL": url}) for script in ON_POSTGRESQL_TOO
        ]
    reports = []
    for script, database, script_env in runs:
        print(f"running bench/{script} on {database}", file=sys.stderr)
        result = subprocess.run(
            [sys.executable, str(BENCH_DIR / script)],
            cwd=BASE_DIR,
            env=script_env,
            capture_output=True,
            text=True,
            check=True,
        )
        reports.append(f"$ bench/{script}  ({database})\n{result.stdout.strip()}")
    return "\n\n".join(reports)


# Progress lines of bench/catalogue_scale.py, left out of the results.
SCALE_PROGRESS = re.compile(r"^\s+(generated|visited) [\d,]+ of |^\s+[\d.]+ s  Checked ")


def run_catalogue_scale() -> str:
    """bench/catalogue_scale.py's report: it starts servers of its own on a generated
    1,600-lesson catalogue (start-up time, memory per worker, check_content): ~3 minutes here."""
    print("running bench/catalogue_scale.py", file=sys.stderr)
    env = {**os.environ, "DJANGO_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / "catalogue_scale.py")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    return "\n".join(line for line in lines if not SCALE_PROGRESS.match(line))


def render_table(rows: list[Row]) -> str:
    lines = ["| metric | value | target | |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.metric} | {r.value} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-in-process", action="store_true", help="skip bench/*.py scripts")
    parser.add_argument(
        "--no-catalogue-scale",
        action="store_true",
        help="skip bench/catalogue_scale.py (about 3 minutes)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave results.md alone"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package `wrk`; `make bench` installs it)")

    with tempfile.TemporaryDirectory() as tmp, production_server(Path(tmp)) as base_url:
        rows = measure_static_and_lesson(base_url, args)
        rows += measure_post_paths(base_url, args)
        rows += measure_page_weight(base_url)
        if not args.no_lighthouse:
            rows += measure_lighthouse(base_url, Path(tmp))

    table = render_table(rows)
    if not args.no_in_process:
        table += (
            "\n\nIn process (Django test client, one request at a time):\n\n```text\n"
            + run_in_process_benchmarks()
            + "\n```"
        )
    if not args.no_catalogue_scale:
        table += (
            "\n\nA 1,600-lesson catalogue (bench/catalogue_scale.py):\n\n```text\n"
            + run_catalogue_scale()
            + "\n```"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    heading = (
        f"## {stamp}\n\n`make serve` on {os.cpu_count()} CPUs, "
        f"database {os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]}, "
        f"wrk {args.connections} connections × {args.seconds} s per scenario.\n"
    )
    print(heading)
    print(table)
    if not args.no_write:
        results = BENCH_DIR / "results.md"
        existing = (
            results.read_text() if results.exists() else "# Benchmark results\n\nNewest first.\n"
        )
        head, _, rest = existing.partition("\n## ")
        rest = f"\n## {rest}" if rest else ""
        results.write_text(f"{head.rstrip()}\n\n{heading}\n{table}\n{rest}")
        print(f"\nwritten to {results.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    sys.exit(main())
