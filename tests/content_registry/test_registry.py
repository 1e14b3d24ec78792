"""The project's kinds in one store: one check, one parse per file, lessons read lazily."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

import lessons.content
from content_registry import ContentError, get_store, registered_kinds, reset_store
from content_registry.checks import check_content_files
from lessons.content import LESSON_FILE, LESSON_KIND, get_catalogue, get_lesson
from quiz.bank import QUIZ_FILE
from tests.conftest import LESSON_SLUG

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_every_kind_of_content_file_is_registered_once() -> None:
    names = [kind.name for kind in registered_kinds()]
    assert names[0] == "lesson"
    assert {"lesson", "quiz", "practice", "coach"} <= set(names)
    assert len(names) == len(set(names))


def test_the_catalogue_renders_no_lesson_body(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rendering(*args: object, **kwargs: object) -> str:
        raise AssertionError("the catalogue rendered a lesson body")

    monkeypatch.setattr(lessons.content, "render_markdown", no_rendering)
    catalogue = get_catalogue()
    assert LESSON_SLUG in [lesson.slug for lesson in catalogue.lessons]
    assert catalogue.has(LESSON_SLUG) and not catalogue.has("no-such-lesson")
    assert "worked-example" in dict(catalogue.by_slug[LESSON_SLUG].outline)
    response = Client().get("/")
    assert response.status_code == 200


def test_the_listing_outline_matches_the_parsed_lesson() -> None:
    listed = get_catalogue().by_slug[LESSON_SLUG]
    lesson = get_lesson(LESSON_SLUG)
    assert lesson is not None
    assert listed.outline == lesson.outline


def test_one_content_check_parses_each_lesson_once(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Path] = []
    real = lessons.content.load_lesson

    def counting(path: Path, *, content_dir: Path):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real(path, content_dir=content_dir)

    monkeypatch.setattr(lessons.content, "load_lesson", counting)
    assert check_content_files() == []
    # Each lesson once, none twice (the quiz cross-check reuses the parsed lesson).
    assert sorted(parsed) == sorted(content_copy.glob(f"*/{LESSON_FILE}"))


def test_the_one_check_reports_problems_of_every_kind_at_once(
    content_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(
        FIXTURES / "quiz" / "broken-duplicate-id.yaml", content_copy / LESSON_SLUG / QUIZ_FILE
    )
    (content_copy / "blameless-coach.yaml").write_text("rules: 3\n")
    with pytest.raises(CommandError):
        call_command("check_content")
    lines = capsys.readouterr().err.strip().splitlines()
    quiz = f"content/{LESSON_SLUG}/quiz.yaml: questions[4].id: duplicate id"
    assert any(line.startswith(quiz) for line in lines)
    assert any(line.startswith("content/blameless-coach.yaml: coach: ") for line in lines)


def test_a_broken_lesson_body_is_reported_when_first_used_and_by_the_check(
    content_copy: Path,
) -> None:
    path = content_copy / LESSON_SLUG / LESSON_FILE
    path.write_text(path.read_text() + "\n## Trailing {#trailing}\n")
    assert get_catalogue().has(LESSON_SLUG)  # the front matter is fine
    with pytest.raises(ContentError, match="section 'trailing' has no text"):
        get_lesson(LESSON_SLUG)
    assert any("section 'trailing' has no text" in m.msg for m in check_content_files())


def test_reset_store_reads_an_edited_file_again(content_copy: Path) -> None:
    path = content_copy / LESSON_SLUG / LESSON_FILE
    before = get_catalogue().by_slug[LESSON_SLUG].title
    path.write_text(path.read_text().replace(f"title: {before}", "title: Renamed", 1))
    assert get_catalogue().by_slug[LESSON_SLUG].title == before  # read once per process
    reset_store()
    assert get_catalogue().by_slug[LESSON_SLUG].title == "Renamed"


def rename_lesson(content: Path, title: str) -> None:
    path = content / LESSON_SLUG / LESSON_FILE
    old = get_catalogue().by_slug[LESSON_SLUG].title
    text = path.read_text().replace(f"title: {old}", f"title: {title}", 1)
    path.write_text(text)
    # (The new title has another length, so the file size changes even within one mtime tick.)


@pytest.mark.django_db
def test_with_reload_on_an_edited_lesson_shows_on_the_next_request(
    content_copy: Path, settings: pytest.FixtureRequest, client: Client
) -> None:
    settings.CONTENT_RELOAD = True
    assert client.get(f"/lessons/{LESSON_SLUG}/").status_code == 200
    rename_lesson(content_copy, "Edited while the server runs")
    page = client.get(f"/lessons/{LESSON_SLUG}/").content.decode()
    assert "Edited while the server runs" in page
    assert "Edited while the server runs" in client.get("/").content.decode()


def test_a_kind_learns_which_of_its_files_a_reload_found_changed() -> None:
    before = (
        (f"a/{LESSON_FILE}", 1, 10),
        (f"b/{LESSON_FILE}", 1, 10),
        (f"c/{LESSON_FILE}", 1, 10),
        (f"b/{QUIZ_FILE}", 1, 10),
    )
    after = (
        (f"a/{LESSON_FILE}", 1, 10),
        (f"b/{LESSON_FILE}", 2, 11),
        (f"d/{LESSON_FILE}", 1, 10),
        (f"b/{QUIZ_FILE}", 3, 12),
    )
    assert LESSON_KIND.changed_keys(before, after) == {"b", "c", "d"}
    assert LESSON_KIND.changed_keys(before, before) == frozenset()


@pytest.mark.django_db
def test_without_reload_the_process_keeps_what_it_read(
    content_copy: Path, settings: pytest.FixtureRequest, client: Client
) -> None:
    settings.CONTENT_RELOAD = False
    client.get(f"/lessons/{LESSON_SLUG}/")
    store = get_store()
    rename_lesson(content_copy, "Not seen until restart")
    assert "Not seen until restart" not in client.get("/").content.decode()
    assert get_store() is store


def test_a_new_content_dir_setting_gets_its_own_store(
    use_content_dir: Callable[[Path], None], tmp_path: Path
) -> None:
    first = get_store()
    use_content_dir(FIXTURES / "content" / "valid")
    assert get_store() is not first
    assert get_store().keys(LESSON_KIND) == ("sample-lesson",)
