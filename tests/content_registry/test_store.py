"""The content store: kinds declared once, every file listed once, parsed on first use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content_registry import (
    YAML_LOADER,
    ContentError,
    ContentKind,
    ContentModel,
    ContentProblem,
    ContentSource,
    ContentStore,
    Slug,
    Text,
    parse_yaml,
    read_model,
)


class Glossary(ContentModel):
    term: Slug
    meaning: Text


def make_kind(calls: list[str]) -> ContentKind[Glossary, None]:
    """A kind as an app declares one: its files, its model, its cross-check."""

    def load(source: ContentSource) -> tuple[Glossary | None, list[ContentProblem]]:
        calls.append(source.key)
        entry, problems = read_model(source.path, Glossary, file=source.file, part="glossary")
        if entry is not None and entry.term != source.key:
            problems = [
                ContentProblem(
                    file=source.file, part="glossary", field="term", message="must match the folder"
                )
            ]
        return entry, problems

    return ContentKind(name="glossary", files="*/glossary.yaml", load=load)


def write(folder: Path, slug: str, text: str) -> None:
    (folder / slug).mkdir(parents=True, exist_ok=True)
    (folder / slug / "glossary.yaml").write_text(text)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    write(folder, "alpha", "term: alpha\nmeaning: The first.\n")
    write(folder, "beta", "term: beta\nmeaning: The second.\n")
    (folder / "no-glossary").mkdir()
    return folder


def test_an_item_is_parsed_on_first_use_and_only_once(content: Path) -> None:
    calls: list[str] = []
    kind = make_kind(calls)
    store = ContentStore(content_dir=content, kinds=(kind,))
    assert calls == []  # listing the files parses nothing
    assert store.keys(kind) == ("alpha", "beta")
    first = store.get(kind, "alpha")
    assert first is not None and first.meaning == "The first."
    assert store.get(kind, "alpha") is first
    assert calls == ["alpha"]


def test_a_key_without_a_file_is_none_not_an_error(content: Path) -> None:
    kind = make_kind([])
    store = ContentStore(content_dir=content, kinds=(kind,))
    assert store.get(kind, "no-glossary") is None
    assert store.get(kind, "never-heard-of") is None
    assert not store.has(kind, "no-glossary")


def test_a_broken_file_raises_naming_file_part_and_field_and_its_cross_check_runs(
    content: Path,
) -> None:
    write(content, "gamma", "term: delta\nmeaning: ''\n")
    kind = make_kind([])
    store = ContentStore(content_dir=content, kinds=(kind,))
    with pytest.raises(ContentError) as raised:
        store.get(kind, "gamma")
    assert [str(p) for p in raised.value.problems] == [
        "content/gamma/glossary.yaml: glossary: meaning: must not be empty"
    ]
    assert store.lookup(kind, "gamma") is None  # what a cross-check sees: no item, no raise
    write(content, "gamma", "term: delta\nmeaning: Fourth.\n")
    fresh = ContentStore(content_dir=content, kinds=(kind,))
    assert [str(p) for p in fresh.problems()] == [
        "content/gamma/glossary.yaml: glossary: term: must match the folder"
    ]


def test_problems_reports_every_file_and_progress_per_folder(content: Path) -> None:
    write(content, "alpha", "term: alpha\n")
    write(content, "beta", "term: [\n")
    kind = make_kind([])
    store = ContentStore(content_dir=content, kinds=(kind,))
    progress: list[tuple[int, int]] = []
    problems = [
        str(p) for p in store.problems(on_folder=lambda done, total: progress.append((done, total)))
    ]
    assert problems[0] == "content/alpha/glossary.yaml: glossary: meaning: is required"
    assert problems[1].startswith("content/beta/glossary.yaml: glossary: invalid YAML at line 2")
    assert len(problems) == 2
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_the_cache_is_bounded_and_an_evicted_item_is_parsed_again(content: Path) -> None:
    calls: list[str] = []
    kind = make_kind(calls)
    store = ContentStore(content_dir=content, kinds=(kind,), cache_size=1)
    store.get(kind, "alpha")
    store.get(kind, "beta")
    store.get(kind, "alpha")
    assert calls == ["alpha", "beta", "alpha"]


def test_a_missing_content_folder_is_one_problem(tmp_path: Path) -> None:
    store = ContentStore(content_dir=tmp_path / "nowhere", kinds=(make_kind([]),))
    assert [str(p) for p in store.problems()] == [f"{tmp_path / 'nowhere'}: folder: does not exist"]


def test_yaml_is_parsed_by_libyaml_when_it_is_installed() -> None:
    assert yaml.__with_libyaml__
    assert YAML_LOADER is yaml.CSafeLoader


def test_a_yaml_error_reads_the_same_as_before_libyaml() -> None:
    _, problems = parse_yaml("a: [1, 2\n", file="f.yaml", part="file")
    assert [str(p) for p in problems] == [
        "f.yaml: file: invalid YAML at line 2, column 1: expected ',' or ']', but got '<stream end>'"
    ]


def test_yaml_tags_that_run_code_are_refused() -> None:
    _, problems = parse_yaml("!!python/object/apply:os.system ['true']\n", file="f", part="p")
    assert problems and "invalid YAML" in str(problems[0])
