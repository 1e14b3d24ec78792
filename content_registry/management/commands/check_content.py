"""`manage.py check_content`: one line per problem in content/, non-zero exit on any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks.registry import registry
from django.core.management.base import BaseCommand, CommandError, CommandParser

from content_registry.checking import content_problems, default_jobs
from content_registry.checks import CONTENT_TAG, check_cache_dir, check_content_files

# Progress is worth printing only where the check takes a while.
PROGRESS_FROM = 100


def other_content_checks() -> list[CheckMessage]:
    """Any other system check tagged `content` (the registry's own one is run above, faster)."""
    messages: list[CheckMessage] = []
    for check in registry.get_checks():
        if CONTENT_TAG in getattr(check, "tags", ()) and check is not check_content_files:
            messages += check(app_configs=None, databases=None)
    return messages


class Command(BaseCommand):
    help = "Validate every content file under CONTENT_DIR."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="processes to check lesson folders on (default: one per core)",
        )
        parser.add_argument(
            "--no-cache",
            action="store_true",
            help="parse every folder, ignoring the results kept in CONTENT_BUILD_CACHE_DIR",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reported = 0

        def progress(done: int, total: int) -> None:
            nonlocal reported
            step = max(1, total // 10)
            if total >= PROGRESS_FROM and (done - reported >= step or done == total):
                reported = done
                self.stdout.write(f"Checked {done:,} of {total:,} lesson folders…")

        problems = content_problems(
            Path(settings.CONTENT_DIR),
            jobs=options["jobs"],
            cache_dir=None if options["no_cache"] else check_cache_dir(),
            on_progress=progress,
        )
        others = other_content_checks()
        errors = [str(p) for p in problems if not p.warning]
        errors += [m.msg for m in others if m.is_serious()]
        warnings = [str(p) for p in problems if p.warning]
        warnings += [m.msg for m in others if not m.is_serious()]
        for line in errors:
            self.stderr.write(line)
        for line in warnings:
            self.stderr.write(f"warning: {line}")
        if errors:
            raise CommandError(f"{len(errors)} problem(s) in content files.", returncode=1)
        note = f" ({len(warnings)} warning(s))" if warnings else ""
        self.stdout.write(self.style.SUCCESS(f"Content OK.{note}"))
