"""WSGI entry point for gunicorn and other servers."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def warm_content_caches() -> None:
    """Parse every lesson now, once, instead of on some learner's first request to each worker.

    With gunicorn's preload_app the workers fork from a process that has already done this.
    """
    from lessons.content import get_catalogue

    get_catalogue()


warm_content_caches()
