from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from content_registry import ContentError
from lessons.content import get_catalogue, load_catalogue_with_problems
from lessons.rendering import render_markdown

FIXTURES = Path(__file__).parent.parent / "fixtures" / "content"
BROKEN = FIXTURES / "broken"


def problems_in(folder: Path) -> list[str]:
    _, problems = load_catalogue_with_problems(folder)
    return [str(problem) for problem in problems]


def test_a_valid_lesson_loads_with_its_sections_in_order() -> None:
    catalogue, problems = load_catalogue_with_problems(FIXTURES / "valid")
    assert problems == []
    lesson = catalogue.get("sample-lesson")
    assert lesson is not None
    assert [s.id for s in lesson.sections] == ["getting-started", "raw-html"]
    assert [sid for sid, _ in lesson.outline] == [
        "premise", "does-well", "cannot-do", "getting-started", "raw-html", "apply", "key-insights",
    ]  # fmt: skip
    assert lesson.section_title("getting-started") == "Getting started"


def test_loaded_lessons_are_frozen() -> None:
    lesson = load_catalogue_with_problems(FIXTURES / "valid")[0].lessons[0]
    with pytest.raises(ValueError, match="frozen"):
        lesson.title = "Changed"  # type: ignore[misc]


def test_a_missing_field_is_named_with_its_path() -> None:
    assert problems_in(BROKEN / "missing-field") == [
        "missing-field/sample-lesson/lesson.md: front matter: tagline: is required",
        "missing-field/sample-lesson/lesson.md: front matter: related[0].minutes: must be a positive integer",
    ]


def test_a_wrong_type_is_reported_per_field() -> None:
    assert problems_in(BROKEN / "wrong-type") == [
        "wrong-type/sample-lesson/lesson.md: front matter: number: must be a positive integer",
        "wrong-type/sample-lesson/lesson.md: front matter: does_well: must be a list",
    ]


def test_duplicate_ids_are_rejected_in_front_matter_and_body() -> None:
    assert problems_in(BROKEN / "duplicate-ids") == [
        "duplicate-ids/sample-lesson/lesson.md: front matter: checklist[1].id: duplicate id 'first-step' (first used at checklist[0])",
        "duplicate-ids/sample-lesson/lesson.md: body: section 'getting-started': duplicate id 'getting-started'",
    ]


def test_bad_yaml_reports_the_line() -> None:
    (problem,) = problems_in(BROKEN / "bad-yaml")
    assert problem.startswith(
        "bad-yaml/sample-lesson/lesson.md: front matter: invalid YAML at line 12"
    )


def test_an_empty_body_is_rejected() -> None:
    assert problems_in(BROKEN / "empty-body") == [
        "empty-body/sample-lesson/lesson.md: body: is empty"
    ]


def test_unknown_keys_are_rejected_at_any_depth() -> None:
    assert problems_in(BROKEN / "unknown-keys") == [
        "unknown-keys/sample-lesson/lesson.md: front matter: checklist[0].points: unknown key",
        "unknown-keys/sample-lesson/lesson.md: front matter: level: unknown key",
    ]


def test_a_broken_catalogue_never_half_loads(use_content_dir) -> None:
    use_content_dir(BROKEN / "missing-field")
    with pytest.raises(ContentError) as raised:
        get_catalogue()
    assert "tagline: is required" in str(raised.value)


def test_headings_without_an_id_and_text_before_the_first_heading_are_errors(
    tmp_path: Path,
) -> None:
    source = (FIXTURES / "valid" / "sample-lesson" / "lesson.md").read_text()
    front, _body = source.split("---\n", 2)[1:]
    folder = tmp_path / "content" / "sample-lesson"
    folder.mkdir(parents=True)
    (folder / "lesson.md").write_text(f"---\n{front}---\nIntro text.\n\n## No id here\n\nText.\n")
    assert problems_in(tmp_path / "content") == [
        "content/sample-lesson/lesson.md: body: line 3: heading 'No id here' needs an explicit id like {#lowercase-id}",
        "content/sample-lesson/lesson.md: body: line 1: text before the first '## ' heading; every part of the body belongs to a section",
    ]


def test_the_slug_must_match_the_folder(tmp_path: Path) -> None:
    source = (FIXTURES / "valid" / "sample-lesson" / "lesson.md").read_text()
    folder = tmp_path / "content" / "other-name"
    folder.mkdir(parents=True)
    (folder / "lesson.md").write_text(source)
    assert problems_in(tmp_path / "content") == [
        "content/other-name/lesson.md: front matter: slug: 'sample-lesson' must match its folder name 'other-name'"
    ]


