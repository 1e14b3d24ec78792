from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.attempts import plan_attempt
from quiz.bank import FORMS, Option, Question, QuestionBank, get_question_bank
from quiz.grading import (
    AttemptGrade,
    InvalidAnswer,
    grade_attempt,
    grade_positions,
    grade_question,
)
from tests.conftest import LESSON_SLUG

SINGLE = Question(
    id="single",
    section_id="premise",
    prompt="Pick one",
    explanation="Because.",
    options=(
        Option(id="right", text="Right", correct=True),
        Option(id="wrong", text="Wrong"),
        Option(id="other", text="Other"),
    ),
)
MULTIPLE = Question(
    id="multiple",
    section_id="premise",
    kind="multiple",
    prompt="Select all that apply",
    explanation="Because.",
    options=(
        Option(id="a", text="A", correct=True),
        Option(id="b", text="B", correct=True),
        Option(id="c", text="C"),
    ),
)


def test_a_single_answer_question_is_right_only_with_the_correct_option() -> None:
    assert grade_question(SINGLE, ["right"]).is_correct
    assert not grade_question(SINGLE, ["wrong"]).is_correct


def test_a_select_all_question_is_right_only_with_exactly_the_correct_set() -> None:
    assert grade_question(MULTIPLE, ["b", "a"]).is_correct
    assert not grade_question(MULTIPLE, ["a"]).is_correct
    assert not grade_question(MULTIPLE, ["a", "b", "c"]).is_correct


def test_the_grade_names_the_correct_options_for_the_feedback() -> None:
    grade = grade_question(MULTIPLE, ["c"])
    assert grade.correct_options == frozenset({"a", "b"})
    assert grade.selected == frozenset({"c"})


@pytest.mark.parametrize(
    ("question", "selected", "message"),
    [
        (SINGLE, [], "choose an answer"),
        (SINGLE, ["nope"], "question 'single' has no option 'nope'"),
        (SINGLE, ["right", "wrong"], "question 'single' takes one answer, not 2"),
        (MULTIPLE, ["a", "a"], "the same option was sent twice"),
    ],
)
def test_impossible_answers_are_refused(
    question: Question, selected: list[str], message: str
) -> None:
    with pytest.raises(InvalidAnswer, match=message):
        grade_question(question, selected)


def test_an_attempt_scores_one_point_per_exactly_right_answer_and_nothing_for_unanswered() -> None:
    grade = grade_attempt(
        [SINGLE, MULTIPLE], {"single": ["right"], "multiple": ["a"]}, pass_percent=70
    )
    assert (grade.score, grade.total) == (1, 2)
    assert grade_attempt([SINGLE, MULTIPLE], {}, pass_percent=70).score == 0


@pytest.mark.parametrize(
    ("score", "total", "percent", "passed"),
    [
        (8, 10, 80, True),
        (7, 10, 70, True),
        (6, 10, 60, False),
        (13, 15, 87, True),
        (10, 15, 67, False),
        (0, 10, 0, False),
    ],
)
def test_percent_and_pass_follow_the_pass_mark(
    score: int, total: int, percent: int, passed: bool
) -> None:
    grade = AttemptGrade(score=score, total=total, pass_percent=70)
    assert (grade.percent, grade.passed) == (percent, passed)


@st.composite
def questions_and_answers(draw: st.DrawFn) -> tuple[list[Question], dict[str, list[str]]]:
    count = draw(st.integers(min_value=1, max_value=15))
    questions, answers = [], {}
    for index in range(count):
        size = draw(st.integers(min_value=2, max_value=8))
        kind = draw(st.sampled_from(["single", "multiple"]))
        correct = (
            {draw(st.integers(0, size - 1))}
            if kind == "single"
            else set(draw(st.sets(st.integers(0, size - 1), min_size=1, max_size=size)))
        )
        options = tuple(
            Option(id=f"o{i}", text=f"Option {i}", correct=i in correct) for i in range(size)
        )
        questions.append(
            Question(
                id=f"q{index}",
                section_id="premise",
                kind=kind,
                prompt="Prompt",
                explanation="Explanation.",
                options=options,
            )
        )
        if draw(st.booleans()):
            chosen = draw(st.sets(st.integers(0, size - 1), min_size=1, max_size=size))
            answers[f"q{index}"] = [f"o{i}" for i in chosen]
    return questions, answers


@settings(deadline=None)
@given(questions_and_answers(), st.integers(min_value=1, max_value=100))
def test_the_score_is_always_between_zero_and_the_number_of_questions(
    data: tuple[list[Question], dict[str, list[str]]], pass_percent: int
) -> None:
    questions, answers = data
    grade = grade_attempt(questions, answers, pass_percent=pass_percent)
    assert 0 <= grade.score <= grade.total == len(questions)
    assert 0 <= grade.percent <= 100


def the_bank() -> QuestionBank:
    bank = get_question_bank(LESSON_SLUG)
    assert bank is not None
    return bank


def test_positions_are_one_based_places_in_the_attempts_option_order() -> None:
    order = ["other", "right", "wrong"]
    assert grade_positions(SINGLE, order, [2]).is_correct
    assert grade_positions(SINGLE, order, [1]).selected == frozenset({"other"})
    for position in (0, 4):
        with pytest.raises(InvalidAnswer, match=rf"{position} is not an option .*\(1-3\)"):
            grade_positions(SINGLE, order, [position])


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(sorted(FORMS)), st.data())
def test_in_every_shuffled_attempt_only_the_right_places_grade_correct(
    seed: int, form: int, data: st.DataObject
) -> None:
    """Through the real path: plan an attempt, then answer by place, as the page numbers them."""
    bank = the_bank()
    for planned in plan_attempt(bank, form=form, rng=random.Random(seed)):
        question = bank.question(planned.question_id)
        assert question is not None
        order = planned.option_ids
        assert sorted(order) == sorted(option.id for option in question.options)
        # The places of the options marked correct in quiz.yaml, as the learner sees them.
        marked = {option.id for option in question.options if option.correct}
        right = {place for place, option_id in enumerate(order, 1) if option_id in marked}
        assert grade_positions(question, order, sorted(right)).is_correct
        for place in range(1, len(order) + 1):
            assert grade_positions(question, order, [place]).is_correct == ({place} == right)
        if question.kind == "multiple":
            chosen = data.draw(st.sets(st.integers(1, len(order)), min_size=1).filter(right.__ne__))
            assert not grade_positions(question, order, sorted(chosen)).is_correct


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.data())
def test_shuffling_never_changes_the_grade_of_an_answer(seed: int, data: st.DataObject) -> None:
    """Whatever the learner means to choose, its grade is the same in any attempt's order."""
    bank = the_bank()
    for planned in plan_attempt(bank, form=15, rng=random.Random(seed)):
        question = bank.question(planned.question_id)
        assert question is not None
        ids = [option.id for option in question.options]
        intended = (
            {data.draw(st.sampled_from(ids))}
            if question.kind == "single"
            else data.draw(st.sets(st.sampled_from(ids), min_size=1))
        )
        places = [planned.option_ids.index(option_id) + 1 for option_id in intended]
        assert grade_positions(question, planned.option_ids, places) == grade_question(
            question, intended
        )
