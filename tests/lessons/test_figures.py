"""Lesson figures: shown with alt text, served as hashed, compressed static files, and checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import LESSON_SLUG

REAL = Path(__file__).parents[2] / "content"
FIGURES = ("swiss-cheese-layers.svg", "timeline-apart-from-analysis.svg")
FILE = f"content/{LESSON_SLUG}/lesson.md"


@pytest.mark.django_db
def test_the_lesson_page_shows_both_figures_with_alt_text(client: Client) -> None:
    html = client.get(f"/lessons/{LESSON_SLUG}/").content.decode()
    for name in FIGURES:
        stem = name.removesuffix(".svg")
        assert f'src="/static/lessons/{LESSON_SLUG}/figures/{stem}' in html, name
    assert html.count("<img alt=") == 2
    assert 'alt=""' not in html


def test_figures_are_found_as_static_files_under_the_lesson() -> None:
    for name in FIGURES:
        found = finders.find(f"lessons/{LESSON_SLUG}/figures/{name}")
        assert found and Path(str(found)) == REAL / LESSON_SLUG / "figures" / name
    assert not finders.find(f"lessons/{LESSON_SLUG}/lesson.md")
    assert not finders.find(f"lessons/{LESSON_SLUG}/../quiz.yaml")


def test_collectstatic_gives_figures_hashed_and_compressed_names(
    tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    folder = tmp_path / "static" / "lessons" / LESSON_SLUG / "figures"
    hashed = sorted(p.name for p in folder.glob("swiss-cheese-layers.*.svg"))
    assert len(hashed) == 1
    assert (folder / f"{hashed[0]}.gz").is_file()
    # Pages only ever name the hashed copy; each server worker reads every file kept here.
    assert not (folder / "swiss-cheese-layers.svg").exists()


def test_each_figure_is_an_accessible_svg() -> None:
    for name in FIGURES:
        text = (REAL / LESSON_SLUG / "figures" / name).read_text()
        assert 'role="img"' in text and "<title" in text and "<desc" in text, name
        # Its own light panel keeps it readable on the dark theme's background.
        assert 'rx="14" fill="#f' in text, name


@pytest.fixture
def lesson_copy(content_copy: Path) -> Path:
    return content_copy / LESSON_SLUG


def problems(capsys: pytest.CaptureFixture[str]) -> list[str]:
    with pytest.raises(CommandError):
        call_command("check_content")
    return capsys.readouterr().err.strip().splitlines()


def test_a_missing_figure_and_missing_alt_text_are_reported(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = lesson_copy / "lesson.md"
    text = lesson.read_text().replace("figures/swiss-cheese-layers.svg", "figures/gone.svg")
    text = text.replace(
        "![Two panels: on the left",
        "![](figures/timeline-apart-from-analysis.svg)\n\n![Two panels: on the left",
        1,
    )
    lesson.write_text(text)
    assert problems(capsys) == [
        f"{FILE}: body: section 'timeline-and-analysis': figure "
        "'figures/timeline-apart-from-analysis.svg': needs alt text: ![what it shows](…)",
        f"{FILE}: body: section 'contributing-factors': figure 'figures/gone.svg': "
        "file does not exist",
    ]


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("<title", "<script>alert(1)</script><title", "<script>: is not allowed"),
        (
            'role="img"',
            'role="img" onload="steal()"',
            "<svg> onload: event handlers are not allowed",
        ),
        (
            "<title",
            '<image href="https://example.com/x.png"/><title',
            "<image> href: external reference 'https://example.com/x.png' is not allowed",
        ),
        (
            'fill="#f2c94c"',
            'fill="url(https://example.com/p.svg#a)"',
            "url() may only point inside",
        ),
        (
            "<title",
            "<style>@import 'https://example.com/a.css';</style><title",
            "<style>: may not load outside content",
        ),
        (
            "<title",
            '<set attributeName="href" to="javascript:alert(1)"/><title',
            "<set> attributeName: may not animate 'href' (links and event handlers)",
        ),
        (
            "<title",
            '<animate attributeName="xlink:href" values="#a;#b"/><title',
            "<animate> attributeName: may not animate 'xlink:href'",
        ),
        (
            "<title",
            '<animate attributeName="onclick" to="steal()"/><title',
            "<animate> attributeName: may not animate 'onclick'",
        ),
        ('role="img"', "", '<svg>: needs role="img" and a <title> and <desc>'),
    ],
)
def test_an_unsafe_svg_is_reported_naming_the_file_and_the_element(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str], replace: str, by: str, expected: str
) -> None:
    svg = lesson_copy / "figures" / "swiss-cheese-layers.svg"
    svg.write_text(svg.read_text().replace(replace, by, 1))
    (line,) = problems(capsys)
    assert line.startswith(f"content/{LESSON_SLUG}/figures/swiss-cheese-layers.svg: svg: ")
    assert expected in line


def _svg_lines(lesson_copy: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[str]:
    (lesson_copy / "figures" / "swiss-cheese-layers.svg").write_text(text)
    return problems(capsys)


SVG_FILE = f"content/{LESSON_SLUG}/figures/swiss-cheese-layers.svg"


def test_an_svg_without_a_title_or_a_description_is_reported(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (lesson_copy / "figures" / "swiss-cheese-layers.svg").read_text()
    start, end = text.index("<desc"), text.index("</desc>") + len("</desc>")
    assert _svg_lines(lesson_copy, capsys, text[:start] + text[end:]) == [
        f'{SVG_FILE}: svg: <svg>: needs role="img" and a <title> and <desc> for screen readers'
    ]


def test_an_empty_title_or_description_is_reported(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (lesson_copy / "figures" / "swiss-cheese-layers.svg").read_text()
    start = text.index(">", text.index("<title")) + 1
    emptied = text[:start] + "  " + text[text.index("</title>") :]
    assert _svg_lines(lesson_copy, capsys, emptied) == [
        f"{SVG_FILE}: svg: <title>: is empty; say what the figure shows"
    ]


def test_an_svg_declaring_entities_is_refused_without_expanding_them(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (lesson_copy / "figures" / "swiss-cheese-layers.svg").read_text()
    doctype = '<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
    if text.startswith("<?xml"):
        head, _, rest = text.partition("?>")
        text = head + "?>\n" + doctype + rest.lstrip()
    else:
        text = doctype + text
    assert _svg_lines(lesson_copy, capsys, text) == [f"{SVG_FILE}: svg: must not declare entities"]


def test_a_file_that_is_not_valid_svg_is_reported(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (line,) = _svg_lines(lesson_copy, capsys, "<svg xmlns='http://www.w3.org/2000/svg'><g></svg>")
    assert line.startswith(f"{SVG_FILE}: svg: is not valid SVG: mismatched tag")


@pytest.mark.parametrize("src", ["../other-lesson/figures/x.svg", "images/x.svg", "figures/x.gif"])
def test_a_figure_outside_the_lessons_figures_folder_is_reported(
    lesson_copy: Path, capsys: pytest.CaptureFixture[str], src: str
) -> None:
    lesson = lesson_copy / "lesson.md"
    lesson.write_text(lesson.read_text().replace("figures/swiss-cheese-layers.svg", src, 1))
    assert problems(capsys) == [
        f"{FILE}: body: section 'contributing-factors': figure '{src}': "
        "must be a .svg or .png file in this lesson's figures/ folder"
    ]
