"""`manage.py prune_quiz_attempts [--days 30]`: delete quiz attempts abandoned before finishing.

Every visit to a quiz form starts an attempt, so unfinished ones pile up; finished attempts are
results and are kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quiz.attempts import prune_abandoned_attempts


class Command(BaseCommand):
    help = "Delete unfinished quiz attempts started more than --days days ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_abandoned_attempts(older_than=timedelta(days=options["days"]))
        self.stdout.write(f"Deleted {deleted} abandoned quiz attempt(s) and their answers.")
