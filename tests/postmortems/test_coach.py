from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortems.coach import (
    CoachRules,
    _subject_of_window,  # the cache, cleared between counted runs
    coach_text,
    get_coach_rules,
    load_coach_rules,
    subject_of,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def rules() -> CoachRules:
    loaded, problems = load_coach_rules(CONTENT)
    assert problems == []
    assert loaded is not None
    return loaded


# (sentence, [(matched text, rule id), ...]) — every blameful sentence and what must be flagged.
# Where two rules flag overlapping words ("Sam should have" and, inside it, "should have"), the
# phrase is flagged once, with the widest span.
BLAMEFUL = [
    (
        "Sam should have tested the prompt before shipping it.",
        [("Sam should have", "person-as-subject")],
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
    # "should have" before a past participle is hindsight, whoever the subject is.
    ("The reviewer should have caught the invented number.", [("should have", "should-have")]),
    ("On-call should have known the policy was 30 days.", [("should have", "should-have")]),
    ("The on-call engineer should've checked the dashboard.", [("should've", "should-have")]),
    ("This should have been caught in review.", [("should have", "should-have")]),
    ("The developers should have run the evaluation.", [("should have", "should-have")]),
    ("Sam should have automated the check.", [("Sam should have", "person-as-subject")]),
    ("Nobody did what they should have.", [("should have", "should-have")]),
    # "failed to" with a person, a role, a team or a pronoun for people as its subject.
    ("The operator failed to roll back.", [("failed to", "failed-to")]),
    ("He failed to escalate.", [("failed to", "failed-to")]),
    ("They failed to read the runbook.", [("failed to", "failed-to")]),
    # "We" is people too: the coach suggests the systems finding ("nothing alerted on the drift").
    ("We failed to notice the drift for three weeks.", [("failed to", "failed-to")]),
    ("Two reviewers failed to spot the invented policy.", [("failed to", "failed-to")]),
    ("The support agent failed to escalate.", [("failed to", "failed-to")]),
    ("The engineer on call failed to respond.", [("failed to", "failed-to")]),
    ("The reviewer who failed to check it was new.", [("failed to", "failed-to")]),
    ("Our reviewer, who was new, failed to spot it.", [("failed to", "failed-to")]),
    ("Sam opened the ticket but failed to escalate it.", [("failed to", "failed-to")]),
    (
        "After the deploy, the reviewer approved it but failed to run the eval.",
        [("failed to", "failed-to")],
    ),
    (
        "The reviewers saw the alert but they failed to act on it.",
        [("failed to", "failed-to")],
    ),
    # A person's possessive mistake or fault; a system's is a finding (see BLAMELESS).
    ("Priya's mistake let the prompt ship.", [("Priya's mistake", "someones-mistake")]),
    ("It was the engineer's fault.", [("engineer's fault", "someones-mistake")]),
    ("Kwame's mistake was shipping on Friday.", [("Kwame's mistake", "someones-mistake")]),
    # Names beyond a short list: listed given names from many places take any failure verb…
    ("Kwame failed to page anyone.", [("Kwame failed", "person-as-subject")]),
    ("Kwame missed the alert.", [("Kwame missed", "person-as-subject")]),
    ("Kwame Mensah didn't run the evaluation.", [("Kwame Mensah didn't", "person-as-subject")]),
    ("Because Kwame skipped the review, it shipped.", [("Kwame skipped", "person-as-subject")]),
    ("José forgot to rotate the key.", [("José forgot", "person-as-subject")]),
    ("Zoë ignored the alert.", [("Zoë ignored", "person-as-subject")]),
    # …and any capitalised word that could be a name takes the verbs only people do.
    ("Kwame forgot the migration.", [("Kwame forgot", "person-as-subject")]),
    ("Zandile forgot the migration.", [("Zandile forgot", "person-as-subject")]),
    ("Zandile neglected the alert queue.", [("Zandile neglected", "person-as-subject")]),
    (
        "Nokuthula dropped the ball on the handover.",
        [("Nokuthula dropped the ball", "person-as-subject")],
    ),
    # "accidentally" before an action that did harm.
    (
        "Sam accidentally pushed the config to production.",
        [("Sam accidentally", "person-as-subject")],
    ),
    ("Sam caused the outage.", [("Sam caused", "person-as-subject")]),
    ("Priya mistakenly disabled the grounding check.", [("Priya mistakenly", "person-as-subject")]),
    ("Forgot to renew the certificate.", [("Forgot to", "forgot-to")]),
    ("Someone forgot to re-enable the guardrail.", [("forgot to", "forgot-to")]),
    ("If only we had known.", [("If only", "if-only")]),
    # Roles and teams as the subject of a failure verb, as names are.
    ("The on-call engineer ignored the disk alert.", [("ignored", "role-failure")]),
    ("Our data team dropped the ball on freshness.", [("dropped the ball", "role-failure")]),
    ("Support screwed up the refund macro.", [("screwed up", "role-failure")]),
    ("The reviewers quietly skipped the sampled answers.", [("skipped", "role-failure")]),
    ("Unfortunately, support was slow to notice.", [("was slow to", "role-failure")]),
    ("Sam ignored the alert.", [("Sam ignored", "person-as-subject")]),
    # Blame words, and blame aimed at the model.
    ("The labeller was lazy with edge cases.", [("lazy", "lazy")]),
    ("It was sloppy of us.", [("sloppy", "careless")]),
    ("No one bothered to read the release notes.", [("bothered to", "bothered")]),
    ("It was a lapse in judgement.", [("lapse in judgement", "lapse")]),
    ("The outage came from a lapse by the data team.", [("lapse by", "lapse")]),
    ("The operator's lapse let it through.", [("operator's lapse", "someones-mistake")]),
    ("The AI lied to customers.", [("lied to", "model-lied")]),
    ("The bot was lying about delivery dates.", [("lying", "model-lied")]),
    # Hindsight in a passive, whatever the grammatical subject.
    ("The index went stale, which should have been noticed.", [("should have", "should-have")]),
    ("Whoever approved this should have known better.", [("should have", "should-have")]),
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
    # "should have" stating a requirement: a noun, determiner, number or adjective follows.
    "On-call engineers should have read access to the prompt history.",
    "On-call engineers should have a runbook.",
    "Every prompt change should have two reviewers.",
    "Each team should have 2 on-call engineers.",
    "We should have a runbook for prompt rollbacks.",
    "Reviewers should have dedicated time for sampled answers.",
    "The service should have automated tests for refund questions.",
    "Interns shouldn't have production access.",
    "Support leads should have a direct line to the ML on-call.",
    "The incident commander should have authority to disable the bot.",
    "Customers should have received a correction email within 24 hours.",
    "The eval suite should have flagged the invented policy.",
    # "failed to" with a system as its subject, listed or not.
    "The canary failed to catch the regression.",
    "The webhook failed to deliver the event.",
    "The vector store failed to return any documents.",
    "Kubernetes failed to schedule the pod.",
    "Embeddings failed to refresh after the migration.",
    "Grounding failed to trigger for the refund questions.",
    "Our on-call rotation failed to page anyone because it was empty.",
    "Triton failed to serve the new model version.",
    "Nimbus failed to serve the new model version.",
    "Alerts for the on-call engineer failed to fire.",
    "The alerts fired but they failed to reach the on-call channel.",
    "Failed to connect to the database: timeout after 30 s.",
    "Customers failed to receive refunds for two days.",
    "The migration neglected to set a default value.",
    # A system's mistakes and faults.
    "The model's mistakes clustered on refund questions.",
    "The nightly job's fault handler retried three times.",
    "The classifier’s mistakes were concentrated in one language.",
    # A name with a neutral verb, or with something that happened to them.
    "Priya didn't receive the page because the rotation was empty.",
    "Priya never saw the alert because it was routed to a muted channel.",
    "Alex accidentally found the bug while testing another feature.",
    "Sam caused no delay in the rollback.",
    "Priya didn't know that the flag was still on.",
    "Jordan never missed a handover during the incident.",
    "Kwame rolled back the prompt at 15:40 and confirmed the fix at 15:55.",
    # Products and other capitalised words that are not people.
    "Kubernetes restarted the pod.",
    "Grafana missed the spike because the scrape interval was 5 minutes.",
    "Weaviate failed to return results during the reindex.",
    "Loki dropped the logs during the spike.",
    "Claude refused the request twice.",
    "Retry failed jobs after the fix.",
    "Revisit overlooked edge cases in the eval set.",
    "Deploy Pipeline Forgot To Start",
    # Sentences real postmortems contain.
    "Nobody was paged because the rotation had no one assigned.",
    "We were not paged because the alert routed to an unmonitored channel.",
    "We did not know the provider had changed the model version.",
    "The reviewer approved the change; the diff did not show the removed grounding instruction.",
    "Detection took five hours because no alert covered refund answers.",
    "We got lucky: the bad answers only reached 212 customers.",
    "Responders lacked a way to see which prompt version served each answer.",
    "The deploy happened at 16:55 on a Friday, when fewer reviewers were online.",
    "Support didn't get the incident channel link until 15:00.",
    "The safety filter failed open when the classifier timed out.",
    "The nightly re-index job failed silently for six days.",
    "Finding: any engineer could have shipped that change, because the process allowed it.",
    "Fault injection tests did not cover the retrieval layer.",
    "If only a small share of answers are sampled, rare failures go unseen.",
    'Our timeline avoids "should have" and "failed to".',
    "The retriever's error handling swallowed the timeout.",
    # Ordinary incident language that only looks like blame.
    "The primary failed over to the standby at 02:10.",
    "Priya failed over the cluster by hand.",
    "It was not human error; the form accepted any value.",
    "This wasn't human error.",
    "Fault-injection drills found the gap.",
    "Fault tolerance kept the queue alive.",
    "The loader failed to parse the new format.",
    "The scheduler skipped a run while the cluster drained.",
    "The model ignored the grounding instruction.",
    "The on-call engineer acknowledged the page and opened a channel.",
    "Our data team rebuilt the index.",
    "Support escalated the tickets at 10:40.",
    "The platform team missed no pages that week.",
    "The team broke down the work into three streams.",
    "Lazy loading delayed the widget by two seconds.",
    "The lazy-loaded panel rendered late.",
    "The certificate lapsed on Sunday.",
    "The lapse of the domain registration broke email.",
    "A stale config was lying around in the bucket.",
    "The AI did not lie; it repeated an outdated page.",
    "Which alert should have fired?",
    "The drift monitor should have noticed the shift.",
    "The chatbot should have asked for the order number.",
]


def flagged(text: str, rules: CoachRules) -> list[tuple[str, str]]:
    return [(flag.text, flag.rule_id) for flag in coach_text(text, rules=rules)]


def test_there_are_at_least_forty_test_sentences() -> None:
    assert len(BLAMEFUL) + len(BLAMELESS) >= 40
    assert len(BLAMEFUL) >= 20 and len(BLAMELESS) >= 20
    assert len(set(BLAMELESS)) == len(BLAMELESS)
    assert len({sentence for sentence, _ in BLAMEFUL}) == len(BLAMEFUL)


@pytest.mark.parametrize(("sentence", "expected"), BLAMEFUL, ids=[s for s, _ in BLAMEFUL])
def test_blameful_phrasing_is_flagged_with_its_rule(
    sentence: str, expected: list[tuple[str, str]], rules: CoachRules
) -> None:
    assert flagged(sentence, rules) == expected


@pytest.mark.parametrize("sentence", BLAMELESS)
def test_blameless_sentences_are_never_flagged(sentence: str, rules: CoachRules) -> None:
    assert flagged(sentence, rules) == []


@pytest.mark.parametrize(
    ("before", "subject"),
    [
        ("The reviewer", "person"),
        ("The on-call engineers quietly", "person"),
        ("We", "person"),
        ("Priya", "person"),
        ("Sam, the on-call engineer,", "person"),
        ("The support agent", "person"),
        ("The agent", "system"),
        ("The vector store", "system"),
        ("Kubernetes", "system"),
        ("Embeddings", "system"),
        ("Alerts for the on-call engineer", "system"),
        ("The engineer on call", "person"),
        ("The check that", "system"),
        ("The reviewer who", "person"),
        ("Sam opened the ticket but", "person"),
        ("The job started but", "system"),
        ("The alerts fired but they", "system"),
        ("The reviewers saw the alert but they", "person"),
        ("Nimbus", "unknown"),
        ("", "unknown"),
    ],
)
def test_the_subject_before_a_phrase_is_a_person_a_system_or_unknown(
    before: str, subject: str, rules: CoachRules
) -> None:
    text = f"{before} failed to run.".lstrip()
    end = text.index("failed to")
    assert subject_of(text, end, lexicon=rules.lexicon) == subject


def test_a_listed_product_wins_over_a_listed_given_name(tmp_path: Path) -> None:
    (tmp_path / "blameless-coach.yaml").write_text(
        "lesson: some-lesson\nlesson_section: blameless-language\n"
        "subjects:\n  products: [claude]\n"
        "rules:\n"
        "  - id: person\n    kind: person-subject\n    explanation: x\n    rewrite: y\n"
        "    names: [Claude, Priya]\n    verbs: [failed]\n"
    )
    rules, problems = load_coach_rules(tmp_path)
    assert problems == [] and rules is not None
    assert flagged("Claude failed the refund questions.", rules) == []
    assert flagged("Priya failed the refund questions.", rules) == [("Priya failed", "person")]


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
    ]


def _rewrite_table(lesson_text: str) -> list[tuple[str, str]]:
    """The (before, after) rows of the lesson's Markdown table headed "Before … | After …"."""
    lines = lesson_text.splitlines()
    for index, line in enumerate(lines):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if (
            len(cells) == 2
            and cells[0].lower().startswith("before")
            and "after" in cells[1].lower()
        ):
            rows = []
            for row in lines[index + 2 :]:
                if not row.strip().startswith("|"):
                    break
                before, after = (cell.strip() for cell in row.strip().strip("|").split("|")[:2])
                rows.append((_plain(before), _plain(after)))
            return rows
    raise AssertionError("the lesson has no Before/After rewrite table")


def _plain(cell: str) -> str:
    """A table cell's sentence without Markdown emphasis or the quotation marks around it."""
    return cell.replace("**", "").replace("*", "").replace("_", " ").strip().strip("\"“”'")


def _lesson_dir(rules: CoachRules) -> Path:
    return CONTENT / rules.lesson


def test_the_lessons_blameful_before_sentences_are_flagged_and_its_rewrites_are_not(
    rules: CoachRules,
) -> None:
    rows = _rewrite_table((_lesson_dir(rules) / "lesson.md").read_text(encoding="utf-8"))
    assert len(rows) >= 5
    for before, after in rows:
        assert flagged(before, rules) != [], f"not flagged: {before}"
        assert flagged(after, rules) == [], f"flagged: {after}"


def test_the_quizs_blameful_options_are_flagged_and_its_blameless_answers_are_not(
    rules: CoachRules,
) -> None:
    # The questions on the coach's own section that ask for the blameless wording: every wrong
    # option is a blameful wording, and so is the sentence quoted in the prompt.
    quiz = yaml.safe_load((_lesson_dir(rules) / "quiz.yaml").read_text(encoding="utf-8"))
    questions = [
        question
        for question in quiz["questions"]
        if question.get("section_id") == rules.lesson_section
        and re.search(r"blameless|rewrite", question["prompt"], re.IGNORECASE)
    ]
    assert questions, f"no quiz question on {rules.lesson_section} asks for a blameless wording"
    for question in questions:
        for option in question["options"]:
            found = flagged(option["text"], rules)
            if option.get("correct"):
                assert found == [], f"{question['id']}: correct option flagged: {found}"
            else:
                assert found != [], (
                    f"{question['id']}: blameful option not flagged: {option['text']}"
                )
        for quoted in re.findall(r"[\"“]([^\"”]{12,})[\"”]", question["prompt"]):
            assert flagged(quoted, rules) != [], f"{question['id']}: quoted sentence not flagged"


# Every option, across the postmortem quiz, that is a clearly blameful way to write about an
# incident (the rest of those questions' wrong options are wrong for other reasons), by question.
BLAMEFUL_QUIZ_OPTIONS = {
    "unique-shapes": {"people"},
    "timeline-entry": {"carelessly", "unfortunately", "caused-because"},
    "contributing-factor": {"nobody-checked", "human-error"},
    "blameless-rewrite": {"under-pressure", "lapse", "passive"},
}


def test_every_clearly_blameful_quiz_option_is_flagged_and_the_keys_beside_them_are_not(
    rules: CoachRules,
) -> None:
    quiz = yaml.safe_load((_lesson_dir(rules) / "quiz.yaml").read_text(encoding="utf-8"))
    questions = {question["id"]: question for question in quiz["questions"]}
    for question_id, blameful in BLAMEFUL_QUIZ_OPTIONS.items():
        options = {option["id"]: option for option in questions[question_id]["options"]}
        assert blameful <= set(options), question_id
        for option_id, option in options.items():
            found = flagged(option["text"], rules)
            if option_id in blameful:
                assert found != [], f"{question_id}: blameful option not flagged: {option['text']}"
            elif option.get("correct"):
                assert found == [], f"{question_id}: correct option flagged: {found}"


@pytest.mark.parametrize(
    "sentence",
    [
        "the deploy pipeline allowed the change through",
        "the template lacked the grounding instruction",
        "the alert looked like the usual noise",
        "The on-call engineer followed the runbook and paged the model owner.",
        "The failover did not complete within five minutes.",
        "It was not a human error: the form accepted any value.",
        "Human error was ruled out.",
        "Operator error rates are tracked weekly.",
        "The team did not yet have a runbook for drift.",
    ],
)
def test_blameless_findings_about_roles_and_systems_are_not_flagged(
    sentence: str, rules: CoachRules
) -> None:
    assert flagged(sentence, rules) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The on-call engineer didn't acknowledge the page.",
        "Our data team forgot the re-index.",
        "Support failed the handover.",
        "The SRE team caused the outage.",
        "Ops never looked at the drift report.",
        "The intern accidentally deleted the index.",
        "Whoever approved this did not read it.",
        "They made the wrong call.",
        "The reviewers were asleep at the wheel.",
        "Our data team dropped the ball.",
    ],
)
def test_failure_verbs_after_a_role_a_team_or_a_pronoun_are_flagged(
    sentence: str, rules: CoachRules
) -> None:
    assert flagged(sentence, rules) != []


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
         "rate", "one", "Maria", "Lopez", "never", "accidentally", "Ǆ", "ſ", "İ", "they", "THEY",
         "and", "but", "who", "that", "for", "Kwame", "Zandile", "read", "access", "deleted",
         "found", "received", "is", '"', "“", "”", "reviewer", "engineer's", "fault", "—", ";"]
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


