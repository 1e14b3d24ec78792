from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.coach import CoachRules, coach_text, get_coach_rules, load_coach_rules

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def rules() -> CoachRules:
    loaded, problems = load_coach_rules(CONTENT)
    assert problems == []
    assert loaded is not None
    return loaded


# (sentence, [(matched text, rule id), ...]) — every blameful sentence and what must be flagged.
BLAMEFUL = [
    (
        "Sam should have tested the prompt before shipping it.",
        [("Sam should have", "person-as-subject"), ("should have", "should-have")],
    ),
    ("The reviewer failed to catch the false refund policy.", [("failed to", "failed-to")]),
    ("Human error caused the outage of the grounding check.", [("Human error", "human-error")]),
    ("The data team forgot to re-index the help centre.", [("forgot to", "forgot-to")]),
    ("If only on-call had looked at the dashboard.", [("If only", "if-only")]),
    ("Sam broke the deploy pipeline on Friday.", [("Sam broke", "person-as-subject")]),
    ("Priya didn't check the evaluation results.", [("Priya didn't", "person-as-subject")]),
    ("Priya did not run the release evaluation.", [("Priya did not", "person-as-subject")]),
    ("This was Priya's mistake.", [("Priya's mistake", "someones-mistake")]),
    (
        "It was the reviewer's fault that the answer went out.",
        [("reviewer's fault", "someones-mistake")],
    ),
    ("Root cause: operator error.", [("operator error", "human-error")]),
    ("The engineer was careless with the config.", [("careless", "careless")]),
    ("The prompt was edited carelessly.", [("carelessly", "careless")]),
    ("On-call should've paged the ML team sooner.", [("should've", "should-have")]),
    ("On-call should’ve paged the ML team sooner.", [("should’ve", "should-have")]),
    ("The team shouldn't have shipped on a Friday.", [("shouldn't have", "should-have")]),
    ("The analyst forgot to rotate the key.", [("forgot to", "forgot-to")]),
    ("If only someone had read the logs.", [("If only", "if-only")]),
    ("Support failed to escalate the tickets.", [("failed to", "failed-to")]),
    (
        "Alex accidentally deleted the retrieval index.",
        [("Alex accidentally", "person-as-subject")],
    ),
    ("Then Tom forgot the migration.", [("Tom forgot", "person-as-subject")]),
    ("At 14:02 Maria Lopez missed the alert.", [("Maria Lopez missed", "person-as-subject")]),
    (
        "The outage happened because Chen ignored the warning.",
        [("Chen ignored", "person-as-subject")],
    ),
    ("This was just sloppy work by the vendor team.", [("sloppy", "careless")]),
    ("The reviewers neglected to check the numbers.", [("neglected to", "forgot-to")]),
    ("HUMAN ERROR, again.", [("HUMAN ERROR", "human-error")]),
    ("The on-call engineer should   have\nknown better.", [("should   have", "should-have")]),
    ("Everyone knows it was Jordan's fault.", [("Jordan's fault", "someones-mistake")]),
]

BLAMELESS = [
    "The model failed to cite a source for the refund period.",
    "The model failed on 3 % of policy questions.",
    "Support noticed three tickets citing the same refund window.",
    "Prompt changes could ship without an evaluation run; v12 was released that way.",
    "The review sampled 2 % of answers a day later and had no view of answers stating numbers.",
    "The grounding check could be disabled by a config change with no review or alert.",
    "Re-indexing was a manual step with no schedule or freshness monitor.",
    "The dashboard had no alert for a spike in refund-related answers.",
    "The model generated a refund period that did not appear in any retrieved document.",
    "Which check should have stopped this output, and why did it not?",
    "The grounding check failed to run after the config change.",
    "The deploy pipeline allowed prompt edits without review.",
    "The template lacked the grounding instruction.",
    "The alert looked like the usual noise at the time.",
    "The model's error rate on policy questions rose to 12 %.",
    "Our retrieval layer has no fault tolerance for a missing index.",
    "If only one reviewer is on shift, escalate to the lead.",
    "Priya deployed template v12 at 09:14.",
    "Sam noticed the pattern and declared the incident.",
    "The support lead spotted the pattern within hours.",
    "Legal confirmed the refund commitments.",
    "16:20 Chatbot switched to safe mode; incident declared.",
    "The evaluation set failed to include any policy questions.",
    "Nothing automated noticed the invented refund window.",
    "We honoured every refund the chatbot promised.",
    "The reviewer could not see which answers stated numbers.",
    "Will the provider tell us if the model version changes?",
    "Mark each answer that states a number for review.",
    "The on-call engineer followed the runbook, which had no step for prompt changes.",
    "Human review happens on a 2 % sample the next day.",
    "Error budgets were not affected; the failure was in content, not uptime.",
    "",
]


def flagged(text: str, rules: CoachRules) -> list[tuple[str, str]]:
    return [(flag.text, flag.rule_id) for flag in coach_text(text, rules=rules)]


def test_there_are_at_least_forty_test_sentences() -> None:
    assert len(BLAMEFUL) + len(BLAMELESS) >= 40
    assert len(BLAMEFUL) >= 20 and len(BLAMELESS) >= 20


