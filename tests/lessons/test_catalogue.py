from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import lessons.content
from content_registry import reset_store
from lessons.catalogue import PAGE_SIZE, browse_catalogue, catalogue_position, facet_slug
from lessons.content import get_catalogue
from lessons.search import MAX_QUERY_CHARS, parse_query, snippet, sync_search_index
from tests.conftest import LESSON_SLUG

LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"


def _copies(
    content: Path,
    *,
    count: int,
    track: str,
    category: str,
    prefix: str,
    source_slug: str = LESSON_SLUG,
) -> None:
    """Copies of a real lesson (the postmortem one unless told) with new slugs, as a large
    catalogue would have."""
    source = (content / source_slug / "lesson.md").read_text()
    for index in range(count):
        slug = f"{prefix}-{index:03d}"
        text = source.replace(f"slug: {source_slug}", f"slug: {slug}")
        text = re.sub(r"^track: .*$", f"track: {track}", text, count=1, flags=re.M)
        text = re.sub(r"^category: .*$", f"category: {category}", text, count=1, flags=re.M)
        text = re.sub(r"^number: .*$", f"number: {100 + index}", text, count=1, flags=re.M)
        text = re.sub(
            r"^title: .*$", f"title: {prefix.title()} lesson {index}", text, count=1, flags=re.M
        )
        (content / slug).mkdir()
        (content / slug / "lesson.md").write_text(text)
        # The figures it shows come along: a lesson showing a missing figure is broken.
        if (content / source_slug / "figures").is_dir():
            shutil.copytree(content / source_slug / "figures", content / slug / "figures")


def _front(folder: Path) -> str:
    lesson = folder / "lesson.md"
    return lesson.read_text() if lesson.is_file() else ""


@pytest.fixture
def big_catalogue(content_copy: Path, use_content_dir: Callable[[Path], None]) -> Path:
    # The counts below are of the copies alone: set aside the real lessons in the same tracks.
    for folder in content_copy.iterdir():
        if folder.is_dir() and re.search(r"^track: Explorers$", _front(folder), flags=re.M):
            shutil.rmtree(folder)
    _copies(
        content_copy,
        count=PAGE_SIZE + 6,
        track="Explorers",
        category="Safety Basics",
        prefix="explore",
    )
    _copies(
        content_copy,
        count=3,
        track="Adults & Professionals",
        category="Work & Careers",
        prefix="adult",
    )
    use_content_dir(content_copy)
    return content_copy


@pytest.fixture
def search_index(db: None) -> None:
    sync_search_index(lessons=get_catalogue().whole_lessons(), force=True)


def test_tracks_and_categories_are_listed_with_their_counts(big_catalogue: Path) -> None:
    page = browse_catalogue(catalogue=get_catalogue(), query=parse_query(raw=""), track="explorers")
    tracks = {facet.name: facet.count for facet in page.tracks}
    assert tracks["Explorers"] == PAGE_SIZE + 6
    assert tracks["Adults & Professionals"] == 3
    assert [facet.name for facet in page.tracks][:2] == ["Explorers", "Creators"]
    assert {facet.name: facet.count for facet in page.categories} == {
        "Safety Basics": PAGE_SIZE + 6
    }
    assert page.total == PAGE_SIZE + 6
    assert page.pages == 2
    assert len(page.entries) == PAGE_SIZE


def test_an_unknown_track_shows_every_track_and_says_why(big_catalogue: Path) -> None:
    page = browse_catalogue(catalogue=get_catalogue(), query=parse_query(raw=""), track="pirates")
    assert page.track == ""
    assert page.total == len(get_catalogue().lessons)
    assert "There is no such track" in page.notices[0]


def test_queries_keep_only_words() -> None:
    # "and" and "or" are stop words: in every lesson, so never searched for.
    assert parse_query(raw='postmortem AND "drift" OR NEAR(x*) -col:').terms == (
        "postmortem",
        "drift",
        "near",
        "x",
        "col",
    )
    assert parse_query(raw="\x00  ").terms == ()
    long = parse_query(raw="word " * 5000)
    assert len(long.text) == MAX_QUERY_CHARS
    assert "first" in long.notice
    assert parse_query(raw="*** ((( ").notice.startswith("Type a word")
    assert parse_query(raw="Café naïve 日本語").terms == ("café", "naïve", "日本語")


def test_a_query_of_only_stop_words_says_so() -> None:
    query = parse_query(raw="The and of")
    assert query.terms == ()
    assert "not searched for" in query.notice


