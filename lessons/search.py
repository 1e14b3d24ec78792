"""Search across lessons: the database's own full-text index over every readable section.

SQLite (the embedded default) uses an FTS5 table, PostgreSQL a GIN index over a weighted
tsvector; both are created by the lessons migration and filled by `manage.py index_lessons`,
which start-up runs and which does nothing when `content/` has not changed. The index lives in
the database, so it costs no worker memory and is shared by every worker and instance.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from lessons.content import Lesson
from lessons.models import SearchIndexState, SearchSection

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_SECTION_HITS = 500
SNIPPET_CHARS = 180
WORD = re.compile(r"\w+", re.UNICODE)

POSTGRES_VECTOR = (
    "setweight(to_tsvector('english', lesson_title), 'A') || "
    "setweight(to_tsvector('english', tagline), 'B') || "
    "setweight(to_tsvector('english', section_title), 'B') || "
    "setweight(to_tsvector('english', body), 'C')"
)


@dataclass(frozen=True)
class SearchQuery:
    """What a learner typed, reduced to the words we search for, and what to tell them."""

    text: str
    terms: tuple[str, ...]
    notice: str = ""


@dataclass(frozen=True)
class SectionHit:
    lesson_slug: str
    section_id: str
    section_title: str
    snippet: SafeString


def parse_query(*, raw: str) -> SearchQuery:
    """Words only: operators and punctuation are never passed to the index's query language."""
    text = raw.replace("\x00", "").strip()
    notice = ""
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notice = f"Searched for the first {MAX_QUERY_CHARS} characters of what you typed."
    terms = tuple(dict.fromkeys(word.casefold() for word in WORD.findall(text)))
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        notice = f"Searched for the first {MAX_TERMS} words of what you typed."
    if text and not terms:
        notice = "Type a word or two to search for, such as “postmortem”."
    return SearchQuery(text=text, terms=terms, notice=notice)


def section_rows(*, lessons: Iterable[Lesson]) -> list[SearchSection]:
    return [
        SearchSection(
            lesson_slug=lesson.slug,
            lesson_title=lesson.title,
            tagline=lesson.tagline,
            section_id=part.id,
            section_title=part.title,
            body=part.text,
        )
        for lesson in lessons
        for part in lesson.readable_sections
    ]


def rows_hash(rows: Sequence[SearchSection]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        for value in (
            row.lesson_slug,
            row.lesson_title,
            row.tagline,
            row.section_id,
            row.section_title,
            row.body,
        ):
            digest.update(value.encode())
            digest.update(b"\x1f")
    return digest.hexdigest()


def sources_digest(*, files: Iterable[Path], code: str) -> str:
    """A digest of the lesson files' names and bytes and of the code that reads them.

    Reading bytes is far cheaper than parsing and rendering every lesson, so start-up can tell
    an unchanged catalogue without rendering one.
    """
    digest = hashlib.sha256(code.encode())
    for path in files:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sync_search_index(
    *, lessons: Iterable[Lesson], force: bool = False, sources_hash: str | None = None
) -> bool:
    """Rebuild the index when the lessons changed; True when it was rebuilt.

    With `sources_hash` (`sources_digest` of the lesson files) an unchanged catalogue is known
    before `lessons` is iterated, so a lazy iterable of lessons is never parsed; without it the
    rows are built and compared.
    """
    state = SearchIndexState.objects.first()
    if not force and state is not None and sources_hash and state.content_hash == sources_hash:
        return False
    rows = section_rows(lessons=lessons)
    wanted = sources_hash or rows_hash(rows)
    if not force and state is not None and state.content_hash == wanted:
        return False
    with transaction.atomic():
        SearchSection.objects.all().delete()
        SearchSection.objects.bulk_create(rows, batch_size=500)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO lessons_searchsection_fts(lessons_searchsection_fts) "
                    "VALUES('rebuild')"
                )
        SearchIndexState.objects.all().delete()
        SearchIndexState.objects.create(content_hash=wanted)
    return True


def _sqlite_match(terms: Sequence[str], *, every: bool) -> str:
    # Each word quoted, so FTS5 reads it as a string, never as an operator or column filter.
    # The stemmed word finds its other forms; the prefix form (FTS5 does not stem prefixes)
    # lets an unfinished word such as "postmort" find "postmortems".
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    return (" AND " if every else " OR ").join(f"({word} OR {word}*)" for word in quoted)


def _postgres_query(terms: Sequence[str], *, every: bool) -> str:
    # Each word as a quoted lexeme, so to_tsquery never reads the learner's text as operators.
    quoted = ["'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms]
    return (" & " if every else " | ").join(quoted)


def _search_ids(terms: Sequence[str], *, every: bool) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM lessons_searchsection_fts WHERE lessons_searchsection_fts "
                "MATCH %s ORDER BY bm25(lessons_searchsection_fts, 10.0, 4.0, 4.0, 1.0) LIMIT %s",
                [_sqlite_match(terms, every=every), MAX_SECTION_HITS],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id FROM lessons_searchsection WHERE ({POSTGRES_VECTOR}) @@ "  # noqa: S608 (a constant)
                "to_tsquery('english', %s) "
                f"ORDER BY ts_rank_cd(({POSTGRES_VECTOR}), to_tsquery('english', %s)) DESC, "
                "id LIMIT %s",
                [_postgres_query(terms, every=every)] * 2 + [MAX_SECTION_HITS],
            )
        else:
            raise NotImplementedError(f"no full-text search for {connection.vendor}")
        return [row[0] for row in cursor.fetchall()]


def snippet(*, text: str, terms: Sequence[str]) -> SafeString:
    """A short excerpt around the first matching word, the matches marked, everything escaped."""
    lowered = text.casefold()
    positions = [lowered.find(term[:5]) for term in terms if term[:5] in lowered]
    start = max(min(positions) - SNIPPET_CHARS // 3, 0) if positions else 0
    excerpt = text[start : start + SNIPPET_CHARS]
    if start > 0:
        excerpt = "…" + excerpt.split(" ", 1)[-1]
    if start + SNIPPET_CHARS < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + "…"
    marked = html.escape(excerpt)
    stems = sorted(
        {re.escape(html.escape(term[:5])) for term in terms if len(term) > 1}, key=len, reverse=True
    )
    if stems:
        pattern = re.compile(r"\b(" + "|".join(stems) + r")\w*", re.IGNORECASE)
        marked = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", marked)
    return mark_safe(marked)  # noqa: S308 (built from escaped text only)


def search_sections(*, query: SearchQuery) -> list[SectionHit]:
    """Every lesson that matches, with its best section first, best lessons first.

    Sections with every word come first; when none has them all, sections with any of them.
    """
    if not query.terms:
        return []
    ids = _search_ids(query.terms, every=True)
    if not ids and len(query.terms) > 1:
        ids = _search_ids(query.terms, every=False)
    rows = SearchSection.objects.in_bulk(ids)
    best: dict[str, SectionHit] = {}
    for row_id in ids:
        row = rows.get(row_id)
        if row is None or row.lesson_slug in best:
            continue
        best[row.lesson_slug] = SectionHit(
            lesson_slug=row.lesson_slug,
            section_id=row.section_id,
            section_title=row.section_title,
            snippet=snippet(text=row.body, terms=query.terms),
        )
    return list(best.values())
