"""Screenshots of the main pages at desktop and phone width, light and dark, into docs/screenshots/.

Starts its own server on a throwaway SQLite database (migrated, and the catalogue's search
index built, as `make run` does), drives Debian's Chromium with Playwright, and answers the
quiz through the page (reading the right answers from the question bank, so the result page
shows a pass). Run it with `make screenshots`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
LESSON = "writing-postmortems-for-ai-system-incidents"
# Instantly: a screenshot taken during a smooth scroll can come out blank.
CENTRE = "el => el.scrollIntoView({block: 'center', behavior: 'instant'})"
SIZES = {"1280": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 812}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dev_server(env: dict[str, str]) -> Iterator[str]:
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["index_lessons"]):
        subprocess.run(  # noqa: S603 (a fixed command: this Python running manage.py)
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (a fixed command: this Python running manage.py)
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def right_positions(attempt_id: str, question_id: str) -> list[str]:
    """The 1-based places of the right options in this attempt's order (read from the database)."""
    import uuid

    from quiz.attempts import shown_planned_attempt
    from quiz.bank import get_question_bank
    from quiz.models import Attempt

    bank = get_question_bank(LESSON)
    question = bank.question(question_id) if bank is not None else None
    if bank is None or question is None:
        raise SystemExit(f"{LESSON}: no quiz question {question_id!r}")
    # Before its first answer an attempt is only shown, not stored: rebuilt from its id.
    attempt = Attempt.objects.filter(id=attempt_id).first() or shown_planned_attempt(
        attempt_id=uuid.UUID(attempt_id), bank=bank
    )
    if attempt is None:
        raise SystemExit(f"{attempt_id}: not an attempt of this lesson's quiz")
    order = dict(attempt.plan)[question_id]
    return [str(order.index(o) + 1) for o in sorted(question.correct_option_ids)]


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"  {path.relative_to(ROOT)}", flush=True)


def answer_current(page: Page, *, right: bool) -> None:
    attempt = page.locator("[data-quiz-attempt]").get_attribute("data-quiz-attempt") or ""
    question = page.locator("input[name=question]").first.get_attribute("value") or ""
    positions = right_positions(attempt, question) if right else []
    if not positions:  # a wrong answer: the first option that is not right
        wrong = set(right_positions(attempt, question))
        values = page.locator("input[name=option]").evaluate_all("els => els.map(e => e.value)")
        positions = [next(v for v in values if v not in wrong)]
    for value in positions:
        page.locator(f"input[name=option][value='{value}']").check()
    page.get_by_role("button", name="Check").click()
    page.locator("#quiz-feedback").wait_for()


def tour(page: Page, base: str, size: str, scheme: str) -> None:
    suffix = f"{size}-{scheme}"
    page.goto(f"{base}/")
    shoot(page, f"catalogue-{suffix}")
    page.goto(f"{base}/?q=drift")
    shoot(page, f"catalogue-search-{suffix}")
    page.goto(f"{base}/lessons/{LESSON}/")
    shoot(page, f"lesson-{suffix}")
    page.locator("#key-insights").scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    shoot(page, f"lesson-reading-{suffix}")
    page.goto(f"{base}/lessons/{LESSON}/")
    ask_the_tutor(page, "What goes in the timeline?")
    shoot(page, f"tutor-answer-{suffix}")
    page.goto(f"{base}/lessons/{LESSON}/")
    page.locator("#quiz").get_by_role("link", name="Start the 10-question quiz").click()
    page.wait_for_load_state()
    shoot(page, f"quiz-question-{suffix}")
    answer_current(page, right=False)
    page.wait_for_timeout(1200)  # after the smooth scroll that brings the feedback up
    shoot(page, f"quiz-feedback-{suffix}")
    page.get_by_role("button", name="Finish now").click()
    page.wait_for_load_state()
    shoot(page, f"quiz-finish-confirm-{suffix}")
    page.get_by_role("link", name="Answer question 2").click()
    page.wait_for_load_state()
    for number in range(2, 11):
        answer_current(page, right=True)
        if number < 10:
            page.get_by_role("link", name="Continue").click()
            page.wait_for_load_state()
    page.get_by_role("button", name="See my score").click()
    page.wait_for_load_state()
    page.wait_for_timeout(2200)  # after the celebration
    shoot(page, f"quiz-result-{suffix}")
    page.goto(f"{base}/progress/")
    shoot(page, f"progress-{suffix}")
    practice(page, base, suffix)
    page.goto(f"{base}/accounts/login/")
    shoot(page, f"sign-in-{suffix}")
    page.goto(f"{base}/lessons/{LESSON}/quiz/12/")
    shoot(page, f"not-found-{suffix}")


def ask_the_tutor(page: Page, question: str) -> None:
    page.get_by_label("Your question", exact=True).fill(question)
    page.get_by_label("Your question", exact=True).press("Enter")
    answer = page.get_by_role("log").get_by_role("article").first
    answer.wait_for()
    answer.evaluate(CENTRE)
    page.wait_for_timeout(400)


def practice(page: Page, base: str, suffix: str) -> None:
    """The postmortem builder: a blameful phrase coached as it is typed, then Check my draft."""
    page.goto(f"{base}/lessons/{LESSON}/practice/")
    summary = page.get_by_role("textbox", name="Summary", exact=True)
    summary.fill("Sam should have tested the prompt before the release.")
    page.locator("#field-summary-coach mark").first.wait_for()
    page.locator("#field-summary-coach").evaluate(CENTRE)
    page.wait_for_timeout(300)
    shoot(page, f"practice-{suffix}")
    page.get_by_role("textbox", name="Where we got lucky", exact=True).fill("If only we knew.")
    page.get_by_role("button", name="Check my draft").click()
    page.locator("#practice-summary a").first.wait_for()
    page.wait_for_timeout(600)
    shoot(page, f"practice-check-{suffix}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    database = Path(tempfile.mkdtemp()) / "screenshots.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "0",
           "DJANGO_SECRET_KEY": "screenshots-only-" + "x" * 40, "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0",
           "DJANGO_HSTS_SECONDS": "0"}  # fmt: skip
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with dev_server(env) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            for scheme in ("light", "dark"):
                print(f"{size} ({viewport['width']}×{viewport['height']}), {scheme}:", flush=True)
                context = browser.new_context(
                    viewport=viewport,
                    color_scheme=scheme,
                    device_scale_factor=1,
                    is_mobile=size == "375",
                    has_touch=size == "375",
                )
                tour(context.new_page(), base, size, scheme)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
