"""Lessons as files: `content/<slug>/lesson.md` (YAML front matter + Markdown body).

The lesson kind of the content registry: its front matter is read for every lesson when the
store is built (the catalogue needs nothing more); the body is rendered on a lesson's first use.
A broken file is reported as `ContentProblem`s naming the file, the part, the field path and
what is wrong.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from django.db import DatabaseError
from pydantic import Field, ValidationError

from content_registry import (
    DEFAULT_CACHE_SIZE,
    SLUG_PATTERN,
    ContentError,
    ContentKind,
    ContentModel,
    ContentProblem,
    ContentSource,
    ContentStore,
    PositiveInt,
    Slug,
    Text,
    describe_validation_error,
    display_path,
    duplicate_id_problems,
    errors_only,
    get_store,
    parse_yaml,
    register_kind,
    split_front_matter,
)
from lessons import rendering
from lessons.rendering import html_to_text, render_markdown

# Where one block of a rendered lesson ends and the next begins: code that reads a lesson's
# HTML as text (the tutor's passages) separates blocks here, as the lesson's own text does.
BLOCK_BOUNDARY = rendering.BLOCK_BOUNDARY

logger = logging.getLogger(__name__)

LESSON_FILE = "lesson.md"
HEADING_PATTERN = re.compile(r"^##\s+(?P<title>.+?)\s*(?:\{#(?P<id>[^}\s]*)\})?\s*$")
FENCE_PATTERN = re.compile(r"^\s*(```|~~~)")
HTML_ID_PATTERN = re.compile(r'\bid="([^"]+)"')
# A table header cell with no text: screen readers announce headers with each cell, so an
# empty one leaves a column unnamed (axe: empty-table-header).
EMPTY_HEADER = re.compile(r"<th\b[^>]*>\s*</th>")

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


class LessonListing(ContentModel):
    """What the catalogue needs of a lesson: what its card shows and its outline, nothing rendered.

    Every worker keeps one for every lesson, so it holds no more than that (the whole front
    matter, validated as it is read, was three quarters of the catalogue's memory).
    """

    title: str
    slug: str
    tagline: str
    number: int
    catalogue_size: int
    track: str
    category: str
    read_minutes: int
    total_minutes: int
    body_outline: tuple[tuple[str, str], ...]

    @property
    def outline(self) -> tuple[tuple[str, str], ...]:
        """(id, title) of every lesson-text section, in page order (as `Lesson.outline`)."""
        return SECTIONS_BEFORE_BODY + self.body_outline + SECTIONS_AFTER_BODY


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


# A lesson as the catalogue lists it: its listing, or the whole lesson where one is at hand.
Listed = LessonListing | Lesson
LISTING_FIELDS = frozenset(LessonListing.model_fields) - {"body_outline"}


@lru_cache(maxsize=DEFAULT_CACHE_SIZE)
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


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Every lesson's listing in catalogue order; a whole lesson by slug, parsed on first use."""

    lessons: tuple[Listed, ...]
    load: Callable[[str], Lesson | None]
    by_slug: Mapping[str, Listed] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_slug", {lesson.slug: lesson for lesson in self.lessons})

    def get(self, slug: str) -> Lesson | None:
        """The whole lesson (sections rendered); None when there is none with that slug."""
        return self.load(slug) if slug in self.by_slug else None

    def has(self, slug: str) -> bool:
        return slug in self.by_slug

    def whole_lessons(self) -> Iterator[Lesson]:
        """Every lesson in full, in catalogue order, parsed one at a time as it is needed."""
        for listed in self.lessons:
            lesson = self.get(listed.slug)
            if lesson is not None:
                yield lesson


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


def _read_front_matter(
    path: Path, *, content_dir: Path
) -> tuple[LessonFrontMatter | None, str | None, list[ContentProblem]]:
    """The validated front matter and the body text (None when the body cannot be found)."""
    file = display_path(path, content_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return (
            None,
            None,
            [ContentProblem(file=file, part="file", message=f"cannot be read: {exc}")],
        )

    parts = split_front_matter(text)
    if parts is None:
        message = "missing: the file must start with '---', YAML, then '---'"
        return None, None, [ContentProblem(file=file, part="front matter", message=message)]
    front_text, body = parts

    data, problems = parse_yaml(front_text, file=file, part="front matter")
    if problems:
        return None, None, problems
    if not isinstance(data, dict):
        message = "must be a mapping of keys to values"
        return None, None, [ContentProblem(file=file, part="front matter", message=message)]

    try:
        front = LessonFrontMatter.model_validate(data)
    except ValidationError as exc:
        return None, body, describe_validation_error(exc, file=file, part="front matter")
    return front, body, _front_matter_consistency(front, file=file, folder=path.parent.name)


def load_listing(
    path: Path, *, content_dir: Path
) -> tuple[LessonListing | None, list[ContentProblem]]:
    """The front matter and the body's section headings; no Markdown is rendered."""
    front, body, problems = _read_front_matter(path, content_dir=content_dir)
    if problems or front is None or body is None:
        return None, problems
    sections, _ = split_body_sections(body, file=display_path(path, content_dir))
    outline = tuple((section.id, section.title) for section in sections)
    shown = front.model_dump(include=set(LISTING_FIELDS))
    return LessonListing(**shown, body_outline=outline), []


def load_lesson(path: Path, *, content_dir: Path) -> tuple[Lesson | None, list[ContentProblem]]:
    """Load one lesson file; returns the lesson only when there is no problem at all."""
    from lessons.figures import (  # lessons.figures imports this module
        figure_problems,
        figure_size,
        figure_url,
    )

    file = display_path(path, content_dir)
    front, body, problems = _read_front_matter(path, content_dir=content_dir)
    if body is None:
        return None, problems

    raw_sections, body_problems = split_body_sections(body, file=file)
    problems.extend(body_problems)
    for raw in raw_sections:
        # Every figure a section shows exists, has alt text and (an SVG) is safe to serve.
        problems += figure_problems(
            markdown=raw.markdown,
            lesson_dir=path.parent,
            file=file,
            part=f"body: section '{raw.id}'",
        )
    sections = [
        Section(
            id=raw.id,
            title=raw.title,
            html=(
                html := render_markdown(
                    raw.markdown,
                    id_prefix=raw.id,
                    figure_url=lambda src: figure_url(slug=path.parent.name, src=src),
                    figure_size=lambda src: figure_size(lesson_dir=path.parent, src=src),
                )
            ),
            text=html_to_text(html),
        )
        for raw in raw_sections
    ]
    problems.extend(_page_id_problems(front, sections, file=file))
    problems.extend(
        ContentProblem(
            file=file,
            part="body",
            field=f"section '{section.id}'",
            message="a table has a column with an empty header; name the column "
            "(screen readers read each cell with its header)",
        )
        for section in sections
        if EMPTY_HEADER.search(section.html)
    )

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


def related_card_problems(
    related: Sequence[RelatedLesson], *, lessons: Mapping[str, LessonListing], file: str
) -> list[ContentProblem]:
    """Warnings for "Keep going" cards whose title, track or minutes disagree with the lesson
    they link to (when it exists here); a card for a lesson not written yet is fine."""
    problems = []
    for index, card in enumerate(related):
        target = lessons.get(card.slug)
        if target is None:
            continue
        for name, said, actual in (
            ("title", card.title, target.title),
            ("track", card.track, target.track),
            ("minutes", card.minutes, target.total_minutes),
        ):
            if said != actual:
                problems.append(
                    ContentProblem(
                        file=file,
                        part="front matter",
                        field=f"related[{index}].{name}",
                        message=f"says {said!r} but the lesson '{card.slug}' has {actual!r}",
                        warning=True,
                    )
                )
    return problems


def _load_source(source: ContentSource) -> tuple[Lesson | None, list[ContentProblem]]:
    """The lesson kind's loader: the lesson, then what is only worth a warning about it."""
    from lessons.reading_time import reading_time_problem  # it imports this module

    lesson, problems = load_lesson(source.path, content_dir=source.content_dir)
    if lesson is not None:
        # An estimate that looks off, or a related card out of date, should not stop the site
        # or hide the lesson.
        warning = reading_time_problem(lesson, file=source.file)
        if warning is not None:
            problems = [*problems, warning]
        problems = [
            *problems,
            *related_card_problems(
                lesson.related, lessons=source.store.index(LESSON_KIND), file=source.file
            ),
        ]
    return lesson, problems


def _index_source(source: ContentSource) -> tuple[LessonListing | None, list[ContentProblem]]:
    return load_listing(source.path, content_dir=source.content_dir)


def _lessons_reloaded(slugs: frozenset[str]) -> None:
    """Under CONTENT_RELOAD, search finds an edited lesson as its page shows it.

    A lesson that no longer loads keeps its rows until it is fixed (its page shows the
    problem); a removed lesson loses them.
    """
    from lessons.search import resync_lessons  # lessons.search imports this module

    try:
        catalogue = get_catalogue()
    except ContentError:
        return  # every page names the problem until it is fixed; nothing to search meanwhile
    current: list[Lesson] = []
    gone: set[str] = set()
    for slug in slugs:
        try:
            lesson = catalogue.get(slug)
        except ContentError:
            continue
        if lesson is None:
            gone.add(slug)
        else:
            current.append(lesson)
    try:
        resync_lessons(slugs=gone | {lesson.slug for lesson in current}, lessons=current)
    except DatabaseError:
        # Not migrated yet: `make run` migrates and indexes before it serves.
        logger.warning("search rows of %s not updated", ", ".join(sorted(slugs)), exc_info=True)


LESSON_KIND: ContentKind[Lesson, LessonListing] = register_kind(
    ContentKind(
        name="lesson",
        files=f"*/{LESSON_FILE}",
        load=_load_source,
        index=_index_source,
        in_every_folder=True,
        on_reload=_lessons_reloaded,
        # What related_card_problems compares another lesson's cards with.
        shared_facts=lambda listing: (listing.title, listing.track, listing.total_minutes),
    )
)


def catalogue_of(store: ContentStore) -> Catalogue:
    """The store's catalogue from its light index, or ContentError naming every problem in it."""
    return _catalogue_of(store)


@lru_cache(maxsize=1)
def _catalogue_of(store: ContentStore) -> Catalogue:
    problems = list(store.index_problems(LESSON_KIND))
    if not store.content_dir.is_dir():
        problems.append(
            ContentProblem(file=str(store.content_dir), part="folder", message="does not exist")
        )
    if problems:
        raise ContentError(problems)
    entries = sorted(store.index(LESSON_KIND).values(), key=lambda lesson: lesson.number)

    def load(slug: str) -> Lesson | None:
        return store.get(LESSON_KIND, slug)

    return Catalogue(lessons=tuple(entries), load=load)


def load_catalogue_with_problems(content_dir: Path) -> tuple[Catalogue, list[ContentProblem]]:
    """Parse every lesson under `content_dir` in full; collect every error rather than stop.

    Nothing is cached between calls (the registry's store is what serves pages). Warnings (a
    reading time that looks off) are left to the content check: the lessons load."""
    # Unbounded: the caller holds every lesson anyway, so each is parsed once for both passes.
    store = ContentStore(content_dir=content_dir, kinds=(LESSON_KIND,), cache_size=sys.maxsize)
    problems = errors_only(store.problems())
    lessons: dict[str, Lesson] = {}
    for slug in store.keys(LESSON_KIND):
        lesson = store.lookup(LESSON_KIND, slug)
        if lesson is not None:
            lessons[slug] = lesson
    ordered = tuple(sorted(lessons.values(), key=lambda lesson: lesson.number))
    return Catalogue(lessons=ordered, load=lessons.get), problems


def get_catalogue() -> Catalogue:
    """The catalogue for the configured CONTENT_DIR (front matter only until a lesson is used)."""
    return catalogue_of(get_store())


def get_lesson(slug: str) -> Lesson | None:
    """The whole lesson; None for an unknown slug; ContentError when its file is broken."""
    return get_catalogue().get(slug)
