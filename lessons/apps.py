from __future__ import annotations

from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"

    def ready(self) -> None:
        import lessons.content  # noqa: F401  (registers the lesson kind with the content registry)
