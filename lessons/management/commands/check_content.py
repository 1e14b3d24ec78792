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
        messages = run_checks(tags=[CONTENT_TAG])
        problems = [message for message in messages if message.is_serious()]
        warnings = [message for message in messages if not message.is_serious()]
        for problem in problems:
            self.stderr.write(problem.msg)
        for warning in warnings:
            self.stderr.write(f"warning: {warning.msg}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in content files.", returncode=1)
        note = f" ({len(warnings)} warning(s))" if warnings else ""
        self.stdout.write(self.style.SUCCESS(f"Content OK.{note}"))
