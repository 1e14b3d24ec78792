"""check_content at scale: folders checked in parallel, unchanged folders not parsed again."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command

import content_registry.checking
import lessons.content
from content_registry.checking import content_problems
from tests.conftest import LESSON_SLUG

FIXTURES = Path(__file__).parents[1] / "fixtures"


def real_lessons(content: Path) -> list[str]:
    return sorted(path.parent.name for path in content.glob("*/lesson.md"))


def add_copies(content: Path, count: int) -> list[str]:
    slugs = []
    for number in range(1, count + 1):
        slug = f"copy-{number}"
        shutil.copytree(content / LESSON_SLUG, content / slug)
        lesson = content / slug / "lesson.md"
        text = re.sub(r"(?m)^slug: .*$", f"slug: {slug}", lesson.read_text(), count=1)
        lesson.write_text(text)
        slugs.append(slug)
    return slugs


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lesson folders whose lesson.md is parsed in full."""
    seen: list[str] = []
    real = lessons.content.load_lesson

    def counting(path: Path, *, content_dir: Path):  # type: ignore[no-untyped-def]
        seen.append(path.parent.name)
        return real(path, content_dir=content_dir)

    monkeypatch.setattr(lessons.content, "load_lesson", counting)
    return seen


def broken_quiz(content: Path, slug: str) -> None:
    shutil.copyfile(FIXTURES / "quiz" / "broken-duplicate-id.yaml", content / slug / "quiz.yaml")


def test_an_unchanged_folder_is_not_parsed_again_and_its_problems_are_still_reported(
    content_copy: Path, tmp_path: Path, parsed: list[str]
) -> None:
    add_copies(content_copy, 1)
    broken_quiz(content_copy, "copy-1")
    cache = tmp_path / "check-cache"
    first = content_problems(content_copy, cache_dir=cache)
    assert sorted(parsed) == real_lessons(content_copy)
    assert any("copy-1/quiz.yaml: questions[4].id: duplicate id" in str(p) for p in first)
    parsed.clear()
    assert content_problems(content_copy, cache_dir=cache) == first
    assert parsed == []
    lesson = content_copy / "copy-1" / "lesson.md"
    lesson.write_text(lesson.read_text().replace("## ", "## Edited: ", 1))
    content_problems(content_copy, cache_dir=cache)
    assert parsed == ["copy-1"]  # only the edited folder


