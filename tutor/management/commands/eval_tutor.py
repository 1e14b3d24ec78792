"""`manage.py eval_tutor`: the tutor's dev-set report, every miss listed for study, and the
threshold sweep the refusal thresholds are chosen from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.content import Lesson, get_lesson
from tutor import answers
from tutor.evaluation import (
    DEV_SET_PATH,
    TARGET_FALSE_REFUSAL_RATE,
    TARGET_HIT_RATE,
    TARGET_REFUSAL_ACCURACY,
    DevSet,
    Report,
    evaluate,
    load_dev_set,
    split_dev_set,
    thresholds,
)

SWEEP_RELEVANCES = tuple(step / 40 for step in range(15))  # 0.000, 0.025, ... 0.350
SWEEP_COVERAGES = (0.5, 0.6, 0.67, 0.75, 1.0)


class Command(BaseCommand):
    help = "Evaluate the tutor on the dev set: hit rate, correct refusals, false refusals."
    requires_system_checks: list[str] = []  # reads content only; no database, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dev-set", type=Path, default=DEV_SET_PATH)
        parser.add_argument(
            "--no-sweep",
            action="store_true",
            help="skip the metrics for a grid of refusal thresholds (how they are tuned)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dev_set = load_dev_set(options["dev_set"])
        lesson = get_lesson(dev_set.lesson)
        if lesson is None:
            raise CommandError(f"the dev set names an unknown lesson: {dev_set.lesson}")
        report = evaluate(lesson=lesson, dev_set=dev_set)
        self.stdout.write(f"Tutor evaluation on {options['dev_set']} ({dev_set.lesson})")
        self.stdout.write(
            f"thresholds: MIN_RELEVANCE={answers.MIN_RELEVANCE}, "
            f"MIN_COVERAGE={answers.MIN_COVERAGE}"
        )
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if report.misses:
            self.stdout.write(f"misses ({len(report.misses)}):")
            for miss in report.misses:
                self.stdout.write(f"  {miss}")
        if not options["no_sweep"]:
            self.write_sweep(lesson, dev_set)
            self.write_held_out(lesson, dev_set)
        if not report.meets_targets:
            raise CommandError("the tutor is below its targets on the dev set")

    def write_sweep(self, lesson: Lesson, dev_set: DevSet) -> None:
        """The three metrics over a grid of thresholds; * marks the settings in use."""
        self.stdout.write(
            "sweep: min_relevance min_coverage -> hit, correct refusals, false refusals"
        )
        for relevance in SWEEP_RELEVANCES:
            for coverage in SWEEP_COVERAGES:
                with thresholds(min_relevance=relevance, min_coverage=coverage):
                    trial = evaluate(lesson=lesson, dev_set=dev_set)
                current = (relevance, coverage) == (answers.MIN_RELEVANCE, answers.MIN_COVERAGE)
                mark = "  meets targets" if trial.meets_targets else ""
                self.stdout.write(
                    f" {'*' if current else ' '}{relevance:5.3f} {coverage:4.2f} -> "
                    f"{trial.hit_rate:6.1%} {trial.refusal_accuracy:6.1%} "
                    f"{trial.false_refusal_rate:6.1%}{mark}"
                )

    def write_held_out(self, lesson: Lesson, dev_set: DevSet) -> None:
        """Thresholds tuned on one half of the dev set, and how they do on the other half."""
        halves = dict(zip("AB", split_dev_set(dev_set), strict=True))
        self.stdout.write(
            "held out: half A is every other question from the first, half B the rest "
            "-> hit, correct refusals, false refusals"
        )
        for name, half in halves.items():
            in_use = evaluate(lesson=lesson, dev_set=half)
            self.stdout.write(f"  half {name}, thresholds in use:  {tuning_line(in_use)}")
        grid = [(r, c) for r in SWEEP_RELEVANCES for c in SWEEP_COVERAGES]
        for name, other in (("A", "B"), ("B", "A")):
            trials = {}
            for relevance, coverage in grid:
                with thresholds(min_relevance=relevance, min_coverage=coverage):
                    trials[relevance, coverage] = evaluate(lesson=lesson, dev_set=halves[name])
            # What a tuner would pick: most targets met, then the fewest misses, then the
            # middle of the settings that tie (the middle of a plateau, not its edge).
            best = max(tuning_rank(trial) for trial in trials.values())
            tied = [point for point in grid if tuning_rank(trials[point]) == best]
            chosen = tied[len(tied) // 2]
            with thresholds(min_relevance=chosen[0], min_coverage=chosen[1]):
                held_out = evaluate(lesson=lesson, dev_set=halves[other])
            self.stdout.write(
                f"  tuned on {name}: {chosen[0]:5.3f} {chosen[1]:4.2f}, "
                f"on {name} {tuning_line(trials[chosen])}, on {other} {tuning_line(held_out)}"
            )


def tuning_rank(report: Report) -> tuple[int, int]:
    met = (
        report.hit_rate >= TARGET_HIT_RATE,
        report.refusal_accuracy >= TARGET_REFUSAL_ACCURACY,
        report.false_refusal_rate <= TARGET_FALSE_REFUSAL_RATE,
    )
    return sum(met), report.hits + report.correct_refusals


def tuning_line(report: Report) -> str:
    met = "  meets targets" if report.meets_targets else ""
    return (
        f"{report.hit_rate:6.1%} {report.refusal_accuracy:6.1%} "
        f"{report.false_refusal_rate:6.1%}{met}"
    )
