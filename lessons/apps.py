from __future__ import annotations

from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"

    def ready(self) -> None:
        # Registers the lesson, practice and coach kinds with the content registry.
        import lessons.practice  # noqa: F401