def test_a_retitled_lesson_is_checked_against_the_cards_of_folders_already_cached(
    content_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "check-cache"
    honor = "writing-your-own-hs-ai-honor-code"
    assert not [p for p in content_problems(content_copy, cache_dir=cache) if "related" in p.field]
    lesson = content_copy / honor / "lesson.md"
    lesson.write_text(
        lesson.read_text().replace("title: Writing Your Own", "title: Write Your Own")
    )
    stale = [p for p in content_problems(content_copy, cache_dir=cache) if "related" in p.field]
    # The postmortem lesson's folder did not change, but its card for the honor code is stale.
    assert [(p.file, p.field) for p in stale] == [
        (f"content/{LESSON_SLUG}/lesson.md", "related[2].title")
    ]


def test_results_of_a_folder_as_it_no_longer_is_are_deleted_once_a_day_old(
    content_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "check-cache"
    content_problems(content_copy, cache_dir=cache)
    before = {path.name for path in cache.glob("*.json")}
    lesson = content_copy / LESSON_SLUG / "lesson.md"
    lesson.write_text(lesson.read_text().replace("## ", "## Edited: ", 1))
    content_problems(content_copy, cache_dir=cache)
    after = {path.name for path in cache.glob("*.json")}
    assert after > before  # a day's grace: the edited folder's old result is still there
    (edited,) = after - before
    day_ago = time.time() - 25 * 3600
    for path in cache.glob("*.json"):
        os.utime(path, (day_ago, day_ago))
    content_problems(content_copy, cache_dir=cache)
    remaining = {path.name for path in cache.glob("*.json")}
    # The edited folder's old result went; every folder's result as it is now stayed.
    assert edited in remaining
    assert remaining < after and len(remaining) == len(before)


def test_a_change_to_the_checking_code_checks_every_folder_again(
    content_copy: Path, tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "check-cache"
    content_problems(content_copy, cache_dir=cache)
    parsed.clear()
    monkeypatch.setattr(content_registry.checking, "code_digest", lambda kinds: "other code")
    content_problems(content_copy, cache_dir=cache)
    assert sorted(parsed) == real_lessons(content_copy)


def test_checking_on_several_processes_reports_what_one_process_does(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for slug in add_copies(content_copy, 3)[::2]:
        broken_quiz(content_copy, slug)
    one = content_problems(content_copy, jobs=1)
    monkeypatch.setattr(content_registry.checking, "PARALLEL_FROM", 2)
    monkeypatch.setattr(content_registry.checking, "CHUNK", 1)
    assert content_problems(content_copy, jobs=2) == one
    assert {p.file.split("/")[1] for p in one} == {"copy-1", "copy-3"}


def test_checking_processes_read_each_lessons_front_matter_once_between_them(
    content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    add_copies(content_copy, 3)
    monkeypatch.setattr(settings, "CONTENT_BUILD_CACHE_DIR", "")
    # Each process appends to one file, so reads in the checking processes are counted too.
    log = tmp_path / "listings-read"
    real = lessons.content.load_listing

    def counting(path: Path, *, content_dir: Path):  # type: ignore[no-untyped-def]
        with log.open("a") as out:
            out.write(path.parent.name + "\n")
        return real(path, content_dir=content_dir)

    monkeypatch.setattr(lessons.content, "load_listing", counting)
    monkeypatch.setattr(content_registry.checking, "PARALLEL_FROM", 2)
    monkeypatch.setattr(content_registry.checking, "CHUNK", 1)
    content_problems(content_copy, jobs=2)
    assert sorted(log.read_text().split()) == real_lessons(content_copy)


def test_check_content_shows_progress_on_a_large_catalogue(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import content_registry.management.commands.check_content as command

    add_copies(content_copy, 3)
    total = len(real_lessons(content_copy))
    monkeypatch.setattr(command, "PROGRESS_FROM", 2)
    call_command("check_content", "--jobs", "1")
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [f"Checked {total} of {total} lesson folders…", "Content OK."]
    assert f"Checked 1 of {total} lesson folders…" in out


def test_the_catalogue_index_is_remembered_between_processes_per_file(
    content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from content_registry import build_store
    from lessons.content import LESSON_KIND

    add_copies(content_copy, 2)
    read: list[str] = []
    real = lessons.content.load_listing

    def counting(path: Path, *, content_dir: Path):  # type: ignore[no-untyped-def]
        read.append(path.parent.name)
        return real(path, content_dir=content_dir)

    monkeypatch.setattr(lessons.content, "load_listing", counting)
    from django.conf import settings

    monkeypatch.setattr(settings, "CONTENT_BUILD_CACHE_DIR", str(tmp_path / "build"))
    first = build_store(content_copy).index(LESSON_KIND)
    assert sorted(read) == real_lessons(content_copy)
    read.clear()
    assert dict(build_store(content_copy).index(LESSON_KIND)) == dict(first)  # a new process
    assert read == []
    lesson = content_copy / "copy-2" / "lesson.md"
    lesson.write_text(lesson.read_text().replace("title: ", "title: Edited ", 1))
    again = build_store(content_copy).index(LESSON_KIND)
    assert read == ["copy-2"]
    assert again["copy-2"].title.startswith("Edited ")


def test_check_content_on_several_processes_names_each_broken_file_and_field_and_fails(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management.base import CommandError

    add_copies(content_copy, 5)
    broken_quiz(content_copy, "copy-4")
    lesson = content_copy / "copy-2" / "lesson.md"
    lesson.write_text(re.sub(r"(?m)^read_minutes: .*$", "read_minutes: soon", lesson.read_text()))
    monkeypatch.setattr(content_registry.checking, "PARALLEL_FROM", 2)
    monkeypatch.setattr(content_registry.checking, "CHUNK", 2)
    with pytest.raises(CommandError) as failed:
        call_command("check_content", "--jobs", "2", "--no-cache")
    assert failed.value.returncode == 1
    errors = capsys.readouterr().err.splitlines()
    assert (
        "content/copy-2/lesson.md: front matter: read_minutes: must be a positive integer" in errors
    )
    assert any(line.startswith("content/copy-4/quiz.yaml: questions[4].id: ") for line in errors)
    assert not any("copy-1/" in line or "copy-3/" in line for line in errors)
