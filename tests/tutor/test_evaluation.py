from __future__ import annotations

from django.core.management import call_command

from lessons.content import Lesson
from tutor.evaluation import evaluate, load_dev_set


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


def test_eval_tutor_prints_the_report_and_each_miss(capsys) -> None:  # noqa: ANN001
    call_command("eval_tutor")
    out = capsys.readouterr().out
    assert "answer hit rate" in out
    assert "correct refusals" in out
    assert "false refusals" in out
