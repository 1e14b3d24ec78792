from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from postmortems.coach import get_coach_rules
from postmortems.coach_evaluation import (
    TARGET_PRECISION,
    TARGET_RECALL,
    evaluate_coach,
    load_corpus,
)


def test_the_corpus_has_both_halves_each_with_blameful_and_blameless_sentences() -> None:
    corpus = load_corpus()
    assert len(corpus.sentences) >= 60
    for split in ("tune", "held-out"):
        half = [s for s in corpus.sentences if s.split == split]
        assert sum(s.expect == "flag" for s in half) >= 15
        assert sum(s.expect == "no-flag" for s in half) >= 15
    assert len({s.text for s in corpus.sentences}) == len(corpus.sentences)


def test_the_coach_meets_its_targets_on_the_held_out_half() -> None:
    report = evaluate_coach(corpus=load_corpus(), rules=get_coach_rules(), split="held-out")
    assert report.precision >= TARGET_PRECISION, [str(miss) for miss in report.misses]
    assert report.recall >= TARGET_RECALL, [str(miss) for miss in report.misses]


def test_eval_coach_prints_each_half_and_lists_every_miss(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.yaml"
    corpus.write_text(
        "sentences:\n"
        "  - {text: The reviewer failed to catch it., expect: flag, split: tune}\n"
        "  - {text: The model failed to cite a source., expect: no-flag, split: tune}\n"
        "  - {text: The deploy went out at 16:55., expect: flag, split: held-out, note: x}\n"
        "  - {text: Human error again., expect: no-flag, split: held-out}\n"
    )
    out = StringIO()
    with pytest.raises(CommandError, match="held-out"):
        call_command("eval_coach", corpus=corpus, stdout=out)
    lines = out.getvalue().splitlines()
    assert "tune: 2 sentences, precision 100.0% (1/1), recall 100.0% (1/1)" in lines
    assert "held-out: 2 sentences, precision 0.0% (0/1), recall 0.0% (0/1)" in lines
    assert "  missed blame: The deploy went out at 16:55.  (x)" in lines
    assert any(line.startswith("  false flag: Human error again.") for line in lines)
