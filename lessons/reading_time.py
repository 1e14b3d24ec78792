"""Reading time from the word count, so `read_minutes` stays honest as a lesson changes."""

from __future__ import annotations

from content_registry import ContentProblem
from lessons.content import Lesson

# Adults' average silent reading rate for English non-fiction (Brysbaert, 2019, a meta-analysis
# of 190 studies: 238 words a minute).
WORDS_PER_MINUTE = 238
# Younger readers are slower: about 140 words a minute suits the Explorers track's 8–11-year-olds
# (oral reading fluency norms put the middle of grades 3–5 at roughly 110–150).
TRACK_WORDS_PER_MINUTE: dict[str, int] = {"Explorers": 140}
# How far `read_minutes` may be from the estimate before the content check warns.
TOLERANCE = 0.20


def lesson_word_count(lesson: Lesson) -> int:
    """Words a reader reads on the lesson page: the front-matter parts and every body section."""
    return sum(len(part.text.split()) for part in lesson.readable_sections)


def words_per_minute(track: str) -> int:
    return TRACK_WORDS_PER_MINUTE.get(track, WORDS_PER_MINUTE)


def estimated_read_minutes(*, words: int, track: str) -> float:
    return words / words_per_minute(track)


def reading_time_problem(lesson: Lesson, *, file: str) -> ContentProblem | None:
    """A warning when `read_minutes` is more than TOLERANCE away from the word-count estimate."""
    words = lesson_word_count(lesson)
    estimate = estimated_read_minutes(words=words, track=lesson.track)
    if estimate == 0 or abs(lesson.read_minutes - estimate) <= TOLERANCE * estimate:
        return None
    return ContentProblem(
        file=file,
        part="front matter",
        field="read_minutes",
        message=f"says {lesson.read_minutes} min, but {words:,} words take about "
        f"{estimate:.0f} min at {words_per_minute(lesson.track)} words a minute "
        f"(more than {TOLERANCE:.0%} apart)",
        warning=True,
    )
