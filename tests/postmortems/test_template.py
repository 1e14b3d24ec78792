from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from postmortems.checks import practice_content_problems
from postmortems.coach import CoachRules, load_coach_rules
from postmortems.drafts import (
    MAX_FLAGS_PER_FIELD,
    Draft,
    assess_readiness,
    coach_draft,
    coach_within,
)
from postmortems.export import export_filename, export_markdown
from postmortems.guide import Practice, load_practice
from postmortems.template import SECTIONS

CONTENT = Path(__file__).resolve().parents[2] / "content"
SLUG = "writing-postmortems-for-ai-system-incidents"
PRACTICE_PATH = CONTENT / SLUG / "practice.yaml"


@pytest.fixture(scope="module")
def rules() -> CoachRules:
    loaded = load_coach_rules(CONTENT)[0]
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def practice() -> Practice:
    loaded, problems = load_practice(PRACTICE_PATH, content_dir=CONTENT, lesson=None)
    assert problems == []
    assert loaded is not None
    return loaded


# --- the example -----------------------------------------------------------------------------


def test_the_example_fills_every_section_of_the_template(practice: Practice) -> None:
    draft = practice.example_draft()
    assert [s.id for s in SECTIONS if draft.section_is_empty(s)] == []
    assert draft.get("title") == "Support assistant invented a refund policy"
    assert {item["category"] for item in draft.action_items} == {
        "prompt", "guardrail", "evaluation", "process",
    }  # fmt: skip


def test_the_example_action_items_follow_the_lessons_rules(practice: Practice) -> None:
    """Separate detect, mitigate and prevent items, a human-in-the-loop one, each with a
    priority, an owner, a due date and a way to tell it is done, as in the lesson."""
    draft = practice.example_draft()
    types = [item["type"] for item in draft.action_items]
    assert {"detect", "mitigate", "prevent", "repair"} <= set(types)
    assert any("human review" in item["action"] for item in draft.action_items)
    for item in draft.action_items:
        assert all(item[name] for name in ("priority", "owner", "due", "done_when")), item
        assert "ticket SUP-" in item["action"]


def test_the_example_keeps_the_lessons_points(practice: Practice) -> None:
    draft = practice.example_draft()
    assert "Moffatt v. Air Canada" in " ".join(draft.get("went.lucky").split())
    assert "exported" in draft.get("response")
    assert "16:12" in draft.get("timeline")


def test_the_example_is_itself_blameless_and_ready_to_publish(
    practice: Practice, rules: CoachRules
) -> None:
    draft = practice.example_draft()
    assert coach_draft(draft, rules=rules) == {}
    assert assess_readiness(draft, names=rules.names).ready_to_publish


# --- readiness -------------------------------------------------------------------------------


def test_an_empty_draft_lists_every_section_as_empty_and_asks_about_harm() -> None:
    readiness = assess_readiness(Draft())
    assert [s.id for s in readiness.empty_sections] == [s.id for s in SECTIONS]
    assert readiness.harm_unassessed
    assert not readiness.harm_gate_open
    assert not readiness.ready_to_publish


def test_harm_without_the_legal_and_communications_gate_is_not_ready_to_publish(
    practice: Practice,
) -> None:
    example = practice.example_draft()
    gate_open = Draft(
        values={**example.values, "impact.gate": ""}, action_items=example.action_items
    )
    readiness = assess_readiness(gate_open)
    assert readiness.harm_gate_open
    assert not readiness.ready_to_publish
    no_harm = Draft(
        values={**gate_open.values, "impact.harmed": "no"}, action_items=example.action_items
    )
    assert assess_readiness(no_harm).ready_to_publish


def test_action_items_without_a_category_or_owner_role_are_listed(rules: CoachRules) -> None:
    draft = Draft(
        action_items=(
            {
                "action": "Add a grounding check",
                "category": "",
                "type": "prevent",
                "owner": "",
                "due": "",
            },
            {
                "action": "Add evals",
                "category": "evaluation",
                "type": "prevent",
                "owner": "Priya",
                "due": "",
            },
            {
                "action": "Review prompts",
                "category": "process",
                "type": "",
                "owner": "ML on-call",
                "due": "",
            },
        )
    )
    assert assess_readiness(draft, names=rules.names).action_item_problems == (
        "Action item 1 has no category.",
        "Action item 1 has no owner role.",
        "Action item 2’s owner looks like a person’s name; name a role instead.",
    )


def test_coach_flags_keep_a_draft_from_being_ready(practice: Practice) -> None:
    assert not assess_readiness(practice.example_draft(), flag_count=1).ready_to_publish


# --- export ----------------------------------------------------------------------------------


def test_the_export_has_every_filled_section_in_template_order(practice: Practice) -> None:
    markdown = export_markdown(practice.example_draft())
    assert markdown.startswith("# Support assistant invented a refund policy\n")
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [s.title for s in SECTIONS if s.id != "header"]
    assert "- **Severity:** SEV 2: major" in markdown
    assert "- **Legal and communications review:** confirmed" in markdown
    assert "### Guardrail\n\nNo check that numbers in an answer appear in a source." in markdown
    assert "1. Restore the grounding instruction from template v11" in markdown
    assert "   - **Owner role:** Support tooling team" in markdown
    assert "   - **Priority:** P0: now" in markdown
    assert "   - **Done when:** The 20 exported questions now get grounded answers." in markdown


def test_the_export_leaves_out_empty_sections_and_escapes_nothing() -> None:
    text = 'Users saw <script>-like text & "quotes"; *our* markdown stays.\n\n- one\n- two'
    markdown = export_markdown(Draft(values={"title": "A & B <c>", "went.lucky": text}))
    assert markdown == (
        "# A & B <c>\n\n"
        "## What went well, what went wrong, where we got lucky\n\n"
        "### Where we got lucky\n\n" + text + "\n"
    )
    assert "&amp;" not in markdown and "&lt;" not in markdown and "\\*" not in markdown


