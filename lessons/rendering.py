"""The one Markdown renderer: explicit extensions, sanitised output."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions.toc import slugify as toc_slugify

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
BLOCK_BOUNDARY = re.compile(r"</?(?:p|li|h[1-6]|td|th|tr|br|pre|blockquote|ul|ol|table)\b", re.I)
# An image whose source was dropped (not one of the lesson's figures) is removed entirely.
IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\bsrc=)[^>]*>")
HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {
    **{tag: {"id"} for tag in HEADING_TAGS},
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
    "img": {"src", "alt"},
}
# Paragraphs, list items and table rows get ids ("<section>--p3") so a citation can link to the
# very passage it quotes. Sanitised output has no attributes on these tags to collide with.
ANCHORED_BLOCK = re.compile(r"<(p|li|tr)>")


class _Converter(threading.local):
    """One Markdown converter per thread, reset between uses: building one costs as much as
    rendering a short section, and a lesson renders a dozen."""

    def __init__(self) -> None:
        self.id_prefix = ""
        self.markdown = markdown.Markdown(
            extensions=["tables", "fenced_code", "toc", "attr_list", "sane_lists"],
            # Alignment as an attribute, not inline style: the CSP forbids inline styles.
            extension_configs={
                "tables": {"use_align_attribute": True},
                "toc": {"slugify": self.slugify},
            },
            output_format="html",
        )

    def slugify(self, value: str, separator: str) -> str:
        slug = toc_slugify(value, separator)
        return f"{self.id_prefix}-{slug}" if self.id_prefix else slug


_converter = _Converter()


def render_markdown(
    source: str, *, id_prefix: str = "", figure_url: Callable[[str], str | None] | None = None
) -> str:
    """Render Markdown to sanitised HTML; headings get ids, prefixed to stay unique on a page.

    `figure_url` maps an image's `src` to the URL it is served at; an image it does not know
    (or every image, without it) loses its `src`, so content can only show its own figures.
    """
    converter = _converter
    converter.id_prefix = id_prefix
    try:
        unsafe_html = converter.markdown.reset().convert(source)
    finally:
        converter.markdown.reset()
    clean = nh3.clean(
        unsafe_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_figure_filter(figure_url),
    )
    clean = IMAGE_WITHOUT_SOURCE.sub("", clean)
    return anchor_blocks(clean, prefix=id_prefix) if id_prefix else clean


def anchor_blocks(fragment: str, *, prefix: str) -> str:
    """`fragment` with an id on each paragraph, list item and table row, counted per tag."""
    counts: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        tag = match.group(1)
        counts[tag] = counts.get(tag, 0) + 1
        # Focusable from script only, so following a citation moves focus (and reading) there.
        return f'<{tag} id="{prefix}--{tag}{counts[tag]}" tabindex="-1">'

    return ANCHORED_BLOCK.sub(number, fragment)


def _figure_filter(
    figure_url: Callable[[str], str | None] | None,
) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return figure_url(value) if figure_url is not None else None
        return value

    return keep


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded (for search and quotes)."""
    spaced = BLOCK_BOUNDARY.sub(r" \g<0>", fragment)
    text = nh3.clean(spaced, tags=set())
    return " ".join(html.unescape(text).split())
