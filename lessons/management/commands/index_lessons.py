from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from content_registry import code_digest, get_store
from lessons.content import LESSON_KIND, get_catalogue
from lessons.search import sources_digest, sync_search_index


class Command(BaseCommand):
    help = "Bring the catalogue's search index in step with content/ (nothing to do if unchanged)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="rebuild even if unchanged")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        catalogue = get_catalogue()
        self.stdout.write(f"Indexing {len(catalogue.lessons)} lessons for search…")
        store = get_store()
        files = [store.source(LESSON_KIND, lesson.slug).path for lesson in catalogue.lessons]
        # Lessons are parsed (lazily, one at a time) only when their files changed.
        rebuilt = sync_search_index(
            lessons=catalogue.whole_lessons(),
            force=options["force"],
            sources_hash=sources_digest(files=files, code=code_digest((LESSON_KIND,))),
        )
        elapsed = time.perf_counter() - started
        verb = "rebuilt" if rebuilt else "already up to date"
        self.stdout.write(f"Search index {verb} ({elapsed:.1f} s).")
