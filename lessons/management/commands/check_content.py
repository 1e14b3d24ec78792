"""`manage.py check_content`: one line per problem in content/, non-zero exit on any."""

from __future__ import annotations

from typing import Any

from django.core.checks import run_checks
from django.core.management.base import BaseCommand, CommandError

from lessons.checks import CONTENT_TAG


class Command(BaseCommand):
    help = "Validate every lesson and quiz file under CONTENT_DIR."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        problems = run_checks(tags=[CONTENT_TAG])
        for problem in problems:
            self.stderr.write(problem.msg)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in content files.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Content OK."))
