"""Search across lessons: the database's own full-text index over every readable section.

SQLite (the embedded default) uses an FTS5 table, PostgreSQL a GIN index over a stored, weighted
tsvector column; both are created by the lessons migrations and filled by `manage.py
index_lessons`, which start-up runs and which does nothing when `content/` has not changed.
Matches are collapsed to one row per lesson (its best section), filtered, counted and paged in
SQL, so a result count is exact however many sections match. The index lives in
the database, so it costs no worker memory and is shared by every worker and instance.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from lessons.content import Lesson
from lessons.models import SearchIndexState, SearchSection

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SNIPPET_CHARS = 180
# The last word is also matched as a prefix (it may be unfinished), once it is this long: a
# prefix of one or two letters matches most of the catalogue.
MIN_PREFIX_CHARS = 3
WORD = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's English stop words (the Snowball list its `english` configuration drops), left
# out on both backends so that they search alike and a query of only these can be told apart.
STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(STOP_WORDS_TEXT.split())


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


@dataclass(frozen=True)
class SearchResults:
    """One page of the matching lessons, best first, and how many lessons match in all."""

    total: int
    hits: tuple[SectionHit, ...]


def parse_query(*, raw: str) -> SearchQuery:
    """Words only: operators and punctuation are never passed to the index's query language."""
    text = raw.replace("\x00", "").strip()
    notice = ""
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notice = f"Searched for the first {MAX_QUERY_CHARS} characters of what you typed."
    words = tuple(dict.fromkeys(word.casefold() for word in WORD.findall(text)))
    terms = tuple(word for word in words if word not in STOP_WORDS)
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        notice = f"Searched for the first {MAX_TERMS} words of what you typed."
    if words and not terms:
        notice = (
            "Words as common as “the” or “and” are in every lesson, so they are not searched "
            "for: add a more particular word, such as “postmortem”."
        )
    elif text and not terms:
        notice = "Type a word or two to search for, such as “postmortem”."
    return SearchQuery(text=text, terms=terms, notice=notice)


def section_rows(*, lessons: Iterable[Lesson]) -> list[SearchSection]:
    return [
        SearchSection(
            lesson_slug=lesson.slug,
            lesson_number=lesson.number,
            track=lesson.track,
            category=lesson.category,
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
            str(row.lesson_number),
            row.track,
            row.category,
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
        replace_search_rows(rows=rows)
        SearchIndexState.objects.all().delete()
        SearchIndexState.objects.create(content_hash=wanted)
    return True


def replace_search_rows(
    *, rows: Sequence[SearchSection], slugs: Collection[str] | None = None
) -> None:
    """Put `rows` in place of the rows of the lessons `slugs` (of every lesson when None).

    The FTS5 table reads its text from the rows but keeps its own index of it, so on SQLite each
    replaced row is taken out of that index (with its old text) and each new one put in.
    """
    sqlite = connection.vendor == "sqlite"
    old = (
        SearchSection.objects.all()
        if slugs is None
        else SearchSection.objects.filter(lesson_slug__in=list(slugs))
    )
    with transaction.atomic():
        if sqlite and slugs is not None:
            _sqlite_fts_rows("'delete', id,", rowids=old.values_list("id", flat=True))
        old.delete()
        SearchSection.objects.bulk_create(rows, batch_size=500)
        if not sqlite:
            return
        if slugs is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO lessons_searchsection_fts(lessons_searchsection_fts) "
                    "VALUES('rebuild')"
                )
        else:
            new = SearchSection.objects.filter(lesson_slug__in=list(slugs))
            _sqlite_fts_rows("id,", rowids=new.values_list("id", flat=True))


def _sqlite_fts_rows(command: str, *, rowids: Iterable[int]) -> None:
    """Add rows to the FTS5 index (`command` "id,") or take them out of it ("'delete', id,")."""
    ids = list(rowids)
    if not ids:
        return
    target = "lessons_searchsection_fts(rowid, lesson_title, tagline, section_title, body)"
    if command.startswith("'delete'"):
        target = (
            "lessons_searchsection_fts(lessons_searchsection_fts, rowid, lesson_title, "
            "tagline, section_title, body)"
        )
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {target} SELECT {command} lesson_title, tagline, section_title, body "  # noqa: S608 (constants and placeholders)
            f"FROM lessons_searchsection WHERE id IN ({marks})",
            ids,
        )


def resync_lessons(*, slugs: Collection[str], lessons: Iterable[Lesson]) -> None:
    """Bring the search rows of the lessons `slugs` in step with `lessons` (those that still
    exist and load; a slug without one loses its rows)."""
    replace_search_rows(rows=section_rows(lessons=lessons), slugs=slugs)


