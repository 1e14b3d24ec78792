from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from content_registry import ContentError
from lessons.content import get_lesson
from quiz.bank import (
    MAX_DISTRACTOR_USES,
    Question,
    QuestionBank,
    get_question_bank,
    load_question_bank,
)
from tests.conftest import LESSON_SLUG

FILE = f"content/{LESSON_SLUG}/quiz.yaml"
REAL_CONTENT = Path(__file__).parents[2] / "content"


def check_content_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    with pytest.raises(CommandError):
        call_command("check_content")
    return capsys.readouterr().err.strip().splitlines()


def test_the_real_quiz_has_at_least_twenty_questions_each_tied_to_a_real_lesson_section(
    bank: QuestionBank,
) -> None:
    lesson = get_lesson(LESSON_SLUG)
    assert lesson is not None
    # More than the 15-question form asks, so the end-of-lesson check is a draw.
    assert len(bank.questions) >= 20
    assert len({q.id for q in bank.questions}) == len(bank.questions)
    for question in bank.questions:
        assert lesson.has_section(question.section_id), question.id
        assert len(question.explanation.split()) >= 25, f"{question.id}: explanation too thin"


def test_the_real_quiz_covers_every_sub_lesson_the_premise_the_worked_example_and_the_harm_section(
    bank: QuestionBank,
) -> None:
    sections = {q.section_id for q in bank.questions}
    assert {"premise", "worked-example", "harm-and-disclosure", "reporting-duties"} <= sections
    assert {part.id for part in bank.sub_lessons} == {
        "postmortem-template",
        "blameless-structure",
        "attribution-narrative",
        "harm-and-disclosure",
    }
    for part in bank.sub_lessons:
        assert sum(1 for q in bank.questions if bank.sub_lesson_of(q) == part) >= 2, part.id
    harm = bank.question("harm-gate")
    assert harm is not None and harm.section_id == "harm-and-disclosure"
    (right,) = [option for option in harm.options if option.correct]
    assert "legal and communications" in right.text


def test_every_real_question_has_one_right_answer_or_is_an_explicit_select_all(
    bank: QuestionBank,
) -> None:
    for question in bank.questions:
        correct = len(question.correct_option_ids)
        if question.kind == "single":
            assert correct == 1, question.id
        else:
            assert 2 <= correct < len(question.options), question.id


def test_no_distractor_text_appears_in_more_than_two_real_questions(bank: QuestionBank) -> None:
    uses = Counter(
        option.text.casefold()
        for question in bank.questions
        for option in question.options
        if not option.correct
    )
    assert max(uses.values()) <= MAX_DISTRACTOR_USES
    assert not any("coercion threshold" in text for text in uses)
    assert not any("friends' photos" in text for text in uses)


def test_the_pass_mark_comes_from_the_quiz_file(bank: QuestionBank) -> None:
    assert bank.pass_percent == 70
    assert bank.passes(score=7, total=10)
    assert not bank.passes(score=6, total=10)
    assert bank.passes(score=11, total=15)  # 73 %
    assert not bank.passes(score=10, total=15)  # 67 %


def test_the_bank_is_parsed_once_and_cached(bank: QuestionBank) -> None:
    assert get_question_bank(LESSON_SLUG) is bank


def test_a_lesson_without_a_quiz_file_has_no_bank(content_copy: Path) -> None:
    (content_copy / LESSON_SLUG / "quiz.yaml").unlink()
    assert get_question_bank(LESSON_SLUG) is None
    assert get_question_bank("no-such-lesson") is None