@pytest.mark.parametrize(
    "sentence",
    [
        "The reviewer failed to catch it. Sam broke the build. ",
        "Zandile Mokoena and the team saw it but they failed to act, and failed to page, and ",
        "Alerts for the on-call engineer of the service failed to fire; Sam broke it. ",
    ],
)
def test_the_coach_reads_a_full_section_of_repeated_blame(sentence: str, rules: CoachRules) -> None:
    # How long this takes is measured by bench/coach.py, not asserted here.
    text = (sentence * 300)[:10_000]
    flags = coach_text(text, rules=rules)
    assert len(flags) > 100
    assert all(text[flag.start : flag.end] == flag.text for flag in flags)


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


def test_harm_adverbs_without_harm_verbs_are_reported(tmp_path: Path) -> None:
    (tmp_path / "blameless-coach.yaml").write_text(
        "lesson: some-lesson\nlesson_section: blameless-language\n"
        "rules:\n"
        "  - id: person\n    kind: person-subject\n    explanation: x\n    rewrite: y\n"
        "    names: [Sam]\n    verbs: [broke]\n    harm_adverbs: [accidentally]\n"
        "    flag_when_subject: sometimes\n"
    )
    _, problems = load_coach_rules(tmp_path)
    assert problems[0].field == "rules[0].flag_when_subject"
    assert "'always', 'person' or 'not-system'" in problems[0].message
    text = (tmp_path / "blameless-coach.yaml").read_text()
    (tmp_path / "blameless-coach.yaml").write_text(text.replace("sometimes", "person"))
    _, problems = load_coach_rules(tmp_path)
    assert [str(p) for p in problems] == [
        f"{tmp_path.name}/blameless-coach.yaml: coach: rules[0].harm_verbs: harm_adverbs and harm_verbs go together",
    ]