def _sqlite_match(terms: Sequence[str], *, every: bool) -> str:
    # Each word quoted, so FTS5 reads it as a string, never as an operator or column filter.
    # The last word may be unfinished: its prefix form (FTS5 does not stem prefixes) lets
    # "postmort" find "postmortems".
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] = f"({quoted[-1]} OR {quoted[-1]}*)"
    return (" AND " if every else " OR ").join(quoted)


def _postgres_query(terms: Sequence[str], *, every: bool) -> str:
    # Each word as a quoted lexeme, so to_tsquery never reads the learner's text as operators;
    # the last word also as a prefix (`:*`), as on SQLite.
    quoted = ["'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms]
    if len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] = f"({quoted[-1]} | {quoted[-1]}:*)"
    return (" & " if every else " | ").join(quoted)


# Each backend's matching sections with a rank (lower is better) as `matches`; the rest of the
# query, shared, keeps each lesson's best section and pages through the lessons.
SQLITE_MATCHES = """
    SELECT s.id, s.lesson_slug, s.lesson_number,
           bm25(lessons_searchsection_fts, 10.0, 4.0, 4.0, 1.0) AS rank
    FROM lessons_searchsection_fts
    JOIN lessons_searchsection s ON s.id = lessons_searchsection_fts.rowid
    WHERE lessons_searchsection_fts MATCH %s {filters}
"""
POSTGRES_MATCHES = """
    SELECT s.id, s.lesson_slug, s.lesson_number,
           -ts_rank_cd(s.search_vector, query.q) AS rank
    FROM lessons_searchsection s, to_tsquery('english', %s) AS query(q)
    WHERE s.search_vector @@ query.q {filters}
"""
BEST_PER_LESSON = """
    WITH matches AS ({matches}),
    best AS (
        SELECT id, rank, lesson_number,
               ROW_NUMBER() OVER (PARTITION BY lesson_slug ORDER BY rank, id) AS nth
        FROM matches
    )
    SELECT id, COUNT(*) OVER () FROM best WHERE nth = 1
    ORDER BY rank, lesson_number, id LIMIT %s OFFSET %s
"""
COUNT_LESSONS = "WITH matches AS ({matches}) SELECT COUNT(DISTINCT lesson_slug) FROM matches"


def _matches_sql(
    terms: Sequence[str], *, every: bool, track: str, category: str
) -> tuple[str, list[str | int]]:
    filters = ""
    params: list[str | int] = []
    if connection.vendor == "sqlite":
        template, params = SQLITE_MATCHES, [_sqlite_match(terms, every=every)]
    elif connection.vendor == "postgresql":
        template, params = POSTGRES_MATCHES, [_postgres_query(terms, every=every)]
    else:
        raise NotImplementedError(f"no full-text search for {connection.vendor}")
    if track:
        filters += " AND s.track = %s"
        params.append(track)
    if category:
        filters += " AND s.category = %s"
        params.append(category)
    return template.format(filters=filters), params


def _page_of_lessons(
    terms: Sequence[str], *, every: bool, track: str, category: str, offset: int, limit: int
) -> tuple[int, list[int]]:
    """How many lessons match, and the ids of the best section of each lesson on the page."""
    matches, params = _matches_sql(terms, every=every, track=track, category=category)
    with connection.cursor() as cursor:
        cursor.execute(BEST_PER_LESSON.format(matches=matches), [*params, limit, offset])
        rows = cursor.fetchall()
        if rows:
            return int(rows[0][1]), [row[0] for row in rows]
        if offset == 0:
            return 0, []
        # Past the last page: the window count has no row to ride on.
        cursor.execute(COUNT_LESSONS.format(matches=matches), params)
        return int(cursor.fetchone()[0]), []


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


def search_lessons(
    *, query: SearchQuery, track: str = "", category: str = "", offset: int = 0, limit: int
) -> SearchResults:
    """The matching lessons from `offset` on, best first, each with its best section.

    `track` and `category` are names as lessons state them. Lessons with every word come
    first; when none has them all, lessons with any of them.
    """
    if not query.terms:
        return SearchResults(total=0, hits=())
    total, ids = _page_of_lessons(
        query.terms, every=True, track=track, category=category, offset=offset, limit=limit
    )
    if not total and len(query.terms) > 1:
        total, ids = _page_of_lessons(
            query.terms, every=False, track=track, category=category, offset=offset, limit=limit
        )
    rows = SearchSection.objects.in_bulk(ids)
    hits = tuple(
        SectionHit(
            lesson_slug=row.lesson_slug,
            section_id=row.section_id,
            section_title=row.section_title,
            snippet=snippet(text=row.body, terms=query.terms),
        )
        for row in (rows[row_id] for row_id in ids if row_id in rows)
    )
    return SearchResults(total=total, hits=hits)
