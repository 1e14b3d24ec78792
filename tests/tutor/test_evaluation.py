from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import numpy as np
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from lessons.content import Lesson, get_catalogue, get_lesson
from quiz.bank import get_question_bank
from tests.conftest import LESSON_SLUG
from tutor.answers import Thresholds
from tutor.evaluation import (
    AnswerableCase,
    FollowUpSet,
    Outcomes,
    assess_dev_set,
    false_refusals_by_length,
    leave_one_lesson_out,
    load_dev_set,
    load_dev_sets,
    load_follow_up_sets,
    neighbourhood_means,
    score,
    score_follow_ups,
    split_dev_set,
)

# A run of this many words shared with the lesson is a copy, not a learner's paraphrase.
COPIED_RUN = 5
TYPED_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")


def assert_cases_name_real_sections(lesson: Lesson, cases: Sequence[AnswerableCase]) -> None:
    for case in cases:
        for section_id in (case.section, *case.also):
            assert lesson.has_section(section_id), f"{lesson.slug}: {case.question!r}: {section_id}"


def test_every_lesson_has_a_dev_set_naming_its_real_sections() -> None:
    dev_sets = {dev_set.lesson: dev_set for dev_set in load_dev_sets()}
    assert set(dev_sets) == {lesson.slug for lesson in get_catalogue().lessons}
    for slug, dev_set in dev_sets.items():
        lesson = get_lesson(slug)
        assert lesson is not None
        assert len(dev_set.answerable) >= 30
        assert len(dev_set.unanswerable) >= 30
        assert_cases_name_real_sections(lesson, dev_set.answerable)


def test_every_lesson_has_follow_up_pairs_naming_its_real_sections() -> None:
    sets = {follow_ups.lesson: follow_ups for follow_ups in load_follow_up_sets()}
    assert set(sets) == {lesson.slug for lesson in get_catalogue().lessons}
    for slug, follow_ups in sets.items():
        lesson = get_lesson(slug)
        assert lesson is not None
        assert len(follow_ups.answerable) >= 10 and len(follow_ups.unanswerable) >= 5
        assert_cases_name_real_sections(lesson, follow_ups.answerable)


def test_follow_ups_are_counted_alone_and_after_the_question_before(lesson: Lesson) -> None:
    follow_ups = FollowUpSet.model_validate(
        {
            "lesson": LESSON_SLUG,
            "answerable": [
                {
                    "first": "what is a near miss",
                    "question": "do those need one too",
                    "section": "when-to-write",
                    "phrase": "Near misses count.",
                }
            ],
            "unanswerable": [
                {"first": "what is a near miss", "question": "what about the weather"}
            ],
        }
    )
    alone, after = score_follow_ups(lesson=lesson, follow_ups=follow_ups)
    assert (alone.right, alone.refused, alone.out_of_scope_answered) == (0, 1, 0)
    assert (after.right, after.refused, after.out_of_scope_answered) == (1, 0, 0)


def word_runs(text: str, length: int = COPIED_RUN) -> set[tuple[str, ...]]:
    # The words as typed: a learner's "pic" is not the lesson's "picture", even though the tutor
    # reads it so.
    found = TYPED_WORD.findall(text.lower())
    return {tuple(found[i : i + length]) for i in range(len(found) - length + 1)}


@pytest.mark.parametrize("dev_set", load_dev_sets(), ids=lambda d: d.lesson)
def test_no_answerable_question_copies_its_lesson(dev_set: object) -> None:
    """Learners paraphrase; a question copied from the text would flatter the hit rate."""
    lesson = get_lesson(dev_set.lesson)  # type: ignore[attr-defined]
    assert lesson is not None
    text = [part.text for part in lesson.readable_sections]
    bank = get_question_bank(lesson.slug)
    if bank is not None:
        for question in bank.questions:
            text += [question.prompt, question.explanation, *(o.text for o in question.options)]
    lesson_runs = {run for part in text for run in word_runs(part)}
    for case in dev_set.answerable:  # type: ignore[attr-defined]
        # A learner may quote a line to ask about it ("how do I rewrite '…'").
        unquoted = re.sub(r"'[^']+'", " ", case.question)
        copied = word_runs(unquoted) & lesson_runs
        assert not copied, f"{case.question!r} copies the lesson: {sorted(copied)}"


def test_the_dev_set_splits_into_two_fixed_halves_of_each_kind() -> None:
    dev_set = load_dev_sets()[0]
    first, second = split_dev_set(dev_set)
    assert set(first.answerable) | set(second.answerable) == set(dev_set.answerable)
    assert not set(first.unanswerable) & set(second.unanswerable)
    assert abs(len(first.answerable) - len(second.answerable)) <= 1
    assert split_dev_set(dev_set) == (first, second)


def write_dev_set(
    path: Path, slug: str, answerable: list[dict[str, str]], refuse: list[str]
) -> Path:
    path.write_text(
        yaml.safe_dump({"lesson": slug, "answerable": answerable, "unanswerable": refuse})
    )
    return path