def test_the_timeline_exports_as_a_list_of_facts() -> None:
    markdown = export_markdown(
        Draft(values={"timeline": "09:14 Deployed\n\n- 11:40 First answer\n"})
    )
    assert "## Timeline\n\n- 09:14 Deployed\n- 11:40 First answer\n" in markdown


def test_harm_without_the_gate_is_written_into_the_export() -> None:
    markdown = export_markdown(Draft(values={"impact.harmed": "yes"}))
    assert (
        "**Legal and communications review:** not yet confirmed (not ready to publish)" in markdown
    )


def test_multi_line_action_items_stay_inside_their_list_item() -> None:
    draft = Draft(
        action_items=(
            {
                "action": "Do this\nand that",
                "category": "prompt",
                "type": "",
                "owner": "",
                "due": "",
            },
        )
    )
    assert (
        "## Action items\n\n1. Do this\n   and that\n   - **Category:** Prompt\n"
        in export_markdown(draft)
    )


def test_the_download_is_named_after_the_title() -> None:
    assert export_filename(Draft(values={"title": "Support bot: invented refund policy!"})) == (
        "postmortem-support-bot-invented-refund-policy.md"
    )
    assert export_filename(Draft()) == "postmortem-draft.md"


# --- practice.yaml is validated like every content file ---------------------------------------


def broken_copy(tmp_path: Path, change) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / SLUG / "practice.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return content


def test_the_real_practice_and_coach_files_have_no_problems() -> None:
    assert practice_content_problems(CONTENT) == []


def test_a_broken_practice_file_names_file_and_field_path(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        data["sections"][1]["example"]["summary"] = "x" * 10_001
        data["sections"][4]["guidance"] = ""
        data["extra"] = 1

    where = f"content/{SLUG}/practice.yaml: practice"
    assert [str(p) for p in practice_content_problems(broken_copy(tmp_path, change))] == [
        f"{where}: sections[1].example.summary: must be at most 10,000 characters",
        f"{where}: sections[4].guidance: must not be empty",
        f"{where}: extra: unknown key",
    ]


def test_cross_checks_name_each_bad_field(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        data["sections"][2]["lesson_section"] = "no-such-section"
        data["sections"][3]["example"]["ai.autonomy"] = "robots"
        data["sections"][0]["example"]["colour"] = "red"
        data["sections"][11]["example_action_items"][0]["owner_name"] = "Sam"
        del data["sections"][-1]

    where = f"content/{SLUG}/practice.yaml: practice"
    assert [str(p) for p in practice_content_problems(broken_copy(tmp_path, change))] == [
        f"{where}: sections: section 'disclosure' of the template has no guidance",
        f"{where}: sections[0].example.colour: not a field of section 'header'",
        f"{where}: sections[2].lesson_section: the lesson has no section 'no-such-section'",
        f"{where}: sections[3].example.ai.autonomy: “robots” is not one of the choices; pick one from the list.",
        f"{where}: sections[11].example_action_items[0].owner_name: unknown column (known: action, category, type, priority, owner, due, done_when)",
    ]


def test_check_content_fails_on_a_broken_coach_file(
    tmp_path: Path, use_content_dir, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "blameless-coach.yaml").write_text("lesson: x\n")
    use_content_dir(content)
    with pytest.raises(CommandError):
        call_command("check_content")
    assert (
        "content/blameless-coach.yaml: coach: lesson_section: is required"
        in capsys.readouterr().err
    )


def test_the_coach_reads_no_more_than_its_budget_whatever_is_posted(rules: CoachRules) -> None:
    values = {f"factors.{name}": "a-" * 4_000 for name in ("model", "data", "prompt", "human")}
    values["summary"] = "Sam should have checked."
    report = coach_within(values, rules=rules, max_chars=20_000)
    assert report.unchecked == ("factors.prompt", "factors.human")
    assert report.flags["summary"][0].text == "Sam should have"


def test_a_field_lists_at_most_the_cap_of_flags_and_counts_the_rest(rules: CoachRules) -> None:
    values = {"summary": ("if only " * 1_250)[:10_000], "timeline": "Sam should have checked."}
    report = coach_within(values, rules=rules, max_chars=50_000)
    assert len(report.flags["summary"]) == MAX_FLAGS_PER_FIELD
    assert report.more_flags == {"summary": 1_250 - MAX_FLAGS_PER_FIELD}
    assert [flag.text for flag in report.flags["timeline"]] == ["Sam should have"]
    assert report.flag_count == 1_251
    assert len(coach_draft(Draft(values=values), rules=rules)["summary"]) == 1_250


def test_overlapping_flags_merge_into_one_phrase_and_touching_ones_stay_apart() -> None:
    from postmortems.coach import CoachFlag
    from postmortems.drafts import merge_overlapping

    text = "Sam should have tested it, human error."

    def flag(start: int, end: int, rule: str) -> CoachFlag:
        return CoachFlag(start, end, text[start:end], rule, f"why {rule}", f"try {rule}")

    merged = merge_overlapping(
        text, [flag(4, 15, "hindsight"), flag(0, 15, "person"), flag(27, 38, "human-error")]
    )
    assert [(m.text, m.rule_ids) for m in merged] == [
        ("Sam should have", "person hindsight"),
        ("human error", "human-error"),
    ]
    assert merged[0].advice == (("why person", "try person"), ("why hindsight", "try hindsight"))
    touching = merge_overlapping(text, [flag(0, 3, "a"), flag(3, 10, "b")])
    assert len(touching) == 2
