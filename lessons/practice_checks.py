"""System check for the practice builder's content: every `practice.yaml` and the coach file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from lessons.checks import CONTENT_TAG
from postmortems.coach import load_coach_rules
from lessons.content import ContentProblem, load_catalogue_with_problems
from lessons.practice import PRACTICE_FILE, load_practice


def practice_content_problems(content_dir: Path) -> list[ContentProblem]:
    """Problems in every practice file, and in the coach file when any lesson has practice."""
    if not content_dir.is_dir():
        return []  # the lesson check already reports a missing folder
    paths = sorted(content_dir.glob(f"*/{PRACTICE_FILE}"))
    if not paths:
        return []
    catalogue, _ = load_catalogue_with_problems(content_dir)
    problems = load_coach_rules(content_dir)[1]
    for path in paths:
        lesson = catalogue.get(path.parent.name)
        problems += load_practice(path, content_dir=content_dir, lesson=lesson)[1]
    return problems


@register(CONTENT_TAG)
def check_practice_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems = practice_content_problems(Path(settings.CONTENT_DIR))
    return [Error(str(problem), id="lessons.E010") for problem in problems]
