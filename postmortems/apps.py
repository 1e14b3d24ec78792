from __future__ import annotations

from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "postmortems"
    verbose_name = "Postmortem builder"

    def ready(self) -> None:
        import postmortems.checks  # noqa: F401  (registers the builder's system checks)
