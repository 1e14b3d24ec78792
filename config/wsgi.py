"""WSGI entry point for gunicorn and other servers."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def warm_content_caches() -> None:
    """Parse every lesson and build its tutor index now, once, instead of on some learner's
    first request (or first question) to each worker.

    With gunicorn's preload_app the workers fork from a process that has already done this.
    (`manage.py runserver` and the tests build an index on a lesson's first question instead:
    an AppConfig.ready() hook would make every management command parse the content, and a
    broken content file would stop even `check_content`, which exists to report it.)
    """
    from lessons.content import get_catalogue
    from tutor.retrieval import index_lesson

    for lesson in get_catalogue().lessons:
        index_lesson(lesson)


warm_content_caches()
