"""`manage.py eval_coach`: the coach's precision and recall on the tuning half and, separately,
on the held-out half of its corpus, every miss listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from postmortems.coach import get_coach_rules
from postmortems.coach_evaluation import (
    CORPUS_PATH,
    SPLITS,
    TARGET_PRECISION,
    TARGET_RECALL,
    evaluate_coach,
    load_corpus,
)


class Command(BaseCommand):
    help = "Evaluate the blameless-language coach on its corpus: precision and recall per half."
    requires_system_checks: list[str] = []  # reads content only; no database, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        corpus = load_corpus(options["corpus"])
        try:
            rules = get_coach_rules()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Coach evaluation on {options['corpus']} (targets on held-out: precision "
            f"{TARGET_PRECISION:.0%}, recall {TARGET_RECALL:.0%})"
        )
        held_out_ok = True
        for split in SPLITS:
            report = evaluate_coach(corpus=corpus, rules=rules, split=split)
            self.stdout.write(report.summary())
            for miss in report.misses:
                self.stdout.write(f"  {miss}")
            if split == "held-out":
                held_out_ok = report.meets_targets
                batches = sorted({s.batch for s in corpus.sentences if s.split == split})
                for batch in batches if len(batches) > 1 else ():
                    part = evaluate_coach(corpus=corpus, rules=rules, split=split, batch=batch)
                    self.stdout.write(f"  {part.summary()}")
        if not held_out_ok:
            raise CommandError("the coach is below its targets on the held-out half")
