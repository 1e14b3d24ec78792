"""System checks for the postmortem builder: its content files, and that progress stores drafts
as large as the builder makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from content_registry import ContentProblem, ContentStore
from lessons.content import LESSON_KIND
from postmortems.coach import COACH_KIND
from postmortems.guide import PRACTICE_KIND
from postmortems.template import MAX_FIELD_CHARS, MAX_FIELDS_PER_DRAFT


def practice_content_problems(content_dir: Path) -> list[ContentProblem]:
    """Problems in every practice file, and in the coach file when any lesson has practice.

    (The content system check reports these with every other kind's; this is the builder's own
    view, for its tests.)
    """
    if not content_dir.is_dir():
        return []  # the lesson check already reports a missing folder
    store = ContentStore(content_dir=content_dir, kinds=(LESSON_KIND, COACH_KIND, PRACTICE_KIND))
    return store.problems(kinds=(COACH_KIND, PRACTICE_KIND))


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
