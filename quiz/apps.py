from __future__ import annotations

from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"

    def ready(self) -> None:
        from quiz import (
            bank,  # noqa: F401  (registers the quiz kind with the content registry)
            signals,  # noqa: F401  (claims anonymous attempts at sign-in)
        )
