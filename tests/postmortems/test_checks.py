from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.core.checks import run_checks

from postmortems.checks import draft_limit_problems
from postmortems.template import MAX_FIELD_CHARS, MAX_FIELDS_PER_DRAFT
from progress import document

ROOT = Path(__file__).resolve().parents[2]


def test_progress_stores_drafts_as_large_as_the_builder_makes_them() -> None:
    assert document.MAX_FIELDS_PER_DRAFT >= MAX_FIELDS_PER_DRAFT
    assert document.MAX_DRAFT_FIELD_CHARS >= MAX_FIELD_CHARS
    assert not [m for m in run_checks() if m.id == "postmortems.E002"]


def test_draft_limits_smaller_than_the_template_stop_start_up() -> None:
    problems = draft_limit_problems({"fields": 20, "field_chars": 500})
    assert problems == [
        f"PROGRESS_DRAFT_LIMITS['fields'] is 20; a full postmortem draft has "
        f"{MAX_FIELDS_PER_DRAFT} fields (every field, every action-item row)",
        "PROGRESS_DRAFT_LIMITS['field_chars'] is 500; a postmortem field may hold 10,000 "
        "characters",
    ]
    assert settings.PROGRESS_DRAFT_LIMITS["fields"] == MAX_FIELDS_PER_DRAFT


def test_progress_never_imports_the_postmortem_builder() -> None:
    imported = set()
    for path in (ROOT / "progress").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not [name for name in imported if name.startswith(("postmortems", "lessons.practice"))]