def test_the_catalogue_browses_by_track_without_javascript(
    client: Client, big_catalogue: Path
) -> None:
    html = client.get("/").content.decode()
    assert 'href="?track=explorers"' in html
    assert f'Explorers <span class="facet-count">{PAGE_SIZE + 6}</span>' in html
    explorers = client.get("/?track=explorers").content.decode()
    assert f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 6} lessons" in explorers
    assert "Writing Postmortems for AI System Incidents" not in explorers
    assert 'rel="next" href="?track=explorers&amp;page=2"' in explorers
    second = client.get("/?track=explorers&page=2").content.decode()
    assert f"Showing {PAGE_SIZE + 1}–{PAGE_SIZE + 6} of {PAGE_SIZE + 6}" in second
    assert 'rel="prev"' in second


@pytest.mark.django_db
def test_search_finds_the_lesson_and_links_to_the_matching_section(
    client: Client, search_index: None
) -> None:
    response = client.get("/", {"q": "hallucinated refund"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "matching “hallucinated refund”" in html
    link = re.search(rf'<p class="search-hit">In <a href="({LESSON_URL}#[a-z0-9-]+)">', html)
    assert link, html
    assert "<mark>" in html
    lesson = client.get(LESSON_URL).content.decode()
    assert f'id="{link.group(1).split("#")[1]}"' in lesson


def _card(html: str, slug: str) -> str:
    start = html.index(f'<li class="card lesson-card" id="lesson-{slug}"')
    return html[start : html.index("</li>", start)]


@pytest.mark.django_db
def test_a_card_shows_the_same_lesson_when_browsing_and_in_search_results(
    client: Client, search_index: None
) -> None:
    browsed = _card(client.get("/?track=creators").content.decode(), LESSON_SLUG)
    found = _card(client.get("/?q=hallucinated").content.decode(), LESSON_SLUG)
    for card in (browsed, found):
        assert "Lesson 909 of 1596 · Creators · Ethics &amp; Society" in card
        assert f'<a href="{LESSON_URL}">Writing Postmortems for AI System Incidents</a>' in card
        assert "Run blameless postmortems specifically for AI system failures." in card
        assert "~21 min read · 35 min in all" in card
        assert f'data-progress-ring="{LESSON_SLUG}"' in card
    assert 'class="search-hit"' not in browsed
    hit = re.search(r'<p class="search-hit">In <a href="([^"]+)">', found)
    assert hit and hit.group(1).startswith(f"{LESSON_URL}#")
    # The hit's line stands between the tagline and the reading time, as it always has.
    assert found.index("AI system failures.") < found.index("search-hit") < found.index("min read")


def test_a_snippet_marks_matching_words_and_lets_no_html_through() -> None:
    text = 'Paste <script>alert("drift")</script> & watch drifting "quot" models'
    marked = snippet(text=text, terms=("drift", "script", "quot", "amp"))
    assert "<script>" not in marked
    assert "&lt;<mark>script</mark>&gt;" in marked
    assert "<mark>drifting</mark>" in marked
    # Entities stay whole even when a word searched for is their name.
    assert " &amp; watch" in marked
    assert "&quot;<mark>quot</mark>&quot;" in marked


@pytest.mark.django_db
def test_html_in_a_query_comes_back_escaped(client: Client, search_index: None) -> None:
    html = client.get("/", {"q": '"><script>alert(1)</script> drift'}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<mark>" in html


@pytest.mark.django_db
def test_search_within_a_track_and_shareable_addresses(
    client: Client, big_catalogue: Path, search_index: None
) -> None:
    html = client.get("/?track=adults-and-professionals&q=postmortem").content.decode()
    assert "3 lessons matching “postmortem”" in html
    assert 'name="track" value="adults-and-professionals"' in html
    none = client.get("/?track=creators&q=zzzyzzx").content.decode()
    assert "No lessons match “zzzyzzx”" in none
    assert "search every track" in none


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10_000,
        'AND OR NOT NEAR( "unclosed',
        "col:drift",
        "*",
        "日本語 ñ é \U0001f600",
        "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
        "-drift",
        "drift' OR 1=1 --",
    ],
)
def test_odd_queries_answer_with_a_page_not_an_error(
    client: Client, search_index: None, query: str
) -> None:
    response = client.get("/", {"q": query})
    assert response.status_code == 200
    assert b"Search lessons" in response.content


@pytest.mark.django_db
def test_bad_filters_answer_400_with_a_message(client: Client) -> None:
    nul = client.get("/", {"q": "\u0000drift"})
    assert nul.status_code == 400
    assert b"Null characters are not allowed." in nul.content
    response = client.get("/", {"track": "<script>"})
    assert response.status_code == 400
    assert b"Choose a track from the list." in response.content
    assert b"<script>" not in response.content
    assert client.get("/", {"page": "9" * 5000}).status_code == 200
    assert client.get("/", {"page": "-3"}).status_code == 200


@pytest.mark.django_db
def test_the_index_is_rebuilt_only_when_content_changes(
    content_copy: Path, use_content_dir: Callable[[Path], None]
) -> None:
    use_content_dir(content_copy)
    assert sync_search_index(lessons=get_catalogue().whole_lessons()) is True
    assert sync_search_index(lessons=get_catalogue().whole_lessons()) is False
    _copies(content_copy, count=1, track="Explorers", category="Safety Basics", prefix="new")
    use_content_dir(content_copy)
    assert sync_search_index(lessons=get_catalogue().whole_lessons()) is True


def test_the_lesson_header_links_to_its_place_in_the_catalogue(
    client: Client, big_catalogue: Path
) -> None:
    html = client.get("/lessons/explore-029/").content.decode()
    href = re.search(r'<a href="([^"]+)">Lesson 129 of', html).group(1).replace("&amp;", "&")
    assert href == "/?track=explorers&page=2#lesson-explore-029"
    assert 'id="lesson-explore-029"' in client.get(href.split("#")[0]).content.decode()


def test_every_lesson_links_to_the_listing_page_that_shows_its_card(big_catalogue: Path) -> None:
    catalogue = get_catalogue()
    pages = set()
    for lesson in catalogue.lessons:
        track, page = catalogue_position(lesson=lesson, catalogue=catalogue)
        listing = browse_catalogue(
            catalogue=catalogue, query=parse_query(raw=""), track=track, page=page
        )
        assert lesson.slug in [entry.lesson.slug for entry in listing.entries]
        pages.add((track, page))
    assert ("explorers", 2) in pages


def test_facet_slugs_are_readable() -> None:
    assert facet_slug("Adults & Professionals") == "adults-and-professionals"
    assert facet_slug("Ethics & Society") == "ethics-and-society"


@pytest.mark.django_db
def test_index_lessons_parses_no_lesson_when_content_is_unchanged(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("index_lessons")
    assert "Search index rebuilt" in capsys.readouterr().out
    reset_store()

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged catalogue was parsed to check its search index")

    monkeypatch.setattr(lessons.content, "load_lesson", no_parsing)
    call_command("index_lessons")
    assert "Search index already up to date" in capsys.readouterr().out

    monkeypatch.undo()
    path = content_copy / LESSON_SLUG / "lesson.md"
    path.write_text(path.read_text().replace("## Further reading", "## More reading", 1))
    reset_store()
    call_command("index_lessons")
    assert "Search index rebuilt" in capsys.readouterr().out


@pytest.fixture
def many_matches(content_copy: Path, use_content_dir: Callable[[Path], None]) -> Path:
    """More lessons matching one word than a page, or the old 500-section cap, could hold."""
    # Copies of the shortest real lesson: what is counted and paged is the same, for a fifth of
    # the parsing.
    short = "writing-your-own-hs-ai-honor-code"
    for count, track, category, prefix in (
        (400, "Explorers", "Safety Basics", "zorblatt"),
        (150, "Creators", "Everyday AI", "zorblatt-b"),
    ):
        _copies(
            content_copy,
            count=count,
            track=track,
            category=category,
            prefix=prefix,
            source_slug=short,
        )
    use_content_dir(content_copy)
    sync_search_index(lessons=get_catalogue().whole_lessons(), force=True)
    return content_copy


def _cards(html: str) -> list[str]:
    return re.findall(r'data-lesson-slug="([^"]+)"', html)


@pytest.mark.django_db
def test_search_counts_every_matching_lesson_and_filters_before_paging(
    client: Client, many_matches: Path
) -> None:
    everywhere = client.get("/?q=zorblatt").content.decode()
    assert f"Showing 1–{PAGE_SIZE} of 550 lessons matching" in everywhere
    # The word is only in their titles: each links to its lesson's first section.
    assert everywhere.count('#premise">The premise</a>') == PAGE_SIZE
    creators = client.get("/?track=creators&q=zorblatt").content.decode()
    assert f"Showing 1–{PAGE_SIZE} of 150 lessons matching" in creators
    seen: list[str] = []
    for page in range(1, 150 // PAGE_SIZE + 2):
        html = client.get(f"/?track=creators&q=zorblatt&page={page}").content.decode()
        seen += _cards(html)
    assert len(seen) == len(set(seen)) == 150
    assert all(slug.startswith("zorblatt-b-") for slug in seen)
    past_the_end = client.get("/?track=creators&q=zorblatt&page=99").content.decode()
    assert "showing the last" in past_the_end
    assert set(_cards(past_the_end)) == set(seen[-(150 % PAGE_SIZE) :])


@pytest.mark.django_db
def test_the_last_word_matches_as_a_prefix(client: Client, search_index: None) -> None:
    html = client.get("/", {"q": "blameless postmor"}).content.decode()
    assert "Writing Postmortems for AI System Incidents" in html
    assert "Writing Postmortems" in client.get("/", {"q": "postmor"}).content.decode()
    # Two letters would match most words: too short to be taken as a prefix.
    assert "No lessons match" in client.get("/", {"q": "po"}).content.decode()


@pytest.mark.django_db
def test_a_search_of_only_stop_words_browses_and_says_why(
    client: Client, search_index: None
) -> None:
    response = client.get("/", {"q": "the and of"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "not searched for" in html
    assert "Writing Postmortems for AI System Incidents" in html


@pytest.mark.django_db
def test_with_reload_search_finds_an_edited_title_on_the_next_request(
    client: Client,
    content_copy: Path,
    use_content_dir: Callable[[Path], None],
    settings: pytest.FixtureRequest,
) -> None:
    settings.CONTENT_RELOAD = True
    use_content_dir(content_copy)
    sync_search_index(lessons=get_catalogue().whole_lessons(), force=True)
    assert "No lessons match" in client.get("/", {"q": "quokkas"}).content.decode()
    path = content_copy / LESSON_SLUG / "lesson.md"
    old = get_catalogue().by_slug[LESSON_SLUG].title
    path.write_text(path.read_text().replace(f"title: {old}", "title: Postmortems for quokkas", 1))
    html = client.get("/", {"q": "quokkas"}).content.decode()
    assert "1 lesson matching “quokkas”" in html
    assert f'href="{LESSON_URL}#' in html
    assert f'<a href="{LESSON_URL}">Postmortems for quokkas</a>' in html
    path.write_text(path.read_text().replace("for quokkas", "for wombats", 1))
    assert "No lessons match" in client.get("/", {"q": "quokkas"}).content.decode()
    html = client.get("/", {"q": "wombats"}).content.decode()
    assert "1 lesson matching “wombats”" in html
    assert "Postmortems for wombats" in html
    assert "Postmortems for quokkas" not in client.get("/").content.decode()


def _full_text_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if re.search(r"MATCH|to_tsquery", q["sql"])]


@pytest.mark.django_db
def test_the_same_search_again_is_answered_without_searching_the_index(
    client: Client, search_index: None
) -> None:
    with CaptureQueriesContext(connection) as first:
        before = client.get("/", {"q": "blameless postmortem", "page": "1"}).content.decode()
    assert _full_text_queries(first)
    with CaptureQueriesContext(connection) as again:
        after = client.get("/", {"q": "blameless postmortem", "page": "1"}).content.decode()
    assert not _full_text_queries(again)
    assert _cards(after) == _cards(before) != []
    assert re.findall(r'class="search-hit".*', after) == re.findall(r'class="search-hit".*', before)


@pytest.mark.django_db
def test_after_a_rebuild_search_finds_what_the_index_now_holds(
    client: Client, content_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pages of results kept from before a rebuild are never shown after it."""
    call_command("index_lessons")
    assert "No lessons match" in client.get("/", {"q": "quokkas"}).content.decode()
    assert "Postmortems for quokkas" not in client.get("/", {"q": "postmortems"}).content.decode()
    path = content_copy / LESSON_SLUG / "lesson.md"
    old = get_catalogue().by_slug[LESSON_SLUG].title
    path.write_text(path.read_text().replace(f"title: {old}", "title: Postmortems for quokkas", 1))
    reset_store()
    call_command("index_lessons")
    assert "Search index rebuilt" in capsys.readouterr().out
    html = client.get("/", {"q": "quokkas"}).content.decode()
    assert "1 lesson matching “quokkas”" in html
    assert f'<a href="{LESSON_URL}">Postmortems for quokkas</a>' in html
    assert "Postmortems for quokkas" in client.get("/", {"q": "postmortems"}).content.decode()
