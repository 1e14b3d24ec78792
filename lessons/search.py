"""Search across lessons: the database's own full-text index over every lesson and section.

SQLite (the embedded default) uses FTS5 tables, PostgreSQL GIN indexes over stored, weighted
tsvector columns; both are created by the lessons migrations and filled by `manage.py
index_lessons`, which start-up runs and which does nothing when `content/` has not changed.
Whole lessons are matched, ranked, filtered by track and category, counted and paged in SQL
(one row per lesson, so a count is exact and costs what the catalogue's size does, not its
sections'); then the best section of each lesson on the page is found for its link and snippet.
A page of results is cached (Django's default cache) until the index changes.
The index lives in the database, so it costs no worker memory and is shared by every worker
and instance.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from lessons.content import Lesson
from lessons.models import SearchIndexState, SearchLesson, SearchSection

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SNIPPET_CHARS = 180
# The last word is also matched as a prefix (it may be unfinished), once it is this long: a
# prefix of one or two letters matches most of the catalogue.
MIN_PREFIX_CHARS = 3
# A page of results is kept in the default cache under the version of the index it was found in,
# so a rebuild or re-sync makes every page kept from before unreachable; the timeout only
# bounds how long an unreachable page takes space.
RESULTS_CACHE_SECONDS = 60 * 60
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


@dataclass(frozen=True)
class LessonRows:
    """One lesson's search rows: the lesson and its readable sections, in page order."""

    lesson: SearchLesson
    sections: tuple[SearchSection, ...]


def lesson_rows(*, lessons: Iterable[Lesson]) -> list[LessonRows]:
    found = []
    for lesson in lessons:
        parts = lesson.readable_sections
        found.append(
            LessonRows(
                lesson=SearchLesson(
                    slug=lesson.slug,
                    number=lesson.number,
                    track=lesson.track,
                    category=lesson.category,
                    title=lesson.title,
                    tagline=lesson.tagline,
                    section_titles="\n".join(part.title for part in parts),
                    body="\n\n".join(part.text for part in parts),
                ),
                sections=tuple(
                    SearchSection(section_id=part.id, section_title=part.title, body=part.text)
                    for part in parts
                ),
            )
        )
    return found


def rows_hash(rows: Sequence[LessonRows]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        lesson = row.lesson
        values = [lesson.slug, str(lesson.number), lesson.track, lesson.category]
        values += [lesson.title, lesson.tagline]
        for section in row.sections:
            values += [section.section_id, section.section_title, section.body]
        for value in values:
            digest.update(value.encode())
            digest.update(b"\x1f")
        digest.update(b"\x1e")
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
    rows = lesson_rows(lessons=lessons)
    wanted = sources_hash or rows_hash(rows)
    if not force and state is not None and state.content_hash == wanted:
        return False
    with transaction.atomic():
        replace_search_rows(rows=rows)
        SearchIndexState.objects.all().delete()
        SearchIndexState.objects.create(content_hash=wanted)
    return True


def resync_lessons(*, slugs: Collection[str], lessons: Iterable[Lesson]) -> None:
    """Bring the search rows of the lessons `slugs` in step with `lessons` (those that still
    exist and load; a slug without one loses its rows)."""
    replace_search_rows(rows=lesson_rows(lessons=lessons), slugs=slugs)


# Each table's FTS5 columns (SQLite), as the migration made them.
FTS_COLUMNS = {
    "lessons_searchlesson": ("title", "tagline", "section_titles", "body"),
    "lessons_searchsection": ("lesson_id", "section_title", "body"),
}


def replace_search_rows(
    *, rows: Sequence[LessonRows], slugs: Collection[str] | None = None
) -> None:
    """Put `rows` in place of the rows of the lessons `slugs` (of every lesson when None).

    An FTS5 table reads its text from the rows but keeps its own index of it, so on SQLite each
    replaced row is taken out of that index (with its old text) and each new one put in; a whole
    rebuild rebuilds the FTS5 tables instead.
    """
    sqlite = connection.vendor == "sqlite"
    lessons = SearchLesson.objects.all()
    if slugs is not None:
        lessons = lessons.filter(slug__in=list(slugs))
    sections = SearchSection.objects.filter(lesson__in=lessons)
    with transaction.atomic():
        if sqlite and slugs is not None:
            _sqlite_fts("lessons_searchlesson", ids=lessons.values_list("id", flat=True), add=False)
            _sqlite_fts(
                "lessons_searchsection", ids=sections.values_list("id", flat=True), add=False
            )
        sections.delete()
        lessons.delete()
        SearchLesson.objects.bulk_create([row.lesson for row in rows], batch_size=500)
        for row in rows:
            for section in row.sections:
                section.lesson = row.lesson
        new_sections = [section for row in rows for section in row.sections]
        SearchSection.objects.bulk_create(new_sections, batch_size=500)
        if slugs is not None:
            _forget_cached_results()
        if not sqlite:
            return
        if slugs is None:
            with connection.cursor() as cursor:
                for table in FTS_COLUMNS:
                    cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES('rebuild')")
                    # One segment instead of the many a rebuild leaves: each word a search looks
                    # up is then found in one b-tree rather than in each segment's.
                    cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES('optimize')")
        else:
            _sqlite_fts("lessons_searchlesson", ids=[row.lesson.pk for row in rows], add=True)
            _sqlite_fts("lessons_searchsection", ids=[s.pk for s in new_sections], add=True)


def _sqlite_fts(table: str, *, ids: Iterable[int], add: bool) -> None:
    """Add the rows `ids` of `table` to its FTS5 index, or take them out (before they change)."""
    wanted = list(ids)
    columns = ", ".join(FTS_COLUMNS[table])
    fts = f"{table}_fts"
    target = f"{fts}(rowid, {columns})" if add else f"{fts}({fts}, rowid, {columns})"
    command = "" if add else "'delete', "
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {target} SELECT {command}id, {columns} FROM {table} "  # noqa: S608 (constants and placeholders)
                f"WHERE id IN ({marks})",
                batch,
            )


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


