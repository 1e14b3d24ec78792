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
