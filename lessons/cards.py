"""Catalogue cards: what a card shows of its lesson, rendered once per lesson and catalogue.

A card is the same for every visitor, page and search (progress.js fills in its progress ring
from the browser), so browsing and search render only what differs: a search hit's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from lessons.catalogue import CatalogueEntry
from lessons.content import Catalogue
from lessons.search import SectionHit

# Cards are small (under 1 KB); this bounds the memory they take in a very large catalogue.
CARD_CACHE_SIZE = 4096


@dataclass(frozen=True)
class LessonCard:
    url: str
    # Above a search hit's line: the eyebrow, the linked title, the tagline.
    heading: SafeString
    # Below it: the reading time and the progress ring.
    details: SafeString


@dataclass(frozen=True)
class ShownCard:
    """What the page's template reads of one card, one attribute deep: each step of a dotted
    lookup in a template costs a failed item lookup before the attribute is read."""

    slug: str
    url: str
    heading: SafeString
    details: SafeString
    hit: SectionHit | None


# Keyed by slug and catalogue (hashed by identity) rather than by the lesson itself, whose hash
# would walk every field of its front matter on each call.
@lru_cache(maxsize=CARD_CACHE_SIZE)
def lesson_card(*, slug: str, catalogue: Catalogue) -> LessonCard:
    """The card of the catalogue's lesson `slug`, rendered on first use."""
    context = {"lesson": catalogue.by_slug[slug]}

    def part(name: str) -> SafeString:
        return mark_safe(render_to_string(f"lessons/catalogue.html#{name}", context))  # noqa: S308 (templates autoescape)

    return LessonCard(
        url=reverse("lessons:detail", args=[slug]),
        heading=part("card-heading"),
        details=part("card-details"),
    )


def shown_cards(*, entries: Sequence[CatalogueEntry], catalogue: Catalogue) -> list[ShownCard]:
    """The cards of a page of the catalogue, in its order."""
    shown = []
    for entry in entries:
        card = lesson_card(slug=entry.lesson.slug, catalogue=catalogue)
        shown.append(
            ShownCard(
                slug=entry.lesson.slug,
                url=card.url,
                heading=card.heading,
                details=card.details,
                hit=entry.hit,
            )
        )
    return shown
