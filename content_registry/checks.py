"""Every content problem as one system check: a broken file stops start-up loudly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from content_registry.checking import content_problems, default_jobs

CONTENT_TAG = "content"


def check_cache_dir() -> Path | None:
    """Where the check remembers each unchanged folder's problems (content_registry.checking)."""
    configured = getattr(settings, "CONTENT_BUILD_CACHE_DIR", "")
    return Path(configured) / "check" if configured else None


@register(CONTENT_TAG)
def check_content_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems = content_problems(
        Path(settings.CONTENT_DIR), jobs=default_jobs(), cache_dir=check_cache_dir()
    )
    return [
        Warning(str(problem), id="content.W001")
        if problem.warning
        else Error(str(problem), id="content.E001")
        for problem in problems
    ]