def test_bad_yaml_in_the_coach_file_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "blameless-coach.yaml").write_text("lesson: x\nrules: [\n")
    _, problems = load_coach_rules(tmp_path)
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{tmp_path.name}/blameless-coach.yaml: coach: invalid YAML")


def _lines_run(text: str, rules: CoachRules) -> int:
    """How many lines of Python coaching `text` executes: a count of work, not a timing."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    _subject_of_window.cache_clear()  # each run does its own analysis
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        coach_text(text, rules=rules)
    finally:
        sys.settrace(previous)
    return count


def _shuffled_triggers(size: int) -> str:
    words = "Sam the reviewer they and who which failed to ignored should have been known lied"
    rng = random.Random(size)
    vocabulary = [*words.split(), "lapse", "by", "human", "error", "if", "only", ",", ";", "."]
    return " ".join(rng.choice(vocabulary) for _ in range(size))[:size]


@pytest.mark.parametrize(
    "make",
    [
        lambda size: ("a-" * size)[:size],
        lambda size: "'" * size,
        lambda size: (", ; . — " * size)[:size],
        lambda size: "Sam" + " " * size,
        lambda size: ("The reviewer failed to catch it. Sam broke the build. " * size)[:size],
        _shuffled_triggers,
    ],
    ids=["a-a-a", "apostrophes", "separators", "spaces-after-a-name", "repeated-blame", "triggers"],
)
def test_doubling_an_adversarial_input_at_most_doubles_the_coachs_python_work(
    make: Callable[[int], str], rules: CoachRules
) -> None:
    # Regex time is measured by the CPU-time test below; this holds the Python side to linear growth
    # (a quadratic loop would quadruple), counted in executed lines, not in seconds.
    small, large = _lines_run(make(2_000), rules), _lines_run(make(4_000), rules)
    assert large <= 2.5 * small + 200, (small, large)


def _cpu_seconds(text: str, rules: CoachRules, *, runs: int = 5) -> float:
    """The best of a few runs' CPU time coaching `text`: regex-engine time included."""
    best = float("inf")
    for _ in range(runs):
        _subject_of_window.cache_clear()
        start = time.process_time()
        coach_text(text, rules=rules)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize(
    "make",
    [
        lambda size: ("a-" * size)[:size],
        lambda size: ("A-" * size)[:size],
        lambda size: "'" * size,
        lambda size: ("a'" * size)[:size],
        lambda size: "a" * size,
        lambda size: "Z" + "a" * (size - 1),
        lambda size: (", ; . — " * size)[:size],
        lambda size: "Sam" + " " * size + "forgot",
        lambda size: ("if only " * size)[:size],
    ],
    ids=[
        "a-a-a",
        "A-A-A",
        "apostrophes",
        "a'a'a",
        "long-word",
        "long-capitalised-word",
        "separators",
        "spaces-after-a-name",
        "if-only",
    ],
)
def test_quadrupling_an_adversarial_input_keeps_the_coachs_cpu_time_near_linear(
    make: Callable[[int], str], rules: CoachRules
) -> None:
    # Seconds, so time spent inside the regex engine counts (the line count above cannot see
    # it): linear growth is 4x, quadratic 16x. The bound sits between them: on an idle machine
    # the ratio ranges 2.6-4.3x, and a CI run with another worker busy measured 7x once.
    coach_text(make(1_000), rules=rules)  # compiled patterns warm
    small, large = _cpu_seconds(make(10_000), rules), _cpu_seconds(make(40_000), rules)
    assert large <= 10 * small + 0.002, (small, large)


def test_a_phrase_that_does_not_start_with_a_word_is_reported(tmp_path: Path) -> None:
    # Phrases are looked for where a word starts, so one starting with punctuation never matches.
    (tmp_path / "blameless-coach.yaml").write_text(
        "lesson: some-lesson\nlesson_section: blameless-language\n"
        "rules:\n"
        '  - id: fault\n    explanation: x\n    rewrite: y\n    phrases: [mistake, "-fault"]\n'
    )
    rules, problems = load_coach_rules(tmp_path)
    assert rules is None
    assert [(p.field, p.message) for p in problems] == [
        (
            "rules[0].phrases[1]",
            "must start with a word (a letter or digit), which is where it is looked for",
        )
    ]
