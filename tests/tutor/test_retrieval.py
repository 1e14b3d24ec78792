from __future__ import annotations

import pytest

from lessons.content import Lesson, get_lesson
from lessons.rendering import render_markdown
from tutor.evaluation import load_dev_sets
from tutor.language import (
    describes,
    english_spelling,
    lemma,
    other_lemmas,
    spelling_variants,
    tokens,
)
from tutor.retrieval import (
    LONG_UNIT_WORDS,
    Passage,
    Unit,
    acronyms,
    build_index,
    definitions,
    index_lesson,
    lesson_units,
    unit_passages,
)
from tutor.retrieval import _units_of_html as units_of_html

TABLE = """
Intro paragraph that stands on its own.

Three things matter:

- **First.** The first thing.
- **Second.** The second thing.

| Before (blameful) | After (blameless) |
| :--- | :--- |
| Sam broke it. | The pipeline allowed the change. |
"""


def test_units_follow_the_lessons_structure_with_their_page_anchors() -> None:
    html = render_markdown(TABLE, id_prefix="demo")
    units = units_of_html("demo", "Demo", html)
    assert [(u.kind, u.text) for u in units] == [
        ("paragraph", "Intro paragraph that stands on its own."),
        ("item", "Three things matter: First. The first thing."),
        ("item", "Three things matter: Second. The second thing."),
        (
            "row",
            "Before (blameful): Sam broke it. — After (blameless): The pipeline allowed the change.",
        ),
    ]
    assert [u.anchor for u in units] == ["demo--p1", "demo--li1", "demo--li2", "demo--tr2"]
    for unit in units:
        assert f'id="{unit.anchor}"' in html


@pytest.mark.parametrize("slug", [dev_set.lesson for dev_set in load_dev_sets()])
def test_a_lead_in_is_never_a_unit_of_its_own(slug: str) -> None:
    lesson = get_lesson(slug)
    assert lesson is not None
    for unit in lesson_units(lesson):
        assert not unit.text.rstrip().endswith(":"), unit


def test_a_lead_in_to_a_quotation_is_one_unit_with_it_cited_at_the_lead_in() -> None:
    html = render_markdown(
        'You do not need perfect words. You can say:\n\n> "Please look at this."\n\n'
        "A paragraph after it.",
        id_prefix="say",
    )
    units = units_of_html("say", "What to say", html)
    assert [(u.anchor, u.text) for u in units] == [
        ("say--p1", 'You do not need perfect words. You can say: "Please look at this."'),
        ("say--p3", "A paragraph after it."),
    ]
    assert 'id="say--p1"' in html


def test_a_table_row_is_labelled_with_its_column_headers() -> None:
    row = units_of_html("demo", "Demo", render_markdown(TABLE, id_prefix="demo"))[-1]
    assert row.labels == ("Before (blameful)", "After (blameless)")


def test_items_of_a_numbered_list_carry_their_number_and_bullets_none() -> None:
    markdown = (
        "Do these in order:\n\n1. Pause.\n2. Check the source.\n\n"
        "Then remember:\n\n- Stay calm.\n- Ask for help.\n\n"
        "Later:\n\n5. Share what you found.\n"
    )
    units = units_of_html("demo", "Demo", render_markdown(markdown, id_prefix="demo"))
    assert [(unit.marker, unit.text) for unit in units] == [
        ("1.", "Do these in order: Pause."),
        ("2.", "Do these in order: Check the source."),
        ("", "Then remember: Stay calm."),
        ("", "Then remember: Ask for help."),
        ("5.", "Later: Share what you found."),
    ]
    assert Passage(units[1], units[1].text).shown == "Do these in order: 2. Check the source."


def test_a_definition_names_its_other_name_and_a_hyphenated_term_either_way() -> None:
    found = definitions(
        "Attribution, or credit, means naming who contributed. AI-generated means the AI made it."
    )
    assert frozenset({"attribut"}) in found
    assert frozenset({"credit"}) in found
    assert frozenset({"ai", "generat"}) in found  # asked as "ai generated"


def test_a_sentence_opening_with_its_bold_term_defines_it_without_an_article() -> None:
    text = "Content credentials are information stored inside a file. They record edits."
    assert frozenset({"content", "credenti"}) in definitions(text, term="Content credentials")
    assert not definitions(text)  # without the bold term, "are information" defines nothing


def test_a_passage_saying_what_the_lesson_will_do_is_never_an_answer() -> None:
    units = [
        Unit(
            "a--p1", "a", "A", "This lesson shows you how to decide when to credit AI.", "paragraph"
        ),
        Unit(
            "a--p2", "a", "A", "Decide by asking whether a reader would feel misled.", "paragraph"
        ),
    ]
    hits = build_index(units).search(build_index(units).parse("how do i decide"))
    assert hits[0].passage.unit == units[1]
    assert all(hit.score == 0 for hit in hits if hit.passage.unit == units[0])


def test_a_row_whose_cells_and_headers_do_not_pair_up_is_shown_as_one_line() -> None:
    # Markdown pairs them; a table written in HTML may not.
    html = "<table><tr><th>Who</th><th>What</th></tr><tr><td>Sam</td></tr></table>"
    row = units_of_html("demo", "Demo", html)[-1]
    assert row.kind == "row"
    assert Passage(row, row.text).cells == ()


