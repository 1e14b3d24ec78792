from __future__ import annotations

import re
from contextlib import suppress
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from lessons.content import Lesson
from quiz.bank import get_question_bank
from tests.conftest import LESSON_SLUG
from tutor.evaluation import evaluate, load_dev_set, split_dev_set
from tutor.management.commands.eval_tutor import SWEEP_COVERAGES, SWEEP_RELEVANCES
from tutor.retrieval import words

# A run of this many words shared with the lesson is a copy, not a learner's paraphrase.
COPIED_RUN = 4


def test_the_dev_set_has_enough_questions_and_names_real_sections(lesson: Lesson) -> None:
    dev_set = load_dev_set()
    assert dev_set.lesson == lesson.slug
    assert len(dev_set.answerable) >= 40
    assert len(dev_set.unanswerable) >= 40
    for case in dev_set.answerable:
        for section_id in (case.section, *case.also):
            assert lesson.has_section(section_id), f"{case.question!r}: {section_id}"


def test_the_tutor_meets_its_targets_on_the_dev_set(lesson: Lesson) -> None:
    report = evaluate(lesson=lesson, dev_set=load_dev_set())
    summary = "\n".join(report.lines() + report.misses)
    assert report.hit_rate >= 0.90, summary
    assert report.refusal_accuracy >= 0.95, summary
    assert report.false_refusal_rate <= 0.10, summary


def test_no_answerable_question_copies_the_lesson(lesson: Lesson) -> None:
    """Learners paraphrase; a question copied from the text would flatter the hit rate."""
    text = [part.text for part in lesson.readable_sections]
    bank = get_question_bank(lesson.slug)
    if bank is not None:
        for question in bank.questions:
            text += [question.prompt, question.explanation, *(o.text for o in question.options)]
    lesson_runs = {run for part in text for run in word_runs(part)}
    for case in load_dev_set().answerable:
        copied = word_runs(case.question) & lesson_runs
        assert not copied, f"{case.question!r} copies the lesson: {sorted(copied)}"


def word_runs(text: str, length: int = COPIED_RUN) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + length]) for i in range(len(found) - length + 1)}


def test_eval_tutor_prints_the_report_each_miss_and_the_threshold_sweep(
    lesson: Lesson, capsys: pytest.CaptureFixture[str]
) -> None:
    with suppress(CommandError):  # below target: the test above says so, with the misses
        call_command("eval_tutor")
    out = capsys.readouterr().out
    assert "answer hit rate" in out
    assert "correct refusals" in out
    assert "false refusals" in out
    assert "sweep: min_relevance min_coverage" in out
    rows = re.findall(r"^ ([ *])\d\.\d{3} \d\.\d\d -> ", out, re.MULTILINE)
    assert len(rows) == len(SWEEP_RELEVANCES) * len(SWEEP_COVERAGES)
    assert rows.count("*") == 1  # the thresholds in use are a point of the grid
    for miss in evaluate(lesson=lesson, dev_set=load_dev_set()).misses:
        assert f"  {miss}\n" in out
    assert "held out:" in out
    assert re.search(r"^  tuned on A: \d\.\d{3} \d\.\d\d, on A .+, on B ", out, re.MULTILINE)
    assert re.search(r"^  tuned on B: \d\.\d{3} \d\.\d\d, on B .+, on A ", out, re.MULTILINE)


def test_the_dev_set_splits_into_two_fixed_halves_of_each_kind() -> None:
    dev_set = load_dev_set()
    first, second = split_dev_set(dev_set)
    assert set(first.answerable) | set(second.answerable) == set(dev_set.answerable)
    assert not set(first.unanswerable) & set(second.unanswerable)
    assert len(first.unanswerable) + len(second.unanswerable) == len(dev_set.unanswerable)
    assert abs(len(first.answerable) - len(second.answerable)) <= 1
    assert split_dev_set(dev_set) == (first, second)


def test_eval_tutor_lists_every_kind_of_miss_and_fails_below_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev_set = tmp_path / "dev_set.yaml"
    dev_set.write_text(
        yaml.safe_dump(
            {
                "lesson": LESSON_SLUG,
                "answerable": [
                    {"question": "who won the world cup in 2018", "section": "blameless-culture"},
                    {"question": "swiss cheese?", "section": "blameless-culture"},
                ],
                "unanswerable": ["what is an attribution narrative"],
            }
        )
    )
    with pytest.raises(CommandError, match="below its targets"):
        call_command("eval_tutor", "--dev-set", str(dev_set), "--no-sweep")
    out = capsys.readouterr().out
    assert "misses (3):" in out
    assert "refused  'who won the world cup in 2018' (expected blameless-culture)" in out
    assert "wrong    'swiss cheese?' cited contributing-factors, expected blameless-culture" in out
    assert "answered 'what is an attribution narrative' (should refuse)" in out
    assert "sweep:" not in out
