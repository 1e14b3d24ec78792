"""`manage.py eval_tutor`: the tutor's dev-set report, with every miss listed for study."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.content import get_lesson
from tutor import answers
from tutor.evaluation import DEV_SET_PATH, evaluate, load_dev_set, thresholds

SWEEP_SCORES = (0.5, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0)
SWEEP_COVERAGES = (0.5, 0.6, 0.67, 0.75, 0.8, 1.0)


class Command(BaseCommand):
    help = "Evaluate the tutor on the dev set: hit rate, correct refusals, false refusals."
    requires_system_checks: list[str] = []  # reads content only; no database, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dev-set", type=Path, default=DEV_SET_PATH)
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="also print the metrics for a grid of refusal thresholds (how they are tuned)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dev_set = load_dev_set(options["dev_set"])
        lesson = get_lesson(dev_set.lesson)
        if lesson is None:
            raise CommandError(f"the dev set names an unknown lesson: {dev_set.lesson}")
        report = evaluate(lesson=lesson, dev_set=dev_set)
        self.stdout.write(f"Tutor evaluation on {options['dev_set']} ({dev_set.lesson})")
        self.stdout.write(
            f"thresholds: MIN_SCORE={answers.MIN_SCORE}, MIN_COVERAGE={answers.MIN_COVERAGE}"
        )
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if report.misses:
            self.stdout.write(f"misses ({len(report.misses)}):")
            for miss in report.misses:
                self.stdout.write(f"  {miss}")
        if options["sweep"]:
            self.stdout.write("sweep: min_score min_coverage -> hit%, refusals%, false refusals%")
            for score in SWEEP_SCORES:
                for coverage in SWEEP_COVERAGES:
                    with thresholds(min_score=score, min_coverage=coverage):
                        trial = evaluate(lesson=lesson, dev_set=dev_set)
                    mark = "  meets targets" if trial.meets_targets else ""
                    self.stdout.write(
                        f"  {score:4.2f} {coverage:4.2f} -> {trial.hit_rate:6.1%} "
                        f"{trial.refusal_accuracy:6.1%} {trial.false_refusal_rate:6.1%}{mark}"
                    )
        if not report.meets_targets:
            raise CommandError("the tutor is below its targets on the dev set")