def _vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"no full-text search for {connection.vendor}")
    return connection.vendor


# PostgreSQL: the matching lessons (rank: lower is better), counted and paged in one statement.
LESSON_MATCHES = """
    SELECT l.id, -ts_rank(l.rank_vector, query.q) AS rank, l.number
    FROM lessons_searchlesson l, to_tsquery('english', %s) AS query(q)
    WHERE l.search_vector @@ query.q {filters}
"""
PAGE_OF_LESSONS = """
    SELECT id, COUNT(*) OVER () FROM ({matches}) AS matches
    ORDER BY rank, number, id LIMIT %s OFFSET %s
"""
COUNT_LESSONS = "SELECT COUNT(*) FROM ({matches}) AS matches"
# SQLite: counting the matches takes FTS5 only their rowids, a tenth of the cost of ranking them,
# so the count is its own statement and the page ranks without a window over every match. Rows
# with the same rank (copies of one text) come in the order they were written: catalogue order
# after a rebuild.
SQLITE_MATCHES = """
    FROM lessons_searchlesson_fts {join}
    WHERE lessons_searchlesson_fts MATCH %s {filters}
"""
SQLITE_FILTER_JOIN = "JOIN lessons_searchlesson l ON l.id = lessons_searchlesson_fts.rowid"
SQLITE_COUNT = "SELECT COUNT(*) {matches}"
SQLITE_PAGE = """
    SELECT lessons_searchlesson_fts.rowid {matches}
    ORDER BY bm25(lessons_searchlesson_fts, 10.0, 4.0, 4.0, 1.0), lessons_searchlesson_fts.rowid
    LIMIT %s OFFSET %s
"""
# A lesson matched only by its title or tagline is shown with its first section.
FIRST_SECTIONS = """
    SELECT lesson_id, MIN(id) FROM lessons_searchsection
    WHERE lesson_id IN ({marks}) GROUP BY lesson_id
"""
SHOWN_SECTIONS = """
    SELECT s.id, l.slug, s.section_id, s.section_title, s.body
    FROM lessons_searchsection s JOIN lessons_searchlesson l ON l.id = s.lesson_id
    WHERE s.id IN ({marks})
"""
INDEX_VERSION = "SELECT id, built_at FROM lessons_searchindexstate ORDER BY id LIMIT 1"
# Each backend's sections of given lessons that match any word.
SECTION_MATCHES = {
    "sqlite": """
        SELECT s.id, s.lesson_id, bm25(lessons_searchsection_fts, 0.0, 4.0, 1.0)
        FROM lessons_searchsection_fts
        JOIN lessons_searchsection s ON s.id = lessons_searchsection_fts.rowid
        WHERE lessons_searchsection_fts MATCH %s
    """,
    "postgresql": """
        SELECT s.id, s.lesson_id, -ts_rank_cd(s.search_vector, query.q)
        FROM lessons_searchsection s, to_tsquery('english', %s) AS query(q)
        WHERE s.lesson_id = ANY(%s) AND s.search_vector @@ query.q
    """,
}


