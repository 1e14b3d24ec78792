"""Evaluation of the blameless-language coach on a corpus: precision and recall per split.

The corpus is YAML (tests/postmortems/coach_corpus.yaml): sentences marked `flag` or `no-flag` and
`tune` or `held-out`. A sentence counts as flagged when the coach flags any phrase in it.
`evaluate_coach` is what `manage.py eval_coach` prints and what the regression test holds to
the targets, on the held-out half only: the rules are tuned on the other half.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field

from postmortems.coach import CoachRules, coach_text

CORPUS_PATH = Path(settings.BASE_DIR) / "tests" / "postmortems" / "coach_corpus.yaml"
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.90

Split = Literal["tune", "held-out"]
SPLITS: tuple[Split, ...] = ("tune", "held-out")


class CorpusSentence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1)
    expect: Literal["flag", "no-flag"]
    split: Split
    # Batch 2 was written after the rules were frozen, as a check the tuner has never seen.
    batch: int = Field(default=1, ge=1)
    note: str = ""


class CoachCorpus(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sentences: tuple[CorpusSentence, ...] = Field(min_length=1)


def load_corpus(path: Path = CORPUS_PATH) -> CoachCorpus:
    return CoachCorpus.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Miss:
    sentence: CorpusSentence
    flagged: tuple[str, ...]  # what the coach flagged ("text [rule]"); empty for a missed blame

    def __str__(self) -> str:
        if self.sentence.expect == "flag":
            return f"missed blame: {self.sentence.text}  ({self.sentence.note})"
        found = ", ".join(self.flagged)
        return f"false flag: {self.sentence.text}  -> {found}  ({self.sentence.note})"


@dataclass(frozen=True)
class SplitReport:
    split: Split
    batch: int | None
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    misses: tuple[Miss, ...]

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        blameful = self.true_positives + self.false_negatives
        return self.true_positives / blameful if blameful else 1.0

    @property
    def meets_targets(self) -> bool:
        return self.precision >= TARGET_PRECISION and self.recall >= TARGET_RECALL

    def summary(self) -> str:
        sentences = (
            self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
        )
        name = self.split if self.batch is None else f"{self.split}, batch {self.batch}"
        return (
            f"{name}: {sentences} sentences, precision {self.precision:.1%} "
            f"({self.true_positives}/{self.true_positives + self.false_positives}), "
            f"recall {self.recall:.1%} ({self.true_positives}/"
            f"{self.true_positives + self.false_negatives})"
        )


def evaluate_coach(
    *, corpus: CoachCorpus, rules: CoachRules, split: Split, batch: int | None = None
) -> SplitReport:
    """Sentence-level precision and recall of the coach on one half of the corpus (optionally
    one batch of it)."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    misses: list[Miss] = []
    for sentence in corpus.sentences:
        if sentence.split != split or (batch is not None and sentence.batch != batch):
            continue
        flags = coach_text(sentence.text, rules=rules)
        expected = sentence.expect == "flag"
        key = ("t" if bool(flags) == expected else "f") + ("p" if flags else "n")
        counts[key] += 1
        if bool(flags) != expected:
            found = tuple(f"{flag.text!r} [{flag.rule_id}]" for flag in flags)
            misses.append(Miss(sentence=sentence, flagged=found))
    return SplitReport(
        split=split,
        batch=batch,
        true_positives=counts["tp"],
        false_positives=counts["fp"],
        false_negatives=counts["fn"],
        true_negatives=counts["tn"],
        misses=tuple(misses),
    )
