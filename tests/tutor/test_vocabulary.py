from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tutor.vocabulary import VOCABULARY_FILE, load_vocabulary


def test_the_real_vocabulary_file_is_valid() -> None:
    vocabulary, problems = load_vocabulary(Path(settings.CONTENT_DIR))
    assert problems == []
    assert "accountable" in vocabulary["responsible"]


def test_no_vocabulary_file_means_no_related_words_and_no_problem(tmp_path: Path) -> None:
    assert load_vocabulary(tmp_path) == ({}, [])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("related: [responsible]\n", "related: must be a mapping of keys to values"),
        ("related:\n  responsible: []\n", "related.responsible: must have at least 1 item"),
        ("related:\n  responsible: [Accountable]\n", "related.responsible[0]:"),
        ("related:\n  held to account: [accountable]\n", "related.held to account.[key]:"),
        ("related:\n  blame: [fault, blame]\n", "related.blame: lists the word itself"),
        ("related: {responsible: [accountable]\n", "invalid YAML at line"),
    ],
)
def test_a_broken_vocabulary_file_names_the_file_and_field(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / VOCABULARY_FILE).write_text(text)
    vocabulary, problems = load_vocabulary(tmp_path)
    assert vocabulary == {}
    assert problem in str(problems[0]), [str(p) for p in problems]
    assert str(problems[0]).startswith(f"{tmp_path.name}/{VOCABULARY_FILE}: tutor vocabulary: ")


def test_check_content_reports_a_broken_vocabulary_file(
    tmp_path: Path, use_content_dir: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(Path(settings.CONTENT_DIR), content)
    (content / VOCABULARY_FILE).write_text("related:\n  responsible: []\n")
    use_content_dir(content)
    with pytest.raises(CommandError):
        call_command("check_content")
    assert (
        "content/tutor-vocabulary.yaml: tutor vocabulary: related.responsible: "
        "must have at least 1 item" in capsys.readouterr().err
    )
