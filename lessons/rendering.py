"""The one Markdown renderer: explicit extensions, sanitised output."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions.toc import slugify as toc_slugify
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "figcaption", "figure", "h2", "h3",
    "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
BLOCK_BOUNDARY = re.compile(
    r"</?(?:p|li|h[1-6]|td|th|tr|br|pre|blockquote|ul|ol|table|figure|figcaption)\b", re.I
)
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
    # The size reserves the figure's space before it loads; lazy loading keeps figures further
    # down the page out of the first visit's requests.
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
}
# Paragraphs, list items and table rows get ids ("<section>--p3") so a citation can link to the
# very passage it quotes. Sanitised output has no attributes on these tags to collide with.
ANCHORED_BLOCK = re.compile(r"<(p|li|tr)>")

FigureSize = Callable[[str], tuple[int, int] | None]
FigureUrl = Callable[[str], str | None]


class _Figures(Treeprocessor):
    """Images load lazily at their own size; an image alone in its paragraph with a title
    (`![alt](figures/x.svg "Caption")`) becomes a <figure> with that title as its caption."""

    def __init__(self, md: markdown.Markdown, converter: _Converter) -> None:
        super().__init__(md)
        self.converter = converter

    def run(self, root: ElementTree.Element) -> None:
        for image in root.iter("img"):
            image.set("loading", "lazy")
            image.set("decoding", "async")
            size = self.converter.figure_size(image.get("src", ""))
            if size is not None:
                image.set("width", str(size[0]))
                image.set("height", str(size[1]))
        for paragraph in root.iter("p"):
            [*children] = paragraph
            if (
                len(children) == 1
                and children[0].tag == "img"
                and children[0].get("title", "").strip()
                and not (paragraph.text or "").strip()
                and not (children[0].tail or "").strip()
            ):
                image = children[0]
                paragraph.tag = "figure"
                caption = ElementTree.SubElement(paragraph, "figcaption")
                caption.text = image.attrib.pop("title").strip()
                image.tail = None


class _Converter(threading.local):
    """One Markdown converter and one pair of sanitisers per thread, reset between uses:
    building a converter costs as much as rendering a short section, and a lesson renders a
    dozen; a sanitiser built once skips converting its allowed tags and attributes on every call
    (a third of sanitising a section)."""

    def __init__(self) -> None:
        self.id_prefix = ""
        self.figure_size: FigureSize = _no_size
        self.figure_url: FigureUrl | None = None
        self.markdown = markdown.Markdown(
            extensions=["tables", "fenced_code", "toc", "attr_list", "sane_lists"],
            # Alignment as an attribute, not inline style: the CSP forbids inline styles.
            extension_configs={
                "tables": {"use_align_attribute": True},
                "toc": {"slugify": self.slugify},
            },
            output_format="html",
        )
        # After the inline patterns (priority 20) have made the <img> elements.
        self.markdown.treeprocessors.register(_Figures(self.markdown, self), "figures", 15)
        self.sanitiser = nh3.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
            attribute_filter=self.keep_attribute,
        )
        self.text_only = nh3.Cleaner(tags=set())

    def slugify(self, value: str, separator: str) -> str:
        slug = toc_slugify(value, separator)
        return f"{self.id_prefix}-{slug}" if self.id_prefix else slug

    def keep_attribute(self, tag: str, attribute: str, value: str) -> str | None:
        """An image keeps its `src` only as the URL of one of the lesson's own figures."""
        if tag == "img" and attribute == "src":
            return self.figure_url(value) if self.figure_url is not None else None
        return value


def _no_size(src: str) -> tuple[int, int] | None:
    return None


_converter = _Converter()


def render_markdown(
    source: str,
    *,
    id_prefix: str = "",
    figure_url: FigureUrl | None = None,
    figure_size: FigureSize | None = None,
) -> str:
    """Render Markdown to sanitised HTML; headings get ids, prefixed to stay unique on a page.

    `figure_url` maps an image's `src` to the URL it is served at; an image it does not know
    (or every image, without it) loses its `src`, so content can only show its own figures.
    `figure_size` gives an image's intrinsic width and height, so its space is kept while it loads.
    """
    converter = _converter
    converter.id_prefix = id_prefix
    converter.figure_size = figure_size or _no_size
    converter.figure_url = figure_url
    try:
        unsafe_html = converter.markdown.reset().convert(source)
        clean = converter.sanitiser.clean(unsafe_html)
    finally:
        converter.markdown.reset()
        converter.figure_size = _no_size
        converter.figure_url = None
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


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded (for search and quotes)."""
    spaced = BLOCK_BOUNDARY.sub(r" \g<0>", fragment)
    text = _converter.text_only.clean(spaced)
    return " ".join(html.unescape(text).split())
