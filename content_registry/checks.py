"""Every content problem as one system check: a broken file stops start-up loudly."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from content_registry.registry import get_store

CONTENT_TAG = "content"


@register(CONTENT_TAG)
def check_content_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [Error(str(problem), id="content.E001") for problem in get_store().problems()]
