"""`read_minutes` must agree with the word count, and the postmortem lesson covers what it promises."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from lessons.content import get_catalogue, load_catalogue_with_problems
from lessons.reading_time import (
    WORDS_PER_MINUTE,
    estimated_read_minutes,
    lesson_word_count,
    reading_time_problem,
)
from tests.conftest import LESSON_SLUG

REAL = Path(__file__).parents[2] / "content"


def test_every_real_lesson_states_an_honest_reading_time() -> None:
    for lesson in get_catalogue().whole_lessons():
        assert reading_time_problem(lesson, file=lesson.slug) is None, lesson.slug


def test_the_postmortem_lesson_stays_close_to_twenty_one_minutes() -> None:
    lesson = get_catalogue().get(LESSON_SLUG)
    assert lesson is not None and lesson.read_minutes == 21
    estimate = estimated_read_minutes(words=lesson_word_count(lesson), track=lesson.track)
    assert 19 <= estimate <= 23, f"{estimate:.1f} min at {WORDS_PER_MINUTE} words a minute"


def test_young_readers_get_a_slower_reading_rate() -> None:
    assert estimated_read_minutes(words=1400, track="Explorers") == 10
    assert estimated_read_minutes(words=1400, track="Creators") < 6


def test_check_content_warns_naming_file_and_field_but_still_passes(
    tmp_path: Path, settings: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REAL, content)
    lesson_file = content / LESSON_SLUG / "lesson.md"
    lesson_file.write_text(lesson_file.read_text().replace("read_minutes: 21", "read_minutes: 35"))
    settings.CONTENT_DIR = content
    call_command("check_content")  # a warning does not fail the check
    out = capsys.readouterr()
    assert "Content OK. (1 warning(s))" in out.out
    (line,) = out.err.strip().splitlines()
    assert line.startswith(
        f"warning: content/{LESSON_SLUG}/lesson.md: front matter: read_minutes: says 35 min, but "
    )
    assert "at 238 words a minute (more than 20% apart)" in line
    catalogue, problems = load_catalogue_with_problems(content)
    assert problems == [] and catalogue.get(LESSON_SLUG) is not None


@pytest.mark.parametrize(
    ("section", "phrases"),
    [
        ("when-to-write", ["near miss", "AI hazard", "SEV 1", "Anyone may ask"]),
        ("preserve-evidence", ["Capture the evidence first", "prompt and template versions"]),
        ("review-and-sharing", ["reviewed", "repository of past", "AI Incident Database"]),
        (
            "reporting-duties",
            ["15 days", "10 days", "2 days", "incomplete first report", "informs the provider"],
        ),
        ("reporting-duties", ["MANAGE 2.4", "MANAGE 4.1", "MANAGE 4.3", "probably not high-risk"]),
        ("timeline-and-analysis", ["Hindsight bias", "Confirmation bias", "*what*"]),
        ("action-items", ["detect", "owner", "ticket", "actionable", "bounded"]),
        ("worked-example", ["Detect", "Mitigate", "Prevent", "Done:", "Moffatt v. Air Canada"]),
        ("further-reading", ["Workbook", "AI 600-1", "AI Incident Database"]),
    ],
)
def test_the_postmortem_lesson_teaches_the_process_side(section: str, phrases: list[str]) -> None:
    lesson = get_catalogue().get(LESSON_SLUG)
    assert lesson is not None
    (part,) = [s for s in lesson.sections if s.id == section]
    source = part.html + part.text
    for phrase in phrases:
        assert phrase.strip("*") in source, f"{section}: {phrase}"


@pytest.mark.parametrize("file", ["lesson.md", "practice.yaml"])
def test_the_old_inaccuracies_are_gone(file: str) -> None:
    text = " ".join((REAL / LESSON_SLUG / file).read_text().lower().split())
    for claim in [
        "usually *deterministic*",
        "one of the most common causes of",
        "the hostile version of this",
        "the invented window was generous",
        "generous rather than dangerous",
        "(mitigate quickly or prevent a repeat)",
    ]:
        assert claim not in text, claim
