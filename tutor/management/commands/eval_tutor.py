"""`manage.py eval_tutor`: the tutor on every lesson's dev set, per lesson and leave-one-lesson-
out (thresholds tuned on the other lessons, scored on the one left out), follow-ups asked alone
and after the question before, and every miss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.content import get_lesson
from tutor.answers import current_thresholds
from tutor.evaluation import (
    DEV_SETS_DIR,
    FOLLOW_UPS_DIR,
    LessonTrials,
    assess_dev_set,
    false_refusals_by_length,
    leave_one_lesson_out,
    load_dev_set,
    load_follow_up_sets,
    score,
    score_follow_ups,
    split_dev_set,
    tune,
)


class Command(BaseCommand):
    help = "Evaluate the tutor on every lesson's dev set, per lesson and leave-one-lesson-out."
    requires_system_checks: list[str] = []  # reads content only; no database, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dev-sets", type=Path, default=DEV_SETS_DIR)
        parser.add_argument("--follow-ups", type=Path, default=FOLLOW_UPS_DIR)
        parser.add_argument(
            "--half",
            choices=["A", "B"],
            help="only one fixed half of each dev set (study A by hand; keep B unseen)",
        )

    def report_follow_ups(self, directory: Path) -> None:
        if not directory.is_dir():
            return
        self.stdout.write("follow-ups, alone → after the question before, thresholds in use:")
        for follow_ups in load_follow_up_sets(directory):
            lesson = get_lesson(follow_ups.lesson)
            if lesson is None:
                raise CommandError(f"a follow-up set names an unknown lesson: {follow_ups.lesson}")
            alone, after = score_follow_ups(lesson=lesson, follow_ups=follow_ups)
            sizes = (len(follow_ups.answerable), len(follow_ups.unanswerable))
            self.stdout.write(f"  {follow_ups.lesson}")
            self.stdout.write(f"    alone: {alone.line(*sizes)}")
            self.stdout.write(f"    after: {after.line(*sizes)}")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dev_sets"]
        paths = sorted(directory.glob("*.yaml")) if directory.is_dir() else [directory]
        lessons: list[LessonTrials] = []
        for path in paths:
            dev_set = load_dev_set(path)
            if options["half"]:
                dev_set = split_dev_set(dev_set)["AB".index(options["half"])]
            lesson = get_lesson(dev_set.lesson)
            if lesson is None:
                raise CommandError(f"{path.name} names an unknown lesson: {dev_set.lesson}")
            self.stdout.write(
                f"assessing {path.name} ({len(dev_set.answerable)} answerable, "
                f"{len(dev_set.unanswerable)} to refuse)…"
            )
            lessons.append(assess_dev_set(lesson=lesson, dev_set=dev_set))
        in_use = current_thresholds()
        self.stdout.write(
            f"thresholds in use: min_coverage={in_use.min_coverage}, "
            f"max_unknown_weight={in_use.max_unknown_weight}, "
            f"min_topic_weight={in_use.min_topic_weight}"
        )
        tuned = tune(lessons)
        self.stdout.write(
            f"tuned on all lessons: min_coverage={tuned.min_coverage}, "
            f"max_unknown_weight={tuned.max_unknown_weight}, "
            f"min_topic_weight={tuned.min_topic_weight}"
        )
        self.stdout.write("per lesson, thresholds in use:")
        reports = [(trials, score(trials, in_use)) for trials in lessons]
        for trials, report in reports:
            self.stdout.write(f"  {trials.lesson.slug}")
            self.stdout.write(f"    {report.line()}")
        self.stdout.write(
            "leave-one-lesson-out, thresholds tuned on the other lessons, scored on this one:"
        )
        held_out = leave_one_lesson_out(lessons)
        for trials, chosen, report in held_out:
            tuned_on = (chosen.min_coverage, chosen.max_unknown_weight, chosen.min_topic_weight)
            self.stdout.write(f"  {trials.lesson.slug} (tuned {', '.join(map(str, tuned_on))})")
            self.stdout.write(f"    {report.line()}")
        self.stdout.write("false refusals by question length (words), all lessons, in use:")
        for label, answerable, refused in false_refusals_by_length(lessons, in_use):
            share = refused / answerable if answerable else 0.0
            self.stdout.write(f"  {label:>6}: {share:6.1%} ({refused}/{answerable})")
        self.report_follow_ups(options["follow_ups"])
        for trials, report in reports:
            self.stdout.write(f"misses, {trials.lesson.slug} ({len(report.misses)}):")
            for miss in report.misses:
                self.stdout.write(f"  {miss}")
        if not all(report.meets_targets for _, _, report in held_out):
            raise CommandError("the tutor is below its targets on a lesson left out")
