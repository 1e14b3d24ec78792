"""Lessons as files: `content/<slug>/lesson.md` (YAML front matter + Markdown body).

Parsed once into frozen pydantic models and cached. A broken file is reported as
`ContentProblem`s naming the file, the part, the field path and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from django.conf import settings
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from lessons.rendering import html_to_text, render_markdown

LESSON_FILE = "lesson.md"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
HEADING_PATTERN = re.compile(r"^##\s+(?P<title>.+?)\s*(?:\{#(?P<id>[^}\s]*)\})?\s*$")
FENCE_PATTERN = re.compile(r"^\s*(```|~~~)")
HTML_ID_PATTERN = re.compile(r'\bid="([^"]+)"')

# Sections the page renders from front matter, in page order around the Markdown body.
SECTIONS_BEFORE_BODY = (
    ("premise", "The premise"),
    ("does-well", "What AI does well here"),
    ("cannot-do", "What AI cannot do"),
)
SECTIONS_AFTER_BODY = (
    ("apply", "Apply it this week"),
    ("key-insights", "Key insights"),
)
# Page parts that are not lesson text but still need their ids free.
PAGE_ANCHORS = ("quiz", "tutor", "related", "main", "toc", "top")
RESERVED_IDS = frozenset(
    [sid for sid, _ in SECTIONS_BEFORE_BODY + SECTIONS_AFTER_BODY] + list(PAGE_ANCHORS)
)


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PydanticCustomError("positive_int", "must be a positive integer")
    return value


PositiveInt = Annotated[int, PlainValidator(_positive_int)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class ContentModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class ChecklistItem(ContentModel):
    id: Slug
    text: Text


class KeyInsight(ContentModel):
    id: Slug
    title: Text
    text: Text


class RelatedLesson(ContentModel):
    slug: Slug
    title: Text
    track: Text
    minutes: PositiveInt
    summary: Text


class LessonFrontMatter(ContentModel):
    title: Text
    slug: Slug
    tagline: Text
    number: PositiveInt
    catalogue_size: PositiveInt
    track: Text
    category: Text
    read_minutes: PositiveInt
    total_minutes: PositiveInt
    reviewed_year: Annotated[int, Field(ge=2000, le=2100)]
    premise: Text
    does_well: Annotated[tuple[Text, ...], Field(min_length=1)]
    cannot_do: Annotated[tuple[Text, ...], Field(min_length=1)]
    checklist: Annotated[tuple[ChecklistItem, ...], Field(min_length=1)]
    key_insights: Annotated[tuple[KeyInsight, ...], Field(min_length=1)]
    related: tuple[RelatedLesson, ...] = ()


class Section(ContentModel):
    """One `##` section of the Markdown body."""

    id: str
    title: str
    html: str
    text: str


class SectionText(ContentModel):
    """Any readable part of the lesson page, as plain text (for search and citations)."""

    id: str
    title: str
    text: str


class Lesson(LessonFrontMatter):
    sections: tuple[Section, ...]

    @property
    def outline(self) -> tuple[tuple[str, str], ...]:
        """(id, title) of every lesson-text section, in page order."""
        return tuple((part.id, part.title) for part in self.readable_sections)

    @property
    def readable_sections(self) -> tuple[SectionText, ...]:
        return _readable_sections(self)

    def has_section(self, section_id: str) -> bool:
        return any(part.id == section_id for part in self.readable_sections)

    def section_title(self, section_id: str) -> str:
        for part in self.readable_sections:
            if part.id == section_id:
                return part.title
        raise KeyError(section_id)


@cache
def _readable_sections(lesson: Lesson) -> tuple[SectionText, ...]:
    titles = dict(SECTIONS_BEFORE_BODY + SECTIONS_AFTER_BODY)
    before = (
        SectionText(id="premise", title=titles["premise"], text=lesson.premise),
        SectionText(id="does-well", title=titles["does-well"], text=" ".join(lesson.does_well)),
        SectionText(id="cannot-do", title=titles["cannot-do"], text=" ".join(lesson.cannot_do)),
    )
    body = tuple(SectionText(id=s.id, title=s.title, text=s.text) for s in lesson.sections)
    after = (
        SectionText(
            id="apply", title=titles["apply"], text=" ".join(i.text for i in lesson.checklist)
        ),
        SectionText(
            id="key-insights",
            title=titles["key-insights"],
            text=" ".join(f"{i.title}. {i.text}" for i in lesson.key_insights),
        ),
    )
    return before + body + after


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with one content file, printed as one line."""

    file: str
    part: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.part}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Catalogue:
    lessons: tuple[Lesson, ...]

    def get(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def has(self, slug: str) -> bool:
        return self.get(slug) is not None


def field_path(location: Iterable[int | str]) -> str:
    """`('related', 1, 'minutes')` -> `related[1].minutes`."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


FRIENDLY_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must be lowercase words joined by hyphens (like 'my-id')",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
}


def describe_validation_error(
    error: ValidationError, *, file: str, part: str
) -> list[ContentProblem]:
    """Turn pydantic's errors into one friendly problem per field."""
    problems = []
    for detail in error.errors(include_url=False):
        message = FRIENDLY_MESSAGES.get(detail["type"], detail["msg"])
        if detail["type"] == "too_short" and "min_length" in detail.get("ctx", {}):
            count = detail["ctx"]["min_length"]
            message = f"must have at least {count} item{'s' if count != 1 else ''}"
        problems.append(
            ContentProblem(
                file=file, part=part, field=field_path(detail["loc"]) or "(top)", message=message
            )
        )
    return problems


def duplicate_id_problems(
    ids: Sequence[str], *, file: str, part: str, list_name: str, key: str = "id"
) -> list[ContentProblem]:
    """One problem for each id that repeats an earlier one in the same list."""
    first_seen: dict[str, int] = {}
    problems = []
    for index, value in enumerate(ids):
        if value in first_seen:
            problems.append(
                ContentProblem(
                    file=file,
                    part=part,
                    field=f"{list_name}[{index}].{key}",
                    message=f"duplicate {key} '{value}' (first used at {list_name}"
                    f"[{first_seen[value]}])",
                )
            )
        else:
            first_seen[value] = index
    return problems


def display_path(path: Path, content_dir: Path) -> str:
    try:
        return str(path.relative_to(content_dir.parent))
    except ValueError:
        return str(path)


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Split `---` fenced YAML front matter from the body; None when there is none."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    return None


def parse_yaml(text: str, *, file: str, part: str) -> tuple[Any, list[ContentProblem]]:
    """Parse YAML, reporting a syntax error with its line number."""
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [
            ContentProblem(file=file, part=part, message=f"invalid YAML{where}: {reason}")
        ]


def read_yaml_file(path: Path, *, file: str, part: str) -> tuple[Any, list[ContentProblem]]:
    """Read a UTF-8 YAML content file; an unreadable file or bad YAML is a problem, not a crash."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(file=file, part=part, message=f"cannot be read: {exc}")]
    return parse_yaml(text, file=file, part=part)


@dataclass(frozen=True)
class RawSection:
    id: str
    title: str
    markdown: str
    line: int


def split_body_sections(body: str, *, file: str) -> tuple[list[RawSection], list[ContentProblem]]:
    """Split the body at each `## Title {#id}` heading (ignoring fenced code)."""
    problems: list[ContentProblem] = []
    sections: list[RawSection] = []
    preamble: list[str] = []
    current: dict[str, Any] | None = None
    current_lines: list[str] = []
    in_fence = False
    for number, line in enumerate(body.splitlines(), start=1):
        if FENCE_PATTERN.match(line):
            in_fence = not in_fence
        heading = None if in_fence else HEADING_PATTERN.match(line)
        if heading:
            if current:
                sections.append(RawSection(**current, markdown="\n".join(current_lines)))
            section_id = heading["id"] or ""
            if not re.fullmatch(SLUG_PATTERN, section_id):
                problems.append(
                    ContentProblem(
                        file=file,
                        part="body",
                        field=f"line {number}",
                        message=f"heading '{heading['title']}' needs an explicit id "
                        "like {#lowercase-id}",
                    )
                )
            current = {"id": section_id, "title": heading["title"], "line": number}
            current_lines = []
        elif current is None:
            preamble.append(line)
        else:
            current_lines.append(line)
    if current:
        sections.append(RawSection(**current, markdown="\n".join(current_lines)))

    if not body.strip():
        problems.append(ContentProblem(file=file, part="body", message="is empty"))
        return sections, problems
    if "".join(preamble).strip():
        problems.append(
            ContentProblem(
                file=file,
                part="body",
                field="line 1",
                message="text before the first '## ' heading; every part of the body "
                "belongs to a section",
            )
        )
    for section in sections:
        if not section.markdown.strip():
            problems.append(
                ContentProblem(
                    file=file,
                    part="body",
                    field=f"line {section.line}",
                    message=f"section '{section.id or section.title}' has no text",
                )
            )
    return sections, problems


def load_lesson(path: Path, *, content_dir: Path) -> tuple[Lesson | None, list[ContentProblem]]:
    """Load one lesson file; returns the lesson only when there is no problem at all."""
    from lessons.figures import figure_url  # lessons.figures imports this module

    file = display_path(path, content_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(file=file, part="file", message=f"cannot be read: {exc}")]

    parts = split_front_matter(text)
    if parts is None:
        message = "missing: the file must start with '---', YAML, then '---'"
        return None, [ContentProblem(file=file, part="front matter", message=message)]
    front_text, body = parts

    data, problems = parse_yaml(front_text, file=file, part="front matter")
    if problems:
        return None, problems
    if not isinstance(data, dict):
        message = "must be a mapping of keys to values"
        return None, [ContentProblem(file=file, part="front matter", message=message)]

    try:
        front = LessonFrontMatter.model_validate(data)
    except ValidationError as exc:
        problems.extend(describe_validation_error(exc, file=file, part="front matter"))
        front = None

    if front is not None:
        problems.extend(_front_matter_consistency(front, file=file, folder=path.parent.name))

    raw_sections, body_problems = split_body_sections(body, file=file)
    problems.extend(body_problems)
    sections = [
        Section(
            id=raw.id,
            title=raw.title,
            html=(
                html := render_markdown(
                    raw.markdown,
                    id_prefix=raw.id,
                    figure_url=lambda src: figure_url(slug=path.parent.name, src=src),
                )
            ),
            text=html_to_text(html),
        )
        for raw in raw_sections
    ]
    problems.extend(_page_id_problems(front, sections, file=file))

    if problems or front is None:
        return None, problems
    return Lesson(**front.model_dump(), sections=tuple(sections)), []


def _front_matter_consistency(
    front: LessonFrontMatter, *, file: str, folder: str
) -> list[ContentProblem]:
    part = "front matter"
    problems = []
    if front.slug != folder:
        problems.append(
            ContentProblem(
                file=file,
                part=part,
                field="slug",
                message=f"'{front.slug}' must match its folder name '{folder}'",
            )
        )
    if front.number > front.catalogue_size:
        problems.append(
            ContentProblem(
                file=file,
                part=part,
                field="number",
                message=f"{front.number} is larger than catalogue_size {front.catalogue_size}",
            )
        )
    if front.read_minutes > front.total_minutes:
        problems.append(
            ContentProblem(
                file=file,
                part=part,
                field="read_minutes",
                message=f"{front.read_minutes} is longer than total_minutes {front.total_minutes}",
            )
        )
    problems += duplicate_id_problems(
        [item.id for item in front.checklist], file=file, part=part, list_name="checklist"
    )
    problems += duplicate_id_problems(
        [item.id for item in front.key_insights], file=file, part=part, list_name="key_insights"
    )
    problems += duplicate_id_problems(
        [item.slug for item in front.related],
        file=file,
        part=part,
        list_name="related",
        key="slug",
    )
    return problems


def _page_id_problems(
    front: LessonFrontMatter | None, sections: Sequence[Section], *, file: str
) -> list[ContentProblem]:
    """Every anchor on the page (sections, headings, checklist items) must be unique."""
    problems = []
    seen: set[str] = set()
    for section in sections:
        if not section.id:
            continue
        if section.id in RESERVED_IDS:
            problems.append(
                ContentProblem(
                    file=file,
                    part="body",
                    field=f"section '{section.id}'",
                    message="this id is used by the page itself; choose another",
                )
            )
        repeated = section.id in seen
        for anchor in [section.id, *HTML_ID_PATTERN.findall(section.html)]:
            if repeated and anchor.startswith(f"{section.id}--"):
                continue  # a passage id made from a repeated section id: that one is reported
            if anchor in seen:
                problems.append(
                    ContentProblem(
                        file=file,
                        part="body",
                        field=f"section '{section.id}'",
                        message=f"duplicate id '{anchor}'",
                    )
                )
            seen.add(anchor)
    return problems


def find_lesson_files(content_dir: Path) -> list[Path]:
    return sorted(path / LESSON_FILE for path in content_dir.iterdir() if path.is_dir())


def load_catalogue_with_problems(content_dir: Path) -> tuple[Catalogue, list[ContentProblem]]:
    """Load every lesson under `content_dir`; collect every problem rather than stop at one."""
    if not content_dir.is_dir():
        problem = ContentProblem(file=str(content_dir), part="folder", message="does not exist")
        return Catalogue(lessons=()), [problem]
    lessons: list[Lesson] = []
    problems: list[ContentProblem] = []
    for path in find_lesson_files(content_dir):
        if not path.is_file():
            problems.append(
                ContentProblem(
                    file=display_path(path, content_dir), part="file", message="is missing"
                )
            )
            continue
        lesson, lesson_problems = load_lesson(path, content_dir=content_dir)
        problems.extend(lesson_problems)
        if lesson is not None:
            lessons.append(lesson)
    lessons.sort(key=lambda lesson: lesson.number)
    return Catalogue(lessons=tuple(lessons)), problems


@cache
def load_catalogue(content_dir: Path) -> Catalogue:
    """The whole catalogue, or ContentError naming every problem. Never half-loaded."""
    catalogue, problems = load_catalogue_with_problems(content_dir)
    if problems:
        raise ContentError(problems)
    return catalogue


def get_catalogue() -> Catalogue:
    """The cached catalogue for the configured CONTENT_DIR."""
    return load_catalogue(Path(settings.CONTENT_DIR))


def get_lesson(slug: str) -> Lesson | None:
    return get_catalogue().get(slug)
