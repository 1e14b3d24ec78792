"""Grading: pure functions from questions and chosen option ids to grades. Server-side only."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from quiz.bank import Question


class InvalidAnswer(ValueError):
    """The chosen options cannot be an answer to this question (unknown, or too many)."""


@dataclass(frozen=True)
class QuestionGrade:
    question_id: str
    selected: frozenset[str]
    correct_options: frozenset[str]

    @property
    def is_correct(self) -> bool:
        return self.selected == self.correct_options


@dataclass(frozen=True)
class AttemptGrade:
    score: int
    total: int
    pass_percent: int

    @property
    def percent(self) -> int:
        """Whole percent, halves rounded up (13 / 15 -> 87)."""
        return (self.score * 200 + self.total) // (self.total * 2) if self.total else 0

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.score * 100 >= self.pass_percent * self.total


def grade_question(question: Question, selected: Collection[str]) -> QuestionGrade:
    """Grade one answer: right only when the chosen set equals the correct set (all-or-nothing).

    Raises InvalidAnswer for an empty choice, an option the question does not have, a repeated
    option, or several options on a single-answer question.
    """
    chosen = frozenset(selected)
    if not chosen:
        raise InvalidAnswer("choose an answer")
    if len(chosen) != len(selected):
        raise InvalidAnswer("the same option was sent twice")
    known = {option.id for option in question.options}
    unknown = sorted(chosen - known)
    if unknown:
        raise InvalidAnswer(f"question '{question.id}' has no option '{unknown[0]}'")
    if question.kind == "single" and len(chosen) > 1:
        raise InvalidAnswer(f"question '{question.id}' takes one answer, not {len(chosen)}")
    return QuestionGrade(
        question_id=question.id, selected=chosen, correct_options=question.correct_option_ids
    )


def grade_positions(
    question: Question, option_order: Sequence[str], positions: Sequence[int]
) -> QuestionGrade:
    """Grade an answer given as 1-based places in an attempt's shuffled `option_order`.

    Raises InvalidAnswer for a place the order does not have, and as `grade_question` does.
    """
    for position in positions:
        if not 1 <= position <= len(option_order):
            raise InvalidAnswer(
                f"{position} is not an option of this question (1-{len(option_order)})"
            )
    return grade_question(question, [option_order[position - 1] for position in positions])


def grade_attempt(
    questions: Sequence[Question],
    answers: Mapping[str, Collection[str]],
    *,
    pass_percent: int,
) -> AttemptGrade:
    """Score an attempt: one point per question answered exactly right; unanswered scores 0."""
    score = sum(
        1
        for question in questions
        if question.id in answers and frozenset(answers[question.id]) == question.correct_option_ids
    )
    return AttemptGrade(score=score, total=len(questions), pass_percent=pass_percent)
