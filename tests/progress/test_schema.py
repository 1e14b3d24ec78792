from __future__ import annotations

from progress.management.commands.progress_schema import SCHEMA_PATH, progress_schema_text


def test_the_documented_schema_is_the_one_the_server_validates_with() -> None:
    # Regenerate with `manage.py progress_schema` after changing progress/document.py.
    assert SCHEMA_PATH.read_text() == progress_schema_text()


def test_the_schema_names_the_limits_a_device_must_respect() -> None:
    text = progress_schema_text()
    assert '"maxLength"' in text and '"maxProperties"' in text
    assert '"sections_read"' in text and '"drafts"' in text and '"attempts"' in text
