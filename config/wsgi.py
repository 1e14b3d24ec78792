"""WSGI entry point: granian loads `application` for `make serve` (config/serve.py); any other
WSGI server can load it too."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def warm_content_caches() -> None:
    """Read the catalogue's index and build the tutor indexes its cache keeps, once, instead of
    on some learner's first request (or first question) to each worker.

    granian imports this module in each worker process, so every worker warms its own caches
    before it takes a request.
    The first TUTOR_WARM_UP_LESSONS lessons of the catalogue (none by default) are warmed,
    never more than the tutor's index cache keeps (work past it would be thrown away): the first
    costs about half a second of start-up for the word lists every index shares, each further
    one a few hundredths, so every other lesson is parsed and indexed on its first use.
    (`manage.py runserver` and the tests build an index on a lesson's first question instead:
    an AppConfig.ready() hook would make every management command parse the content, and a
    broken content file would stop even `check_content`, which exists to report it.)
    """
    from django.conf import settings

    from lessons.content import get_catalogue
    from tutor.retrieval import INDEX_CACHE_SIZE, index_lesson

    catalogue = get_catalogue()
    count = min(INDEX_CACHE_SIZE, settings.TUTOR_WARM_UP_LESSONS)
    for listed in catalogue.lessons[:count]:
        lesson = catalogue.get(listed.slug)
        if lesson is not None:
            index_lesson(lesson)


warm_content_caches()
