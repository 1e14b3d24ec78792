"""Evaluation of the tutor on a dev set per lesson: hit, strict hit, refusals, every miss.

Dev sets are YAML, one per lesson (tests/tutor/dev_sets/<slug>.yaml). Each question is
assessed once (`tutor.answers.assess`); the thresholds then decide which assessments become
answers, so sweeping them is cheap. `leave_one_lesson_out()` tunes the thresholds on the other
lessons and scores the lesson left out: the figure that says how the tutor does on a lesson
nobody tuned it on.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field

from lessons.content import Lesson
from tutor.answers import (
    LONG_QUESTION_WORDS,
    STORY_WORDS,
    Assessment,
    Thresholds,
    TutorAnswer,
    answer_from,
    answer_question,
    assess,
    suggest_sections,
)
from tutor.retrieval import index_lesson

DEV_SETS_DIR = Path(settings.BASE_DIR) / "tests" / "tutor" / "dev_sets"
FOLLOW_UPS_DIR = Path(settings.BASE_DIR) / "tests" / "tutor" / "follow_ups"
TARGET_HIT_RATE = 0.90
TARGET_STRICT_HIT_RATE = 0.80
TARGET_REFUSAL_ACCURACY = 0.95
TARGET_FALSE_REFUSAL_RATE = 0.05
# The thresholds tried when tuning: every pair of these.
SWEEP_COVERAGES = tuple(round(0.30 + step * 0.05, 2) for step in range(11))  # 0.30 … 0.80
SWEEP_UNKNOWN_WEIGHTS = tuple(round(0.30 + step * 0.05, 2) for step in range(15))  # 0.30 … 1.00
SWEEP_TOPIC_WEIGHTS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


class AnswerableCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=1)
    section: str
    # Words of the unit that answers it, likely to stay when the lesson is edited; "a|b" when
    # a vague question is answered by any of several units.
    phrase: str = Field(min_length=3)
    also: tuple[str, ...] = ()

    @property
    def sections(self) -> frozenset[str]:
        """The sections whose citation answers it."""
        return frozenset({self.section, *self.also})


class DevSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lesson: str
    answerable: tuple[AnswerableCase, ...] = Field(min_length=1)
    unanswerable: tuple[str, ...] = Field(min_length=1)


def load_dev_set(path: Path) -> DevSet:
    return DevSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_dev_sets(directory: Path = DEV_SETS_DIR) -> list[DevSet]:
    return [load_dev_set(path) for path in sorted(directory.glob("*.yaml"))]


def split_dev_set(dev_set: DevSet) -> tuple[DevSet, DevSet]:
    """Two fixed halves (alternate questions of each kind): study one, keep the other unseen."""
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


@dataclass(frozen=True)
class Trial:
    """One dev-set question and what the lesson has for it."""

    question: str
    case: AnswerableCase | None  # None: the tutor should refuse
    assessment: Assessment
    answer: TutorAnswer  # what it answers when the thresholds let it
    offered: frozenset[str] = frozenset()  # the sections a refusal of it would offer


REFUSED = TutorAnswer(answer="", grounded=False)


@dataclass(frozen=True)
class LessonTrials:
    lesson: Lesson
    trials: tuple[Trial, ...]


def assess_dev_set(*, lesson: Lesson, dev_set: DevSet) -> LessonTrials:
    index = index_lesson(lesson)
    cases: list[tuple[str, AnswerableCase | None]] = [(c.question, c) for c in dev_set.answerable]
    cases += [(q, None) for q in dev_set.unanswerable]
    trials = []
    for question, case in cases:
        assessment = assess(index, question)
        reply = answer_from(lesson, question, assessment, ANSWER_ALL, chat=False)
        offered = frozenset(
            s.section_id for s in suggest_sections(lesson, assessment.hits) if assessment.hits
        )
        trials.append(Trial(question, case, assessment, reply, offered))
    return LessonTrials(lesson=lesson, trials=tuple(trials))


ANSWER_ALL = Thresholds(min_coverage=0.0, max_unknown_weight=1.0, min_topic_weight=0.0)


class FollowUpCase(AnswerableCase):
    """A follow-up the lesson answers, asked after `first`."""

    first: str = Field(min_length=1)


class OutOfScopeFollowUp(BaseModel):
    """A follow-up the lesson does not answer, asked after `first`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: str = Field(min_length=1)
    question: str = Field(min_length=1)


class FollowUpSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lesson: str
    answerable: tuple[FollowUpCase, ...] = Field(min_length=1)
    unanswerable: tuple[OutOfScopeFollowUp, ...] = Field(min_length=1)


def load_follow_up_sets(directory: Path = FOLLOW_UPS_DIR) -> list[FollowUpSet]:
    return [
        FollowUpSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(directory.glob("*.yaml"))
    ]


@dataclass
class FollowUpCounts:
    """How follow-ups fare, asked alone or after the question before."""

    right: int = 0  # answered from a section that answers it
    wrong: int = 0
    refused: int = 0
    out_of_scope_answered: int = 0

    def line(self, answerable: int, unanswerable: int) -> str:
        return (
            f"right section {self.right}/{answerable}, wrong section {self.wrong}, refused "
            f"{self.refused}; out of scope answered {self.out_of_scope_answered}/{unanswerable}"
        )


