"""System checks for the postmortem builder: its content files, and that progress stores drafts
as large as the builder makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from lessons.checks import CONTENT_TAG
from lessons.content import ContentProblem, load_catalogue_with_problems
from postmortems.coach import load_coach_rules
from postmortems.guide import PRACTICE_FILE, load_practice
from postmortems.template import MAX_FIELD_CHARS, MAX_FIELDS_PER_DRAFT


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
    return [Error(str(problem), id="postmortems.E001") for problem in problems]


def draft_limit_problems(limits: dict[str, int]) -> list[str]:
    """Where the progress document's draft limits are smaller than a full postmortem draft."""
    problems = []
    if limits.get("fields", 0) < MAX_FIELDS_PER_DRAFT:
        problems.append(
            f"PROGRESS_DRAFT_LIMITS['fields'] is {limits.get('fields')}; a full postmortem draft "
            f"has {MAX_FIELDS_PER_DRAFT} fields (every field, every action-item row)"
        )
    if limits.get("field_chars", 0) < MAX_FIELD_CHARS:
        problems.append(
            f"PROGRESS_DRAFT_LIMITS['field_chars'] is {limits.get('field_chars')}; "
            f"a postmortem field may hold {MAX_FIELD_CHARS:,} characters"
        )
    return problems


@register()
def check_progress_holds_full_drafts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    limits = getattr(settings, "PROGRESS_DRAFT_LIMITS", {})
    return [Error(message, id="postmortems.E002") for message in draft_limit_problems(limits)]
