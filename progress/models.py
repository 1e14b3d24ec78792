from __future__ import annotations

from django.conf import settings
from django.db import models

from progress.document import document_to_json, empty_document


def _empty_document_json() -> dict:
    return document_to_json(empty_document())


class ProgressRecord(models.Model):
    """A signed-in learner's merged progress document (the shape in progress/document.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_record"
    )
    document = models.JSONField(default=_empty_document_json)
    # Bumped on every change; devices may show it, tests use it to count writes.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Progress of {self.user}"
