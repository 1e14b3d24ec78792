"""Lesson figures: `content/<slug>/figures/*.svg|png`, referenced as `![alt](figures/x.svg)`.

They are served as static files (a finder exposes them under `lessons/<slug>/figures/`), so
`collectstatic` gives them hashed names and WhiteNoise compresses them. The content check
reports a figure that is missing, has no alt text, or is an SVG that could run script or load
anything from elsewhere.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import FileSystemStorage

from content_registry import ContentProblem

FIGURES_DIR = "figures"
FIGURE_SUFFIXES = frozenset({".svg", ".png"})
STATIC_PREFIX = "lessons"
# `![alt](figures/name.svg)` or `![alt](figures/name.svg "title")`, outside code.
IMAGE_PATTERN = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
FIGURE_NAME_PATTERN = re.compile(r"^figures/[A-Za-z0-9][A-Za-z0-9._-]*\.(?:svg|png)$")
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Elements that can run script, embed other documents or pull in outside content.
UNSAFE_SVG_ELEMENTS = frozenset(
    {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
)
EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)
# Animation elements set another attribute by name: `<set attributeName="href" to="javascript:…">`
# would smuggle in what the href and event-handler checks keep out.
ANIMATION_ELEMENTS = frozenset({"animate", "set", "animateMotion", "animateTransform"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")


def figure_static_path(*, slug: str, src: str) -> str:
    """`figures/x.svg` of lesson `slug` -> its static path `lessons/<slug>/figures/x.svg`."""
    return f"{STATIC_PREFIX}/{slug}/{src}"


def figure_url(*, slug: str, src: str) -> str | None:
    """The served (hashed, once collected) URL of a lesson figure; None for anything else."""
    if not FIGURE_NAME_PATTERN.match(src):
        return None
    path = figure_static_path(slug=slug, src=src)
    try:
        return staticfiles_storage.url(path)
    except ValueError:  # not collected yet (the content check reports a missing file)
        return f"{settings.STATIC_URL}{path}"


def figure_size(*, lesson_dir: Path, src: str) -> tuple[int, int] | None:
    """The intrinsic width and height of a lesson figure (an SVG's width/height or viewBox, a
    PNG's header), so the page keeps its space before it loads; None when it cannot tell."""
    if not FIGURE_NAME_PATTERN.match(src):
        return None
    path = lesson_dir / src
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if path.suffix == ".png":
        # The IHDR chunk comes first: its width and height are big-endian 32-bit integers.
        if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return (width, height) if width and height else None
    try:
        root = SafeElementTree.fromstring(data)
    except (DefusedXmlException, ElementTree.ParseError):
        return None
    lengths = [SVG_LENGTH.match(root.get(name, "")) for name in ("width", "height")]
    if lengths[0] and lengths[1]:
        width, height = (round(float(found[1])) for found in lengths if found)
    else:
        box = root.get("viewBox", "").replace(",", " ").split()
        try:
            width, height = round(float(box[2])), round(float(box[3]))
        except (IndexError, ValueError):
            return None
    return (width, height) if width > 0 and height > 0 else None


def figure_problems(
    *, markdown: str, lesson_dir: Path, file: str, part: str
) -> list[ContentProblem]:
    """Each figure reference in one section's Markdown: a real file, alt text, a safe SVG."""
    problems = []
    for match in IMAGE_PATTERN.finditer(markdown):
        src, alt = match["src"], match["alt"].strip()
        field = f"figure '{src}'"
        if not FIGURE_NAME_PATTERN.match(src):
            problems.append(
                ContentProblem(
                    file=file,
                    part=part,
                    field=field,
                    message="must be a .svg or .png file in this lesson's figures/ folder",
                )
            )
            continue
        if not alt:
            problems.append(
                ContentProblem(
                    file=file, part=part, field=field, message="needs alt text: ![what it shows](…)"
                )
            )
        path = lesson_dir / src
        if not path.is_file():
            problems.append(
                ContentProblem(file=file, part=part, field=field, message="file does not exist")
            )
        elif path.suffix == ".svg":
            figure_file = f"{Path(file).parent}/{src}"
            problems.extend(svg_problems(path, file=figure_file))
    return problems


def svg_problems(path: Path, *, file: str) -> list[ContentProblem]:
    """An SVG must run no script, handle no events and reference nothing outside itself, and
    tell a screen reader what it shows (role="img", a non-empty <title> and <desc>)."""
    try:
        # defusedxml refuses entity declarations and external references (billion laughs,
        # XXE) instead of expanding them while we check the file.
        root = SafeElementTree.fromstring(path.read_bytes())
    except DefusedXmlException:
        return [ContentProblem(file=file, part="svg", message="must not declare entities")]
    except (OSError, ElementTree.ParseError) as exc:
        return [ContentProblem(file=file, part="svg", message=f"is not valid SVG: {exc}")]
    problems = []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        if tag in UNSAFE_SVG_ELEMENTS:
            problems.append(
                ContentProblem(file=file, part="svg", field=f"<{tag}>", message="is not allowed")
            )
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                problems.append(
                    ContentProblem(
                        file=file,
                        part="svg",
                        field=f"<{tag}> {local}",
                        message="event handlers are not allowed",
                    )
                )
            elif (local == "href" or name == XLINK_HREF) and not value.startswith("#"):
                problems.append(
                    ContentProblem(
                        file=file,
                        part="svg",
                        field=f"<{tag}> {local}",
                        message=f"external reference '{value}' is not allowed",
                    )
                )
            elif EXTERNAL_URL.search(value):
                problems.append(
                    ContentProblem(
                        file=file,
                        part="svg",
                        field=f"<{tag}> {local}",
                        message="url() may only point inside the file (#id)",
                    )
                )
        if tag in ANIMATION_ELEMENTS:
            target = (element.get("attributeName") or "").strip().lower()
            if target in ("href", "xlink:href") or target.startswith("on"):
                problems.append(
                    ContentProblem(
                        file=file,
                        part="svg",
                        field=f"<{tag}> attributeName",
                        message=f"may not animate '{target}' (links and event handlers)",
                    )
                )
        if tag in ("title", "desc") and not "".join(element.itertext()).strip():
            problems.append(
                ContentProblem(
                    file=file,
                    part="svg",
                    field=f"<{tag}>",
                    message="is empty; say what the figure shows",
                )
            )
        if (
            tag == "style"
            and (element.text or "")
            and ("@import" in (element.text or "") or EXTERNAL_URL.search(element.text or ""))
        ):
            problems.append(
                ContentProblem(
                    file=file, part="svg", field="<style>", message="may not load outside content"
                )
            )
    if (
        root.get("role") != "img"
        or root.find(f"{SVG_NS}title") is None
        or root.find(f"{SVG_NS}desc") is None
    ):
        problems.append(
            ContentProblem(
                file=file,
                part="svg",
                field="<svg>",
                message='needs role="img" and a <title> and <desc> for screen readers',
            )
        )
    return problems


class LessonFigureFinder(BaseFinder):
    """Finds `content/<slug>/figures/*` as static files named `lessons/<slug>/figures/*`."""

    def _storage(self) -> FileSystemStorage:
        storage = FileSystemStorage(location=str(settings.CONTENT_DIR))
        storage.prefix = STATIC_PREFIX  # type: ignore[attr-defined]
        return storage

    def _figures(self) -> Iterator[Path]:
        content_dir = Path(settings.CONTENT_DIR)
        if not content_dir.is_dir():
            return
        for path in sorted(content_dir.glob(f"*/{FIGURES_DIR}/*")):
            if path.is_file() and path.suffix in FIGURE_SUFFIXES:
                yield path

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    # Django's stubs declare find() with overloads on find_all; one body serves both.
    def find(  # type: ignore[override]
        self, path: str, find_all: bool = False, **kwargs: Any
    ) -> str | list[str]:
        prefix = f"{STATIC_PREFIX}/"
        found: list[str] = []
        if path.startswith(prefix):
            parts = path.removeprefix(prefix).split("/")
            if len(parts) == 3 and parts[1] == FIGURES_DIR and ".." not in parts:
                candidate = Path(settings.CONTENT_DIR) / parts[0] / FIGURES_DIR / parts[2]
                if candidate.is_file() and candidate.suffix in FIGURE_SUFFIXES:
                    found.append(str(candidate))
        if find_all or kwargs.get("all"):
            return found
        return found[0] if found else []

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        storage = self._storage()
        content_dir = Path(settings.CONTENT_DIR)
        for path in self._figures():
            yield str(path.relative_to(content_dir)), storage