def test_raw_html_in_content_cannot_inject_script() -> None:
    lesson = load_catalogue_with_problems(FIXTURES / "valid")[0].lessons[0]
    raw = next(s for s in lesson.sections if s.id == "raw-html")
    assert "<script" not in raw.html
    assert "javascript:" not in raw.html
    assert "onclick" not in raw.html
    assert "onerror" not in raw.html
    assert "<img" not in raw.html
    # A `##` line inside a fenced block is code, not a new section.
    assert "## not a heading inside a fence" in raw.html


def test_markdown_renders_tables_fences_and_heading_ids_without_inline_style() -> None:
    html = render_markdown(
        "### Steps\n\n| a | b |\n| :- | -: |\n| 1 | 2 |\n\n```\ncode\n```\n", id_prefix="intro"
    )
    assert '<h3 id="intro-steps">Steps</h3>' in html
    assert '<th align="left">a</th>' in html
    assert "<pre><code>code" in html
    assert "style=" not in html


def test_check_content_passes_on_the_real_content(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("check_content")
    assert "Content OK." in capsys.readouterr().out


def test_check_content_prints_one_line_per_problem_and_fails(
    use_content_dir, capsys: pytest.CaptureFixture[str]
) -> None:
    use_content_dir(BROKEN / "missing-field")
    with pytest.raises(CommandError) as raised:
        call_command("check_content")
    assert raised.value.returncode == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "missing-field/sample-lesson/lesson.md: front matter: tagline: is required",
        "missing-field/sample-lesson/lesson.md: front matter: related[0].minutes: must be a positive integer",
    ]


def test_the_real_lesson_has_every_part_the_page_needs() -> None:
    catalogue, problems = load_catalogue_with_problems(Path(__file__).parents[2] / "content")
    assert problems == []
    lesson = catalogue.get("writing-postmortems-for-ai-system-incidents")
    assert lesson is not None
    assert (lesson.number, lesson.catalogue_size) == (909, 1596)
    assert (lesson.read_minutes, lesson.total_minutes, lesson.reviewed_year) == (21, 35, 2026)
    assert lesson.tagline == "Run blameless postmortems specifically for AI system failures."
    assert len(lesson.checklist) == 3
    assert any(
        i.text == "If users were harmed, involve legal and communications before publishing."
        for i in lesson.key_insights
    )
    words = sum(len(part.text.split()) for part in lesson.readable_sections)
    assert words >= 3500, "a ~21 minute read needs at least ~3,500 words"
    section_ids = {s.id for s in lesson.sections}
    assert {
        "postmortem-template", "timeline-and-analysis", "attribution-narrative",
        "worked-example", "blameless-language", "further-reading",
    } <= section_ids  # fmt: skip


REAL = Path(__file__).parents[2] / "content"
POSTMORTEM = "writing-postmortems-for-ai-system-incidents"


def test_a_related_card_that_disagrees_with_its_lesson_is_a_warning_naming_the_field(
    tmp_path: Path, settings: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REAL, content)
    lesson_file = content / POSTMORTEM / "lesson.md"
    text = lesson_file.read_text()
    card = "    title: Writing Your Own HS AI Honor Code\n    track: Creators\n    minutes: 9\n"
    assert card in text
    text = text.replace(card, card.replace("Creators", "Explorers").replace("9\n", "12\n"))
    lesson_file.write_text(text)
    settings.CONTENT_DIR = content
    call_command("check_content")  # a warning does not fail the check
    out = capsys.readouterr()
    assert "Content OK. (2 warning(s))" in out.out
    where = f"warning: content/{POSTMORTEM}/lesson.md: front matter: related[2]"
    assert out.err.strip().splitlines() == [
        f"{where}.track: says 'Explorers' but the lesson "
        "'writing-your-own-hs-ai-honor-code' has 'Creators'",
        f"{where}.minutes: says 12 but the lesson 'writing-your-own-hs-ai-honor-code' has 9",
    ]
    catalogue, problems = load_catalogue_with_problems(content)
    assert problems == [] and catalogue.get(POSTMORTEM) is not None


def test_a_related_card_for_a_lesson_not_written_yet_is_not_checked(
    tmp_path: Path, settings: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REAL, content)
    settings.CONTENT_DIR = content
    call_command("check_content")
    assert capsys.readouterr().err == ""  # using-ai-vendor-due-diligence… has no folder


def test_a_table_column_with_an_empty_header_is_an_error_naming_file_and_section(
    tmp_path: Path, settings: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REAL, content)
    honor = "writing-your-own-hs-ai-honor-code"
    lesson_file = content / honor / "lesson.md"
    text = lesson_file.read_text()
    assert "| Use | Example | Usually |" in text
    lesson_file.write_text(text.replace("| Use | Example | Usually |", "| | Example | Usually |"))
    settings.CONTENT_DIR = content
    with pytest.raises(CommandError):
        call_command("check_content")
    assert capsys.readouterr().err.strip().splitlines() == [
        f"content/{honor}/lesson.md: body: section 'range-of-use': a table has a column with an "
        "empty header; name the column (screen readers read each cell with its header)"
    ]