def test_the_small_valid_fixture_loads(install_quiz: Callable[[str], Path]) -> None:
    install_quiz("valid.yaml")
    bank = get_question_bank(LESSON_SLUG)
    assert bank is not None and len(bank.questions) == 15


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "broken-duplicate-id.yaml",
            f"{FILE}: questions[4].id: duplicate id 'q04' (first used at questions[3])",
        ),
        (
            "broken-no-correct-option.yaml",
            f"{FILE}: questions[2].options: no option is marked correct: true",
        ),
        (
            "broken-several-correct-single.yaml",
            f"{FILE}: questions[3].options: 2 options are marked correct in a single-answer "
            "question (use kind: multiple for select-all-that-apply)",
        ),
        ("broken-missing-explanation.yaml", f"{FILE}: questions[5].explanation: is required"),
        ("broken-empty-explanation.yaml", f"{FILE}: questions[6].explanation: must not be empty"),
        (
            "broken-unknown-section.yaml",
            f'{FILE}: questions[6].section_id: no section "no-such-section" in the lesson',
        ),
        (
            "broken-reused-distractor.yaml",
            f'{FILE}: questions[8].options[2].text: distractor "Coercion  threshold" is used in 3 '
            "questions (questions[0], questions[1], questions[8]); at most 2 may share one",
        ),
        (
            "broken-longest-correct.yaml",
            f"{FILE}: questions: the correct option is the longest in 6 of 14 single-answer "
            "questions (questions[0], questions[1], questions[2], questions[3], questions[4], "
            "questions[5]); at most a third may be",
        ),
        (
            "broken-select-all-longest.yaml",
            f"{FILE}: questions[2].options: the 2 correct options are exactly the 2 longest; "
            "lengthen a distractor or shorten a correct option",
        ),
        (
            "broken-shortest-correct.yaml",
            f"{FILE}: questions: the correct option is the shortest in 6 of 14 single-answer "
            "questions (questions[0], questions[1], questions[2], questions[3], questions[4], "
            "questions[5]); at most a third may be",
        ),
        (
            "broken-select-all-shortest.yaml",
            f"{FILE}: questions[2].options: the 2 correct options are exactly the 2 shortest; "
            "shorten a distractor or lengthen a correct option",
        ),
        (
            "broken-every-option-correct.yaml",
            f"{FILE}: questions[14].options: every option is correct, so the question tests nothing",
        ),
        (
            "broken-bad-yaml.yaml",
            f"{FILE}: file: invalid YAML at line 3, column 1: expected ',' or ']', but got '<stream end>'",
        ),
    ],
)
def test_check_content_reports_each_broken_quiz_as_one_line_with_its_field_path(
    install_quiz: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    fixture: str,
    expected: str,
) -> None:
    install_quiz(fixture)
    assert check_content_lines(capsys) == [expected]


def test_an_impossible_pass_mark_and_a_short_quiz_are_reported(
    install_quiz: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    install_quiz("broken-too-few-questions.yaml")
    assert check_content_lines(capsys) == [
        f"{FILE}: pass_percent: Input should be less than or equal to 100",
    ]
    path = install_quiz("broken-too-few-questions.yaml")
    path.write_text(path.read_text().replace("pass_percent: 170", "pass_percent: 70"))
    assert check_content_lines(capsys) == [
        f'{FILE}: questions: has 14 questions; the 15-question form ("End-of-lesson check") '
        "needs 15",
    ]


def test_a_broken_quiz_fails_loudly_at_runtime_too(install_quiz: Callable[[str], Path]) -> None:
    install_quiz("broken-duplicate-id.yaml")
    with pytest.raises(ContentError, match=r"questions\[4\]\.id: duplicate id"):
        get_question_bank(LESSON_SLUG)


def test_section_ids_are_not_checked_when_the_lesson_itself_failed_to_load(
    install_quiz: Callable[[str], Path], content_copy: Path
) -> None:
    path = install_quiz("broken-unknown-section.yaml")
    bank, problems = load_question_bank(path, content_dir=content_copy, lesson=None)
    assert problems == [] and bank is not None


def test_no_real_quiz_can_be_answered_by_picking_the_longest_option(bank: QuestionBank) -> None:
    singles = [q for q in bank.questions if q.kind == "single"]
    longest = [
        q.id
        for q in singles
        if max(bank_option_lengths(q, correct=True)) > max(bank_option_lengths(q, correct=False))
    ]
    assert len(longest) * 3 <= len(singles), longest


@pytest.mark.parametrize(
    "slug", sorted(path.parent.name for path in REAL_CONTENT.glob("*/quiz.yaml"))
)
def test_no_real_quiz_can_be_answered_by_picking_the_shortest_option(slug: str) -> None:
    bank = get_question_bank(slug)
    assert bank is not None
    singles = [q for q in bank.questions if q.kind == "single"]
    shortest = [
        q.id
        for q in singles
        if max(bank_option_lengths(q, correct=True)) < min(bank_option_lengths(q, correct=False))
    ]
    assert len(shortest) * 3 <= len(singles), shortest


def bank_option_lengths(question: Question, *, correct: bool) -> list[int]:
    return [len(" ".join(o.text.split())) for o in question.options if o.correct is correct]