def score_follow_ups(
    *, lesson: Lesson, follow_ups: FollowUpSet
) -> tuple[FollowUpCounts, FollowUpCounts]:
    """Each follow-up asked alone, then after its first question, under the thresholds in use."""
    alone, after = FollowUpCounts(), FollowUpCounts()
    for counts, with_first in ((alone, False), (after, True)):
        for case in follow_ups.answerable:
            previous = case.first if with_first else ""
            reply = answer_question(lesson=lesson, question=case.question, previous=previous)
            if not reply.grounded:
                counts.refused += 1
            elif reply.citations[0].section_id in case.sections:
                counts.right += 1
            else:
                counts.wrong += 1
        for pair in follow_ups.unanswerable:
            previous = pair.first if with_first else ""
            reply = answer_question(lesson=lesson, question=pair.question, previous=previous)
            counts.out_of_scope_answered += reply.grounded
    return alone, after


@dataclass
class Report:
    answerable: int = 0
    hits: int = 0
    strict_hits: int = 0
    false_refusals: int = 0
    # False refusals whose offered sections include the one that answers the question.
    pointed: int = 0
    unanswerable: int = 0
    correct_refusals: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.answerable if self.answerable else 0.0

    @property
    def strict_hit_rate(self) -> float:
        return self.strict_hits / self.answerable if self.answerable else 0.0

    @property
    def false_refusal_rate(self) -> float:
        return self.false_refusals / self.answerable if self.answerable else 0.0

    @property
    def refusal_accuracy(self) -> float:
        return self.correct_refusals / self.unanswerable if self.unanswerable else 0.0

    @property
    def targets_met(self) -> int:
        return sum(
            (
                self.hit_rate >= TARGET_HIT_RATE,
                self.strict_hit_rate >= TARGET_STRICT_HIT_RATE,
                self.refusal_accuracy >= TARGET_REFUSAL_ACCURACY,
                self.false_refusal_rate <= TARGET_FALSE_REFUSAL_RATE,
            )
        )

    @property
    def meets_targets(self) -> bool:
        return self.targets_met == 4

    def line(self) -> str:
        return (
            f"hit {self.hit_rate:6.1%} ({self.hits}/{self.answerable})  "
            f"strict hit {self.strict_hit_rate:6.1%} ({self.strict_hits}/{self.answerable})  "
            f"correct refusals {self.refusal_accuracy:6.1%} "
            f"({self.correct_refusals}/{self.unanswerable})  "
            f"false refusals {self.false_refusal_rate:6.1%} "
            f"({self.false_refusals}/{self.answerable}, {self.pointed} offering the right section)"
            + ("  meets targets" if self.meets_targets else "")
        )


def normalised(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())


def score(trials: LessonTrials, limits: Thresholds) -> Report:
    """Count hits (the right section cited first), strict hits (the answer contains the
    expected phrase), correct and false refusals, and describe each miss."""
    report = Report()
    for trial in trials.trials:
        reply = trial.answer if trial.assessment.is_answered(limits) else REFUSED
        case = trial.case
        if case is None:
            report.unanswerable += 1
            if reply.grounded:
                cited = reply.citations[0].anchor
                report.misses.append(f"answered {trial.question!r} (should refuse) citing {cited}")
            else:
                report.correct_refusals += 1
            continue
        report.answerable += 1
        if not reply.grounded:
            report.false_refusals += 1
            report.pointed += bool(trial.offered & case.sections)
            report.misses.append(f"refused  {trial.question!r} (expected {case.section})")
            continue
        cited = reply.citations[0].section_id
        if cited in case.sections:
            report.hits += 1
        else:
            report.misses.append(
                f"wrong    {trial.question!r} cited {cited}, expected {case.section}"
            )
        if any(normalised(p) in normalised(reply.answer) for p in case.phrase.split("|")):
            report.strict_hits += 1
        elif cited in case.sections:
            report.misses.append(
                f"unstrict {trial.question!r} lacks {case.phrase!r}: {reply.answer[:90]!r}"
            )
    return report


def grid() -> list[Thresholds]:
    return [
        Thresholds(min_coverage=c, max_unknown_weight=u, min_topic_weight=t)
        for c in SWEEP_COVERAGES
        for u in SWEEP_UNKNOWN_WEIGHTS
        for t in SWEEP_TOPIC_WEIGHTS
    ]


def ranked(balanced: Sequence[float]) -> tuple[float, float]:
    """The worst lesson's balanced accuracy (answered right and refused right, equally
    weighted), and the mean over lessons."""
    return round(min(balanced), 3), round(sum(balanced) / len(balanced), 3)