def _page_of_lessons(
    terms: Sequence[str], *, every: bool, track: str, category: str, offset: int, limit: int
) -> tuple[int, list[int]]:
    """How many lessons match, and the ids of those on the page, best first."""
    params: list[str | int] = []
    filters = ""
    if track:
        filters += " AND l.track = %s"
        params.append(track)
    if category:
        filters += " AND l.category = %s"
        params.append(category)
    if _vendor() == "sqlite":
        page_of, match = _sqlite_page_of_lessons, _sqlite_match(terms, every=every)
    else:
        page_of, match = _postgres_page_of_lessons, _postgres_query(terms, every=every)
    return page_of(match, filters=filters, params=params, offset=offset, limit=limit)


def _sqlite_page_of_lessons(
    match: str, *, filters: str, params: Sequence[str | int], offset: int, limit: int
) -> tuple[int, list[int]]:
    matches = SQLITE_MATCHES.format(join=SQLITE_FILTER_JOIN if filters else "", filters=filters)
    # No transaction: on SQLite one begins IMMEDIATE, taking the write lock, so a search would
    # wait for (and hold up) every write.
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_COUNT.format(matches=matches), [match, *params])
        total = int(cursor.fetchone()[0])
        if offset >= total:
            return total, []
        cursor.execute(SQLITE_PAGE.format(matches=matches), [match, *params, limit, offset])
        return total, [row[0] for row in cursor.fetchall()]


def _postgres_page_of_lessons(
    match: str, *, filters: str, params: Sequence[str | int], offset: int, limit: int
) -> tuple[int, list[int]]:
    matches = LESSON_MATCHES.format(filters=filters)
    # A transaction only for SET LOCAL.
    with transaction.atomic(), connection.cursor() as cursor:
        # A lesson's whole tsvector is large, so it lives compressed out of line (TOAST),
        # which the planner does not cost: for a common word it would scan every row and
        # read every lesson's vector where the GIN index reads none.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(PAGE_OF_LESSONS.format(matches=matches), [match, *params, limit, offset])
        rows = cursor.fetchall()
        if rows:
            return int(rows[0][1]), [row[0] for row in rows]
        if offset == 0:
            return 0, []
        # Past the last page: the window count has no row to ride on.
        cursor.execute(COUNT_LESSONS.format(matches=matches), [match, *params])
        return int(cursor.fetchone()[0]), []


