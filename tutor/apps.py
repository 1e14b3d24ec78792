from __future__ import annotations

from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"

    def ready(self) -> None:
        from tutor import vocabulary  # noqa: F401  (registers the vocabulary kind)
