"""Browsing the catalogue: tracks and categories with counts, search results, pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.utils.text import slugify

from lessons.content import Catalogue, LessonFrontMatter
from lessons.search import SearchQuery, SearchResults, SectionHit, search_lessons

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


@lru_cache(maxsize=1024)
def facet_slug(name: str) -> str:
    return slugify(name.replace("&", "and"))


@dataclass(frozen=True)
class CatalogueIndex:
    """What browsing needs of one catalogue, worked out once for it (a loaded catalogue never
    changes: an edit under CONTENT_RELOAD loads a new one)."""

    track_names: Mapping[str, str]
    category_names: Mapping[str, str]
    tracks: tuple[Facet, ...]
    # By track slug ("" for every track): its categories, and its lessons by category slug
    # ("" for every category).
    categories: Mapping[str, tuple[Facet, ...]]
    listings: Mapping[str, Mapping[str, tuple[LessonFrontMatter, ...]]]
    # By lesson slug: its track's slug and the page of that track's listing its card is on.
    positions: Mapping[str, tuple[str, int]]


def _facets(names: Sequence[str], *, order: Sequence[str]) -> tuple[Facet, ...]:
    counts = Counter(names)
    known = [name for name in order if name in counts]
    rest = sorted(name for name in counts if name not in order)
    return tuple(
        Facet(slug=facet_slug(name), name=name, count=counts[name], selected=False)
        for name in known + rest
    )


def _listings(lessons: Sequence[LessonFrontMatter]) -> dict[str, tuple[LessonFrontMatter, ...]]:
    by_category: dict[str, list[LessonFrontMatter]] = {"": list(lessons)}
    for lesson in lessons:
        by_category.setdefault(facet_slug(lesson.category), []).append(lesson)
    return {slug: tuple(items) for slug, items in by_category.items()}


@lru_cache(maxsize=4)
def catalogue_index(catalogue: Catalogue) -> CatalogueIndex:
    """The catalogue's tracks and categories with their counts and lessons (cached per
    catalogue object)."""
    lessons = catalogue.lessons
    in_track: dict[str, list[LessonFrontMatter]] = {"": list(lessons)}
    for lesson in lessons:
        in_track.setdefault(facet_slug(lesson.track), []).append(lesson)
    return CatalogueIndex(
        track_names={facet_slug(lesson.track): lesson.track for lesson in lessons},
        category_names={facet_slug(lesson.category): lesson.category for lesson in lessons},
        tracks=_facets([lesson.track for lesson in lessons], order=TRACKS),
        categories={
            track: _facets([lesson.category for lesson in items], order=())
            for track, items in in_track.items()
        },
        listings={track: _listings(items) for track, items in in_track.items()},
        positions=_positions(lessons),
    )


def _positions(lessons: Sequence[LessonFrontMatter]) -> dict[str, tuple[str, int]]:
    positions: dict[str, tuple[str, int]] = {}
    shown: Counter[str] = Counter()
    for lesson in lessons:
        track = facet_slug(lesson.track)
        positions[lesson.slug] = (track, shown[track] // PAGE_SIZE + 1)
        shown[track] += 1
    return positions


def _selected(facets: tuple[Facet, ...], slug: str) -> tuple[Facet, ...]:
    return tuple(replace(facet, selected=True) if facet.slug == slug else facet for facet in facets)


def catalogue_position(*, lesson: LessonFrontMatter, catalogue: Catalogue) -> tuple[str, int]:
    """The track slug and the page of that track's listing on which the lesson's card stands."""
    position = catalogue_index(catalogue).positions.get(lesson.slug)
    return position if position is not None else (facet_slug(lesson.track), 1)


def _page_count(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def browse_catalogue(
    *,
    catalogue: Catalogue,
    query: SearchQuery,
    track: str = "",
    category: str = "",
    page: int = 1,
) -> CataloguePage:
    """The lessons a learner asked for: a track, a category within it, words to search for."""
    index = catalogue_index(catalogue)
    notices: list[str] = [query.notice] if query.notice else []
    if track and track not in index.listings:
        notices.append("There is no such track; showing every track.")
        track = ""
    if category and category not in index.listings[track]:
        notices.append("There is no such category here; showing every category.")
        category = ""
    chosen = index.listings[track][category]
    if query.terms:
        found = _search_page(index, query=query, track=track, category=category, page=page)
        last = _page_count(found.total)
        if page > last and found.total:
            found = _search_page(index, query=query, track=track, category=category, page=last)
        total = found.total
    else:
        total = len(chosen)
    pages = _page_count(total)
    if page > pages:
        notices.append(f"There are only {pages} pages; showing the last.")
    page = min(max(page, 1), pages)
    if query.terms:
        entries = [
            CatalogueEntry(lesson=catalogue.by_slug[hit.lesson_slug], hit=hit)
            for hit in found.hits
            if hit.lesson_slug in catalogue.by_slug
        ]
    else:
        shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        entries = [CatalogueEntry(lesson=item) for item in shown]
    return CataloguePage(
        entries=tuple(entries),
        total=total,
        page=page,
        pages=pages,
        tracks=_selected(index.tracks, track),
        categories=_selected(index.categories[track], category),
        track=track,
        category=category,
        query=query,
        notices=tuple(notices),
    )


def _search_page(
    index: CatalogueIndex, *, query: SearchQuery, track: str, category: str, page: int
) -> SearchResults:
    return search_lessons(
        query=query,
        track=index.track_names.get(track, ""),
        category=index.category_names.get(category, ""),
        offset=(max(page, 1) - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
