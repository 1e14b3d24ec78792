"""Content validation as a Django system check: a broken lesson stops start-up loudly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from lessons.content import load_catalogue_with_problems

CONTENT_TAG = "content"


@register(CONTENT_TAG)
def check_lesson_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    _, problems = load_catalogue_with_problems(Path(settings.CONTENT_DIR))
    return [Error(str(problem), id="lessons.E001") for problem in problems]
