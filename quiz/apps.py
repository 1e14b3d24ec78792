from __future__ import annotations

from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"

    def ready(self) -> None:
        from quiz import (
            checks,  # noqa: F401  (registers the quiz content check)
            signals,  # noqa: F401  (claims anonymous attempts at sign-in)
        )
