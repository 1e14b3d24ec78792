"""The Markdown renderer's figures: sized, lazy, captioned when the author gives a title."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from lessons.figures import figure_size
from lessons.rendering import render_markdown
from tutor.retrieval import _units_of_html as units_of_html

REAL_LESSON = Path(__file__).parents[2] / "content" / "writing-postmortems-for-ai-system-incidents"


def served(src: str) -> str | None:
    return f"/static/lessons/demo/{src}" if src.startswith("figures/") else None


def render(source: str, lesson_dir: Path = REAL_LESSON) -> str:
    return render_markdown(
        source,
        id_prefix="demo",
        figure_url=served,
        figure_size=lambda src: figure_size(lesson_dir=lesson_dir, src=src),
    )


def test_a_figure_loads_lazily_at_the_size_its_svg_declares() -> None:
    html = render("![Six slices of cheese](figures/swiss-cheese-layers.svg)")
    assert (
        '<img alt="Six slices of cheese" decoding="async" height="300" loading="lazy" '
        'src="/static/lessons/demo/figures/swiss-cheese-layers.svg" width="720">'
    ) in html


def test_a_titled_figure_becomes_a_figure_with_its_caption_and_keeps_its_alt_text() -> None:
    html = render(
        'Before.\n\n![Six slices of cheese](figures/swiss-cheese-layers.svg "Layers <i>&</i> holes")'
        "\n\nAfter."
    )
    assert '<figure><img alt="Six slices of cheese"' in html
    # The caption is text: markup in a title is shown, never run.
    assert "<figcaption>Layers &lt;i&gt;&amp;&lt;/i&gt; holes</figcaption>\n</figure>" in html
    assert "title=" not in html
    # Paragraphs either side keep their own anchors.
    assert 'id="demo--p1"' in html and 'id="demo--p2"' in html


def test_an_image_inside_a_sentence_stays_inline(tmp_path: Path) -> None:
    html = render('See ![a chart](figures/swiss-cheese-layers.svg "Not a caption") here.')
    assert "<figure>" not in html
    assert 'loading="lazy"' in html


def test_a_png_figure_is_sized_from_its_header(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    header = struct.pack(">IIBBBBB", 640, 360, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    png = (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )
    (tmp_path / "figures" / "chart.png").write_bytes(png)
    assert figure_size(lesson_dir=tmp_path, src="figures/chart.png") == (640, 360)
    html = render("![A chart](figures/chart.png)", lesson_dir=tmp_path)
    assert 'height="360"' in html and 'width="640"' in html


def test_an_svg_with_explicit_width_and_height_uses_them_over_its_viewbox(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "d.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400px" height="200" viewBox="0 0 800 400"/>'
    )
    assert figure_size(lesson_dir=tmp_path, src="figures/d.svg") == (400, 200)
    (tmp_path / "figures" / "e.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert figure_size(lesson_dir=tmp_path, src="figures/e.svg") is None
    assert figure_size(lesson_dir=tmp_path, src="../secret.svg") is None


def test_a_captioned_figure_between_a_lead_in_and_its_list_keeps_the_lead_in_with_the_items() -> (
    None
):
    html = render(
        "Three layers matter:\n\n"
        '![Six slices of cheese](figures/swiss-cheese-layers.svg "The layers")\n\n'
        "- the model;\n- the data.\n"
    )
    units = units_of_html("demo", "Demo", html)
    assert [u.text for u in units] == [
        "Three layers matter: the model;",
        "Three layers matter: the data.",
    ]
