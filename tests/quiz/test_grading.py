from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank import Option, Question
from quiz.grading import AttemptGrade, InvalidAnswer, grade_attempt, grade_question

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


@settings(deadline=None)
@given(questions_and_answers(), st.randoms(use_true_random=False))
def test_shuffling_questions_options_or_answers_never_changes_the_grade(
    data: tuple[list[Question], dict[str, list[str]]], rng: random.Random
) -> None:
    questions, answers = data
    before = grade_attempt(questions, answers, pass_percent=70)
    shuffled_questions = [
        q.model_copy(update={"options": tuple(rng.sample(q.options, len(q.options)))})
        for q in rng.sample(questions, len(questions))
    ]
    shuffled_answers = {qid: rng.sample(ids, len(ids)) for qid, ids in answers.items()}
    assert grade_attempt(shuffled_questions, shuffled_answers, pass_percent=70) == before
