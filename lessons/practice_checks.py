"""The practice builder's content problems: every `practice.yaml` and the coach file."""

from __future__ import annotations

from pathlib import Path

from content_registry import ContentProblem, ContentStore
from lessons.coach import COACH_KIND
from lessons.content import LESSON_KIND
from lessons.practice import PRACTICE_KIND


def practice_content_problems(content_dir: Path) -> list[ContentProblem]:
    """Problems in every practice file, and in the coach file when any lesson has practice.

    (The content system check reports these with every other kind's; this is the builder's own
    view, for its tests.)
    """
    store = ContentStore(content_dir=content_dir, kinds=(LESSON_KIND, COACH_KIND, PRACTICE_KIND))
    if not content_dir.is_dir():
        return []  # the lesson check already reports a missing folder
    return store.problems(kinds=(COACH_KIND, PRACTICE_KIND))