@pytest.mark.parametrize(("sentence", "expected"), BLAMEFUL, ids=[s for s, _ in BLAMEFUL])
def test_blameful_phrasing_is_flagged_with_its_rule(
    sentence: str, expected: list[tuple[str, str]], rules: CoachRules
) -> None:
    assert flagged(sentence, rules) == expected


@pytest.mark.parametrize("sentence", BLAMELESS)
def test_blameless_sentences_are_never_flagged(sentence: str, rules: CoachRules) -> None:
    assert flagged(sentence, rules) == []


def test_a_flag_carries_its_exact_span_an_explanation_and_a_systems_rewrite(
    rules: CoachRules,
) -> None:
    text = "Timeline is fine. Later, the reviewer failed to catch it."
    (flag,) = coach_text(text, rules=rules)
    assert (flag.start, flag.end) == (text.index("failed to"), text.index("failed to") + 9)
    assert text[flag.start : flag.end] == flag.text == "failed to"
    assert "person" in flag.explanation
    assert "review" in flag.suggestion.lower()


def test_flags_come_in_reading_order(rules: CoachRules) -> None:
    text = "If only we had known. Human error, said the report. Sam forgot to page anyone."
    starts = [flag.start for flag in coach_text(text, rules=rules)]
    assert starts == sorted(starts)
    assert [f.rule_id for f in coach_text(text, rules=rules)] == [
        "if-only",
        "human-error",
        "person-as-subject",
        "forgot-to",
    ]


def test_the_lessons_worked_example_rewrites_are_all_blameless(rules: CoachRules) -> None:
    lesson = (CONTENT / "writing-postmortems-for-ai-system-incidents" / "lesson.md").read_text()
    table = lesson[lesson.index("| Before (blameful) |") :].split("\n\n")[0]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    assert len(rows) == 6
    for _before, after in rows:
        assert flagged(after.strip(), rules) == [], after
    # Five of the six "before" sentences use phrases the coach knows; the sixth blames the model.
    assert sum(bool(flagged(before.strip(), rules)) for before, _ in rows) == 5


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_the_coach_never_crashes_and_spans_always_match_the_text(text: str) -> None:
    rules = get_coach_rules()
    for flag in coach_text(text, rules=rules):
        assert 0 <= flag.start < flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text


PHRASE_SOUP = st.lists(
    st.sampled_from(
        ["Sam", "Priya's", "should", "have", "failed", "to", "the", "model", "If", "only",
         "human", "error", "forgot", "careless", "didn't", "check", ".", ",", "\n", "’s", "mistake",
         "rate", "one", "Maria", "Lopez", "never", "accidentally", "Ǆ", "ſ", "İ"]
    ),
    max_size=40,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(PHRASE_SOUP, st.sampled_from([" ", "  ", "\t", "\u00a0"]))
def test_spans_stay_exact_on_sentences_built_from_flagged_words(
    words: list[str], space: str
) -> None:
    text = space.join(words)
    for flag in coach_text(text, rules=get_coach_rules()):
        assert 0 <= flag.start < flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text


def test_the_coach_is_fast_enough_for_a_full_section(rules: CoachRules) -> None:
    import time

    text = ("The reviewer failed to catch it. Sam broke the build. " * 200)[:10_000]
    started = time.perf_counter()
    flags = coach_text(text, rules=rules)
    assert time.perf_counter() - started < 0.5
    assert len(flags) > 100


def test_a_broken_coach_file_is_reported_with_its_field_path(tmp_path: Path) -> None:
    (tmp_path / "blameless-coach.yaml").write_text(
        "lesson: some-lesson\nlesson_section: blameless-language\n"
        "rules:\n"
        "  - id: should-have\n    explanation: x\n    rewrite: y\n"
        "  - id: person\n    kind: person-subject\n    explanation: x\n    rewrite: y\n"
        "    names: [sam]\n    verbs: [broke]\n"
        "  - id: should-have\n    explanation: x\n    rewrite: y\n    phrases: [a]\n    colour: red\n"
    )
    rules, problems = load_coach_rules(tmp_path)
    assert rules is None
    assert [str(p) for p in problems] == [
        f"{tmp_path.name}/blameless-coach.yaml: coach: rules[2].colour: unknown key",
    ]
    (tmp_path / "blameless-coach.yaml").write_text(
        (tmp_path / "blameless-coach.yaml").read_text().replace("    colour: red\n", "")
    )
    _, problems = load_coach_rules(tmp_path)
    assert [str(p) for p in problems] == [
        f"{tmp_path.name}/blameless-coach.yaml: coach: rules[2].id: duplicate id 'should-have' (first used at rules[0])",
        f"{tmp_path.name}/blameless-coach.yaml: coach: rules[0].phrases: a 'phrase' rule needs at least one entry here",
        f"{tmp_path.name}/blameless-coach.yaml: coach: rules[1].names[0]: must be one capitalised given name, like 'Priya'",
    ]


def test_bad_yaml_in_the_coach_file_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "blameless-coach.yaml").write_text("lesson: x\nrules: [\n")
    _, problems = load_coach_rules(tmp_path)
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{tmp_path.name}/blameless-coach.yaml: coach: invalid YAML")