def test_every_unit_of_the_lesson_has_an_anchor_on_the_page(lesson: Lesson) -> None:
    body = "".join(section.html for section in lesson.sections)
    front = {"premise", "does-well", "cannot-do"}
    for unit in lesson_units(lesson):
        if unit.section_id in front:
            assert unit.anchor == unit.section_id
        elif unit.section_id == "apply":
            assert unit.anchor.startswith("checklist-")
        elif unit.section_id == "key-insights":
            assert unit.anchor.startswith("insight-")
        else:
            assert f'id="{unit.anchor}"' in body, unit


def test_a_long_paragraph_is_searched_as_a_sentence_with_its_neighbours() -> None:
    sentences = [
        f"Sentence number {n} talks about topic {n} at some length here." for n in range(9)
    ]
    unit = Unit("a--p1", "a", "A", " ".join(sentences), "paragraph")
    assert len(unit.text.split()) > LONG_UNIT_WORDS
    passages = unit_passages(unit)
    assert passages[0].text == " ".join(sentences[:2])
    assert passages[4].text == " ".join(sentences[3:6])
    assert all(p.text in unit.text for p in passages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what's the point", ["what", "is", "the", "point"]),
        ("whats the point", ["what", "is", "the", "point"]),
        ("I can't, we dont", ["i", "can", "not", "we", "do", "not"]),
        ("google's book", ["google", "book"]),
    ],
)
def test_contractions_are_spelt_out_with_or_without_the_apostrophe(
    text: str, expected: list[str]
) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"), [("wrote", "write"), ("kept", "keep"), ("held", "hold")]
)
def test_irregular_forms_share_a_lemma(word: str, expected: str) -> None:
    assert lemma(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("becuase", "because"),
        ("teh", "the"),
        ("seperate", "separate"),
        # Two edits, both of doubling: a doubled letter single and a single one doubled.
        ("dissapear", "disappear"),
    ],
)
def test_misspelt_english_words_are_corrected_from_the_shipped_dictionary(
    word: str, expected: str
) -> None:
    assert english_spelling(word) == expected


@pytest.mark.parametrize("word", ["math", "selfie", "emoji"])
def test_english_words_the_frequency_list_lacks_are_not_taken_for_typos(word: str) -> None:
    # "math" is no typo of "match", though symspellpy's list has only "maths".
    assert english_spelling(word) is None


def test_a_misspelt_lesson_word_is_corrected_to_the_lesson_word(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    query = index.parse("postmortm template")
    assert query.terms == index.parse("postmortem template").terms
    assert all(query.known)


def test_a_rare_word_weighs_more_than_an_everyday_one(lesson: Lesson) -> None:
    query = index_lesson(lesson).parse("kubernetes time")
    assert query.weights[0] > query.weights[1]
    assert query.known == (False, True)


def test_an_index_needs_a_unit() -> None:
    with pytest.raises(ValueError, match="at least one passage"):
        build_index([])


def test_search_ranks_the_unit_about_the_question_first() -> None:
    index = build_index(
        [
            Unit("a--p1", "a", "Apples", "Apples grow on trees in orchards.", "paragraph"),
            Unit("b--p1", "b", "Boats", "Boats float on water.", "paragraph"),
        ]
    )
    hits = index.search(index.parse("where do apples grow"))
    assert hits[0].passage.anchor == "a--p1"
    assert index.search(index.parse("zzzz qqqq")) == []


def test_a_sentence_saying_what_something_is_defines_it() -> None:
    text = (
        "A postmortem is the written record a team makes. A postmortem is read widely. "
        "Blameless does not mean quiet. It is a habit."
    )
    assert definitions(text) == (frozenset({"postmortem"}), frozenset({"blameless"}))


def test_names_spelt_out_are_found_by_their_acronyms() -> None:
    found = acronyms(
        "Google's Site Reliability Engineering book and the National Institute of Standards "
        "and Technology say so."
    )
    assert {"sre", "nist"} <= set(found)
    assert "ai" not in acronyms("Acme Insurance")  # two letters: too often a word
    index = build_index(
        [
            Unit("a--p1", "a", "Blame", "Site Reliability Engineering says blame.", "paragraph"),
            Unit("b--p1", "b", "Boats", "Boats float on water.", "paragraph"),
        ]
    )
    assert index.search(index.parse("what does sre say"))[0].passage.anchor == "a--p1"


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("honour", "honor"),
        ("organise", "organize"),
        ("analysed", "analyzed"),
        ("center", "centre"),
        ("gray", "grey"),
    ],
)
def test_british_and_american_spellings_are_variants_of_each_other(word: str, other: str) -> None:
    assert other in spelling_variants(word)


def test_a_word_form_has_the_lemmas_of_its_other_readings() -> None:
    assert "feel" in other_lemmas("felt")  # simplemma reads it as the noun
    assert "leave" in other_lemmas("left")


@pytest.mark.parametrize(
    ("word", "describing"),
    [("confess", True), ("vague", True), ("early", True), ("python", False), ("kubernetes", False)],
)
def test_words_that_can_only_describe_are_told_from_words_that_name(
    word: str, describing: bool
) -> None:
    assert describes(word) is describing


def test_a_describing_word_the_lesson_lacks_weighs_less_than_a_naming_one(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    described = index.parse("should i confess")
    named = index.parse("should i kubernetes")
    assert not described.known[0] and not named.known[0]
    assert described.weights[0] < named.weights[0] / 2