def _best_sections(terms: Sequence[str], *, lesson_ids: Sequence[int]) -> dict[int, int]:
    """The id of the best section (with any of the words) of each of the lessons `lesson_ids`."""
    vendor = _vendor()
    if not lesson_ids:
        return {}
    if vendor == "sqlite":
        # The lesson_id column narrows the match to these lessons' sections inside FTS5.
        only = " OR ".join(f'"{lesson_id}"' for lesson_id in lesson_ids)
        words = _sqlite_match(terms, every=False)
        params: list[str | list[int]] = [f"lesson_id : ({only}) AND ({words})"]
    else:
        params = [_postgres_query(terms, every=False), list(lesson_ids)]
    best: dict[int, tuple[float, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(SECTION_MATCHES[vendor], params)
        for section_id, lesson_id, rank in cursor.fetchall():
            if lesson_id not in best or (rank, section_id) < best[lesson_id]:
                best[lesson_id] = (rank, section_id)
    return {lesson_id: section_id for lesson_id, (_, section_id) in best.items()}


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
    pattern = _marked_words(tuple(terms))
    if pattern is not None:
        marked = pattern.sub(r"<mark>\g<0></mark>", marked)
    return mark_safe(marked)  # noqa: S308 (built from escaped text only)


@lru_cache(maxsize=64)
def _marked_words(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """Words beginning as a term does (its first five letters, so "postmortems" too), in escaped
    text; built once per query rather than once per hit. Never the name inside an entity
    ("&quot;" for the word "quot"): marking it would break the entity."""
    stems = sorted(
        {re.escape(html.escape(term[:5])) for term in terms if len(term) > 1}, key=len, reverse=True
    )
    if not stems:
        return None
    return re.compile(r"(?<![&#])\b(" + "|".join(stems) + r")\w*", re.IGNORECASE)


def search_lessons(
    *, query: SearchQuery, track: str = "", category: str = "", offset: int = 0, limit: int
) -> SearchResults:
    """The matching lessons from `offset` on, best first, each with its best section.

    `track` and `category` are names as lessons state them. Lessons with every word come
    first; when none has them all, lessons with any of them. A lesson whose only match is its
    title or tagline is shown with its first section. Pages are cached until the index changes.
    """
    if not query.terms:
        return SearchResults(total=0, hits=())
    version = _index_version()
    # No version when rows were written without a build (a re-sync before any): nothing to key on.
    key = None
    if version is not None:
        key = _results_key(
            version=version,
            terms=query.terms,
            track=track,
            category=category,
            offset=offset,
            limit=limit,
        )
    found = None if key is None else cache.get(key)
    if not isinstance(found, SearchResults):
        found = _search_lessons(
            terms=query.terms, track=track, category=category, offset=offset, limit=limit
        )
        if key is not None:
            cache.set(key, found, RESULTS_CACHE_SECONDS)
    return found


def _forget_cached_results() -> None:
    """Leave every cached page of results behind: the search rows have changed."""
    SearchIndexState.objects.update(built_at=timezone.now())


def _index_version() -> str | None:
    """What changes whenever the search rows do: the build's row, its time bumped by re-syncs.

    Start-up's `index_lessons` digests the code in lessons/ with the lessons, so a deploy that
    changes it also rebuilds, and pages cached by the code before it are not read after it.
    """
    # Read on every search: plain SQL costs a tenth of the ORM's query here (17 against 150 us).
    with connection.cursor() as cursor:
        cursor.execute(INDEX_VERSION)
        state = cursor.fetchone()
    return None if state is None else f"{state[0]}:{state[1]}"


def _results_key(
    *, version: str, terms: Sequence[str], track: str, category: str, offset: int, limit: int
) -> str:
    # Hashed: the terms are the learner's words, of any length and alphabet.
    parts = "\x1f".join([version, "\x1e".join(terms), track, category, str(offset), str(limit)])
    return "lessons:search:" + hashlib.sha256(parts.encode()).hexdigest()


def _search_lessons(
    *, terms: Sequence[str], track: str, category: str, offset: int, limit: int
) -> SearchResults:
    total, ids = _page_of_lessons(
        terms, every=True, track=track, category=category, offset=offset, limit=limit
    )
    if not total and len(terms) > 1:
        total, ids = _page_of_lessons(
            terms, every=False, track=track, category=category, offset=offset, limit=limit
        )
    if not ids:
        return SearchResults(total=total, hits=())
    best = _best_sections(terms, lesson_ids=ids)
    missing = [lesson_id for lesson_id in ids if lesson_id not in best]
    # Plain SQL here too: the ORM took longer to build these two small queries than to run them.
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(FIRST_SECTIONS.format(marks=_marks(missing)), missing)
            best.update(cursor.fetchall())
        wanted = [best[lesson_id] for lesson_id in ids if lesson_id in best]
        found = {}
        if wanted:  # none when the lessons have no readable section
            cursor.execute(SHOWN_SECTIONS.format(marks=_marks(wanted)), wanted)
            found = {row[0]: row[1:] for row in cursor.fetchall()}
    hits = tuple(
        SectionHit(
            lesson_slug=slug,
            section_id=section_id,
            section_title=title,
            snippet=snippet(text=body, terms=terms),
        )
        for slug, section_id, title, body in (found[row] for row in wanted if row in found)
    )
    return SearchResults(total=total, hits=hits)


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))
