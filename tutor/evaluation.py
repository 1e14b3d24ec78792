"""Evaluation of the tutor on a dev set: answer hit rate, correct refusals, false refusals.

The dev set is YAML (tests/tutor/dev_set.yaml); `evaluate()` is what `manage.py eval_tutor`
prints and what the regression test holds to the targets.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field

from lessons.content import Lesson
from tutor import answers
from tutor.answers import answer_question

DEV_SET_PATH = Path(settings.BASE_DIR) / "tests" / "tutor" / "dev_set.yaml"
TARGET_HIT_RATE = 0.90
TARGET_REFUSAL_ACCURACY = 0.95
TARGET_FALSE_REFUSAL_RATE = 0.10


class AnswerableCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=1)
    section: str
    also: tuple[str, ...] = ()


class DevSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lesson: str
    answerable: tuple[AnswerableCase, ...] = Field(min_length=1)
    unanswerable: tuple[str, ...] = Field(min_length=1)


def load_dev_set(path: Path = DEV_SET_PATH) -> DevSet:
    return DevSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def split_dev_set(dev_set: DevSet) -> tuple[DevSet, DevSet]:
    """Two fixed halves (alternate questions of each kind): tune on one, check on the other."""
    first, second = (
        dev_set.model_copy(
            update={
                "answerable": dev_set.answerable[start::2],
                "unanswerable": dev_set.unanswerable[start::2],
            }
        )
        for start in (0, 1)
    )
    return first, second


@dataclass
class Report:
    answerable: int = 0
    hits: int = 0
    false_refusals: int = 0
    unanswerable: int = 0
    correct_refusals: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.answerable if self.answerable else 0.0

    @property
    def false_refusal_rate(self) -> float:
        return self.false_refusals / self.answerable if self.answerable else 0.0

    @property
    def refusal_accuracy(self) -> float:
        return self.correct_refusals / self.unanswerable if self.unanswerable else 0.0

    @property
    def meets_targets(self) -> bool:
        return (
            self.hit_rate >= TARGET_HIT_RATE
            and self.refusal_accuracy >= TARGET_REFUSAL_ACCURACY
            and self.false_refusal_rate <= TARGET_FALSE_REFUSAL_RATE
        )

    def lines(self) -> list[str]:
        return [
            f"answer hit rate      {self.hit_rate:6.1%}  ({self.hits}/{self.answerable}, "
            f"target ≥ {TARGET_HIT_RATE:.0%}): the right section is cited first",
            f"correct refusals     {self.refusal_accuracy:6.1%}  ({self.correct_refusals}/"
            f"{self.unanswerable}, target ≥ {TARGET_REFUSAL_ACCURACY:.0%})",
            f"false refusals       {self.false_refusal_rate:6.1%}  "
            f"({self.false_refusals}/{self.answerable}, target ≤ {TARGET_FALSE_REFUSAL_RATE:.0%})",
        ]


def evaluate(*, lesson: Lesson, dev_set: DevSet) -> Report:
    """Ask every dev-set question; count hits, refusals, and describe each miss."""
    report = Report(answerable=len(dev_set.answerable), unanswerable=len(dev_set.unanswerable))
    for case in dev_set.answerable:
        reply = answer_question(lesson=lesson, question=case.question)
        expected = {case.section, *case.also}
        if not reply.grounded:
            report.false_refusals += 1
            report.misses.append(f"refused  {case.question!r} (expected {case.section})")
        elif reply.citations[0].section_id in expected:
            report.hits += 1
        else:
            cited = reply.citations[0].section_id
            report.misses.append(
                f"wrong    {case.question!r} cited {cited}, expected {case.section}"
            )
    for question in dev_set.unanswerable:
        reply = answer_question(lesson=lesson, question=question)
        if reply.grounded:
            cited = reply.citations[0].section_id
            report.misses.append(f"answered {question!r} (should refuse) citing {cited}")
        else:
            report.correct_refusals += 1
    return report


@contextmanager
def thresholds(*, min_relevance: float, min_coverage: float) -> Iterator[None]:
    """Try other refusal thresholds for a while (the sweep that tunes them)."""
    saved = answers.MIN_RELEVANCE, answers.MIN_COVERAGE
    answers.MIN_RELEVANCE, answers.MIN_COVERAGE = min_relevance, min_coverage
    try:
        yield
    finally:
        answers.MIN_RELEVANCE, answers.MIN_COVERAGE = saved
