"""Browsing the catalogue: tracks and categories with counts, search results, pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.text import slugify

from lessons.content import LessonFrontMatter
from lessons.search import SearchQuery, SectionHit, search_sections

PAGE_SIZE = 24
TRACKS = ("Explorers", "Creators", "Adults & Professionals")


@dataclass(frozen=True)
class Facet:
    slug: str
    name: str
    count: int
    selected: bool


@dataclass(frozen=True)
class CatalogueEntry:
    lesson: LessonFrontMatter
    hit: SectionHit | None = None


@dataclass(frozen=True)
class CataloguePage:
    entries: tuple[CatalogueEntry, ...]
    total: int
    page: int
    pages: int
    tracks: tuple[Facet, ...]
    categories: tuple[Facet, ...]
    track: str
    category: str
    query: SearchQuery
    notices: tuple[str, ...] = field(default=())

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


def facet_slug(name: str) -> str:
    return slugify(name.replace("&", "and"))


def _facets(names: Sequence[str], *, order: Sequence[str], selected: str) -> tuple[Facet, ...]:
    counts = Counter(names)
    known = [name for name in order if name in counts]
    rest = sorted(name for name in counts if name not in order)
    return tuple(
        Facet(
            slug=facet_slug(name),
            name=name,
            count=counts[name],
            selected=facet_slug(name) == selected,
        )
        for name in known + rest
    )


def catalogue_position(
    *, lesson: LessonFrontMatter, lessons: Sequence[LessonFrontMatter]
) -> tuple[str, int]:
    """The track slug and the page of that track's listing on which the lesson's card stands."""
    track = facet_slug(lesson.track)
    in_track = [item.slug for item in lessons if facet_slug(item.track) == track]
    index = in_track.index(lesson.slug) if lesson.slug in in_track else 0
    return track, index // PAGE_SIZE + 1


def browse_catalogue(
    *,
    lessons: Sequence[LessonFrontMatter],
    query: SearchQuery,
    track: str = "",
    category: str = "",
    page: int = 1,
) -> CataloguePage:
    """The lessons a learner asked for: a track, a category within it, words to search for."""
    notices: list[str] = [query.notice] if query.notice else []
    known_tracks = {facet_slug(item.track) for item in lessons}
    if track and track not in known_tracks:
        notices.append("There is no such track; showing every track.")
        track = ""
    in_track = [item for item in lessons if not track or facet_slug(item.track) == track]
    known_categories = {facet_slug(item.category) for item in in_track}
    if category and category not in known_categories:
        notices.append("There is no such category here; showing every category.")
        category = ""
    chosen = [item for item in in_track if not category or facet_slug(item.category) == category]
    if query.terms:
        hits = search_sections(query=query)
        by_slug = {item.slug: item for item in chosen}
        entries = [
            CatalogueEntry(lesson=by_slug[hit.lesson_slug], hit=hit)
            for hit in hits
            if hit.lesson_slug in by_slug
        ]
    else:
        entries = [CatalogueEntry(lesson=item) for item in chosen]
    pages = max((len(entries) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:
        notices.append(f"There are only {pages} pages; showing the last.")
    page = min(max(page, 1), pages)
    shown = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return CataloguePage(
        entries=tuple(shown),
        total=len(entries),
        page=page,
        pages=pages,
        tracks=_facets([item.track for item in lessons], order=TRACKS, selected=track),
        categories=_facets([item.category for item in in_track], order=(), selected=category),
        track=track,
        category=category,
        query=query,
        notices=tuple(notices),
    )
