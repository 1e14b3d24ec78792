from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import request_started


class ContentRegistryConfig(AppConfig):
    name = "content_registry"
    verbose_name = "Content registry"

    def ready(self) -> None:
        from content_registry import checks  # noqa: F401  (registers the content system check)
        from content_registry.registry import reload_if_changed

        request_started.connect(reload_if_changed, dispatch_uid="content_registry.reload")
