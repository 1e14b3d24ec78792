"""The one Markdown renderer: explicit extensions, sanitised output."""

from __future__ import annotations

import html
import re
import threading

import markdown
import nh3
from markdown.extensions.toc import slugify as toc_slugify

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
BLOCK_BOUNDARY = re.compile(r"</?(?:p|li|h[1-6]|td|th|tr|br|pre|blockquote|ul|ol|table)\b", re.I)
HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {
    **{tag: {"id"} for tag in HEADING_TAGS},
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}


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


def render_markdown(source: str, *, id_prefix: str = "") -> str:
    """Render Markdown to sanitised HTML; headings get ids, prefixed to stay unique on a page."""
    converter = _converter
    converter.id_prefix = id_prefix
    try:
        unsafe_html = converter.markdown.reset().convert(source)
    finally:
        converter.markdown.reset()
    return nh3.clean(
        unsafe_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded (for search and quotes)."""
    spaced = BLOCK_BOUNDARY.sub(r" \g<0>", fragment)
    text = nh3.clean(spaced, tags=set())
    return " ".join(html.unescape(text).split())