def test_scores_count_hits_strict_hits_refusals_and_name_every_miss(
    tmp_path: Path, lesson: Lesson
) -> None:
    dev_set = load_dev_set(
        write_dev_set(
            tmp_path / "one.yaml",
            LESSON_SLUG,
            [
                {
                    "question": "swiss cheese?",
                    "section": "contributing-factors",
                    "phrase": "Swiss cheese",
                },
                {
                    "question": "swiss cheese?",
                    "section": "contributing-factors",
                    "phrase": "not there",
                },
                {
                    "question": "who won the world cup in 2018",
                    "section": "blameless-culture",
                    "phrase": "cup",
                },
                {"question": "swiss cheese?", "section": "blameless-culture", "phrase": "cheese"},
                {
                    # Refused for its rare words, but the refusal offers the right section.
                    "question": "swiss cheese kubernetes helm chart",
                    "section": "contributing-factors",
                    "phrase": "Swiss cheese",
                },
            ],
            ["what is an attribution narrative", "who wrote hamlet"],
        )
    )
    limits = Thresholds(min_coverage=0.5, max_unknown_weight=0.75, min_topic_weight=0.3)
    report = score(assess_dev_set(lesson=lesson, dev_set=dev_set), limits)
    assert (report.answerable, report.hits, report.strict_hits) == (5, 2, 2)
    assert (report.false_refusals, report.correct_refusals, report.unanswerable) == (2, 1, 2)
    assert report.pointed == 1  # the world-cup refusal offers other sections
    assert "(2/5, 1 offering the right section)" in report.line()
    assert any(m.startswith("refused  'who won the world cup in 2018'") for m in report.misses)
    assert any(
        m.startswith("wrong    'swiss cheese?' cited contributing-factors") for m in report.misses
    )
    assert any(m.startswith("unstrict 'swiss cheese?' lacks 'not there'") for m in report.misses)
    assert any(m.startswith("answered 'what is an attribution narrative'") for m in report.misses)


def test_false_refusals_are_counted_by_question_length(tmp_path: Path, lesson: Lesson) -> None:
    dev_set = load_dev_set(
        write_dev_set(
            tmp_path / "lengths.yaml",
            LESSON_SLUG,
            [
                {"question": "swiss cheese?", "section": "contributing-factors", "phrase": "x y"},
                {
                    "question": "who won the world cup in 2018 and who scored the goals in the "
                    "final that summer",
                    "section": "blameless-culture",
                    "phrase": "cup",
                },
            ],
            ["who wrote hamlet"],  # refusals of questions to refuse are not counted
        )
    )
    limits = Thresholds(min_coverage=0.5, max_unknown_weight=0.75, min_topic_weight=0.3)
    bands = false_refusals_by_length([assess_dev_set(lesson=lesson, dev_set=dev_set)], limits)
    assert bands == [("1-4", 1, 0), ("5-8", 0, 0), ("9-14", 0, 0), ("15+", 1, 1)]


def test_leave_one_lesson_out_tunes_on_the_other_lessons_only() -> None:
    lessons = [
        assess_dev_set(lesson=get_lesson(d.lesson), dev_set=d)  # type: ignore[arg-type]
        for d in load_dev_sets()
    ]
    results = leave_one_lesson_out(lessons)
    assert [trials.lesson.slug for trials, _, _ in results] == [t.lesson.slug for t in lessons]
    for trials, chosen, report in results:
        assert report.answerable + report.unanswerable == len(trials.trials)
        assert 0.0 <= chosen.min_coverage <= 1.0


def test_eval_tutor_prints_per_lesson_and_held_out_figures_and_every_miss(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with suppress(CommandError):  # below target on a lesson: the report still printed
        call_command("eval_tutor")
    out = capsys.readouterr().out
    for dev_set in load_dev_sets():
        assert out.count(f"  {dev_set.lesson}") >= 2  # per lesson, and left out
    assert "leave-one-lesson-out" in out
    rows = re.findall(r"hit .+ strict hit .+ correct refusals .+ false refusals", out)
    assert len(rows) == 2 * len(load_dev_sets())
    assert re.search(r"^misses, \S+ \(\d+\):$", out, re.MULTILINE)
    assert re.search(r"^ +15\+: +[\d.]+% \(\d+/\d+\)$", out, re.MULTILINE)  # by length
    assert "follow-ups, alone → after the question before" in out
    assert out.count("    after: right section ") == len(load_follow_up_sets())


def test_tuning_prefers_a_broad_plateau_to_a_lone_spike() -> None:
    # Two thresholds' grid (a third of one step) and one lesson: a point that wins alone by a
    # question is worth less than a slightly lower plateau, whose neighbours are as good.
    values = np.full((5, 5, 1, 1), 0.5)
    values[0, 0, 0, 0] = 0.9  # the spike, at a corner of the grid
    values[2:5, 2:5, 0, 0] = 0.8  # the plateau
    around = neighbourhood_means(values)
    assert around[0, 0, 0, 0] == pytest.approx((0.9 + 3 * 0.5) / 4)
    assert around[3, 3, 0, 0] == pytest.approx(0.8)
    assert around[0, 0, 0, 0] < around[3, 3, 0, 0]


def test_the_fast_tuning_path_scores_as_the_report_does() -> None:
    lessons = [
        assess_dev_set(lesson=get_lesson(d.lesson), dev_set=d)  # type: ignore[arg-type]
        for d in load_dev_sets()
    ]
    for limits in (
        Thresholds(min_coverage=0.6, max_unknown_weight=0.75, min_topic_weight=0.25),
        Thresholds(min_coverage=0.3, max_unknown_weight=0.5, min_topic_weight=0.6),
        Thresholds(min_coverage=0.8, max_unknown_weight=1.0, min_topic_weight=0.2),
    ):
        for trials in lessons:
            report = score(trials, limits)
            fast = Outcomes.of(trials).balanced_accuracy(limits)
            assert fast == pytest.approx((report.hit_rate + report.refusal_accuracy) / 2)