@dataclass(frozen=True)
class Outcomes:
    """A lesson's trials as arrays, so that a thousand thresholds are tried in a second."""

    coverage: np.ndarray
    unknown: np.ndarray
    topic: np.ndarray
    eligible: np.ndarray  # answered when the thresholds allow
    answerable: np.ndarray
    right: np.ndarray  # the right section cited first, when answered

    @classmethod
    def of(cls, trials: LessonTrials) -> Outcomes:
        rows = trials.trials
        return cls(
            coverage=np.array([t.assessment.coverage for t in rows]),
            unknown=np.array([t.assessment.unknown_weight for t in rows]),
            topic=np.array([t.assessment.topic_weight for t in rows]),
            # Answered with every threshold at its loosest: the sweep's thresholds decide.
            eligible=np.array([t.answer.grounded for t in rows], dtype=bool),
            answerable=np.array([t.case is not None for t in rows], dtype=bool),
            right=np.array(
                [
                    t.case is not None
                    and t.answer.grounded
                    and t.answer.citations[0].section_id in t.case.sections
                    for t in rows
                ],
                dtype=bool,
            ),
        )

    def balanced_accuracy(self, limits: Thresholds) -> float:
        """What `score` gives as (hit rate + refusal accuracy) / 2 under `limits`."""
        answered = (
            self.eligible
            & (self.coverage >= limits.min_coverage)
            & (self.unknown <= limits.max_unknown_weight)
            & (self.topic >= limits.min_topic_weight)
        )
        answerable = int(self.answerable.sum())
        unanswerable = len(self.answerable) - answerable
        hits = int((answered & self.right).sum())
        refused = int((~answered & ~self.answerable).sum())
        hit_rate = hits / answerable if answerable else 0.0
        refusal_accuracy = refused / unanswerable if unanswerable else 0.0
        return (hit_rate + refusal_accuracy) / 2


def tune(lessons: Sequence[LessonTrials]) -> Thresholds:
    """The thresholds that do best on these lessons together: by the mean over lessons of the
    balanced accuracy around each point of the grid (itself and its neighbours), then the
    worst lesson's; the middle of a tied plateau.

    Around, not at, each point: the accuracy surface is flat and ragged, so a point that wins
    by a question or two sits on a spike that one changed answer moves across the grid (the
    worst lesson's figure at each point alone swung the coverage threshold from 0.4 to 0.6
    and the unknown-word one from 0.7 to 0.3 when two questions of one lesson changed)."""
    points = grid()
    tables = [Outcomes.of(trials) for trials in lessons]
    shape = (len(SWEEP_COVERAGES), len(SWEEP_UNKNOWN_WEIGHTS), len(SWEEP_TOPIC_WEIGHTS))
    accuracy = np.array(
        [[table.balanced_accuracy(point) for table in tables] for point in points]
    ).reshape(*shape, len(tables))
    around = neighbourhood_means(accuracy)
    ranks = [ranked(list(row)) for row in around.reshape(len(points), len(tables))]
    # ranked() gives (worst, mean); the mean decides here, the worst lesson breaks ties.
    keys = [(mean, worst) for worst, mean in ranks]
    best = max(keys)
    tied = [point for point, key in zip(points, keys, strict=True) if key == best]
    return tied[len(tied) // 2]


def neighbourhood_means(values: np.ndarray) -> np.ndarray:
    """Each grid point's values averaged with those of its neighbours (one step along each
    threshold's axis, fewer at the edges), for every lesson (the last axis)."""
    result = np.empty_like(values)
    for index in np.ndindex(values.shape[:-1]):
        box = tuple(slice(max(0, i - 1), i + 2) for i in index)
        result[index] = values[box].reshape(-1, values.shape[-1]).mean(axis=0)
    return result


def leave_one_lesson_out(
    lessons: Sequence[LessonTrials],
) -> list[tuple[LessonTrials, Thresholds, Report]]:
    """For each lesson: thresholds tuned on the others, and its report under them."""
    results = []
    for number, held_out in enumerate(lessons):
        others = [trials for other, trials in enumerate(lessons) if other != number]
        chosen = tune(others) if others else tune([held_out])
        results.append((held_out, chosen, score(held_out, chosen)))
    return results


# Question lengths in words, each band by its shortest length: the longer a question, the more
# words of its own story it holds that no lesson uses.
# The last two: questions told as a story, and those the tutor calls long.
LENGTH_BANDS = (1, 5, STORY_WORDS, LONG_QUESTION_WORDS)


def false_refusals_by_length(
    lessons: Sequence[LessonTrials], limits: Thresholds
) -> list[tuple[str, int, int]]:
    """For each band of question length: its label, the questions to answer in it, and how
    many of those `limits` refuse."""
    counts = {band: [0, 0] for band in LENGTH_BANDS}
    for trials in lessons:
        for trial in trials.trials:
            if trial.case is None:
                continue
            words = len(trial.question.split())
            band = max(b for b in LENGTH_BANDS if b <= words) if words else LENGTH_BANDS[0]
            counts[band][0] += 1
            counts[band][1] += not trial.assessment.is_answered(limits)
    labels = [f"{low}-{high - 1}" for low, high in itertools.pairwise(LENGTH_BANDS)] + [
        f"{LENGTH_BANDS[-1]}+"
    ]
    return [
        (label, counts[band][0], counts[band][1])
        for label, band in zip(labels, LENGTH_BANDS, strict=True)
    ]
