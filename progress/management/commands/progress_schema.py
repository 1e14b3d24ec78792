from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from progress.document import ProgressDocument

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "progress-document.schema.json"


def progress_schema_text() -> str:
    """The progress document's JSON Schema, generated from its pydantic model."""
    schema = ProgressDocument.model_json_schema(mode="validation")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the progress document's JSON Schema (from its pydantic model) into docs/."

    def handle(self, *args: Any, **options: Any) -> None:
        SCHEMA_PATH.write_text(progress_schema_text())
        self.stdout.write(f"Wrote {SCHEMA_PATH.relative_to(settings.BASE_DIR)}")
