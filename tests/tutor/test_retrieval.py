from __future__ import annotations

from lessons.content import Lesson
from quiz.bank import get_question_bank
from tutor.retrieval import (
    Passage,
    build_index,
    edit_distance,
    get_lesson_index,
    index_lesson,
    lesson_passages,
    quiz_passages,
    split_sentences,
    stem,
)


def section_of_best_hit(lesson: Lesson, question: str) -> str:
    index = index_lesson(lesson)
    hits = index.search(index.parse(question))
    assert hits, f"nothing found for {question!r}"
    return hits[0].passage.section_id


def test_sentences_are_split_and_a_one_word_sentence_joins_the_next() -> None:
    text = "Drift. The world changed under the model. Models hallucinate; that is known."
    assert split_sentences(text) == [
        "Drift. The world changed under the model.",
        "Models hallucinate; that is known.",
    ]


def test_every_readable_section_is_indexed_and_every_passage_is_text_of_its_section(
    lesson: Lesson,
) -> None:
    passages = lesson_passages(lesson)
    assert {p.section_id for p in passages} == {sid for sid, _ in lesson.outline}
    texts = {part.id: " ".join(part.text.split()) for part in lesson.readable_sections}
    for passage in passages:
        assert passage.text in texts[passage.section_id]
        assert passage.section_title == lesson.section_title(passage.section_id)


def test_subheadings_are_search_context_not_answer_text(lesson: Lesson) -> None:
    meeting = [p for p in lesson_passages(lesson) if "How to run the meeting" in p.context]
    assert meeting
    assert all(not p.text.startswith("How to run the meeting") for p in meeting)


def test_stemming_finds_other_forms_of_a_word(lesson: Lesson) -> None:
    assert stem("hallucinations") == stem("hallucinated")
    index = index_lesson(lesson)
    hits = index.search(index.parse("hallucinations"))
    assert hits
    assert all("hallucinat" in hit.passage.text.lower() for hit in hits[:3])


def test_quiz_explanations_are_indexed_under_the_section_they_explain(lesson: Lesson) -> None:
    bank = get_question_bank(lesson.slug)
    assert bank is not None
    from_quiz = quiz_passages(lesson)
    assert {p.section_id for p in from_quiz} == {q.section_id for q in bank.questions}
    assert all(p.source == "quiz" for p in from_quiz)
    assert set(from_quiz) <= set(index_lesson(lesson).passages)
    explanation = bank.questions[0].explanation
    assert all(p.text in " ".join(explanation.split()) for p in from_quiz[:1])


def test_table_rows_are_searched_under_their_column_headings(lesson: Lesson) -> None:
    rows = [p for p in lesson_passages(lesson) if p.text.startswith("Header Title, date")]
    assert len(rows) == 1
    assert "What goes in it" in rows[0].context
    assert not any(p.text.startswith("Section What goes in it") for p in lesson_passages(lesson))


def test_a_misspelt_lesson_word_is_corrected_but_a_short_real_word_is_not(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    assert stem("postmortem") in index.parse("postmortm templat").terms
    assert index.parse("seperate timeline").coverage == 1.0
    # "store" is one letter from "story", but it is a real word about something else.
    assert "store" not in index.parse("feature store").known_words


def test_the_section_that_explains_a_topic_outranks_a_passing_mention(lesson: Lesson) -> None:
    assert section_of_best_hit(lesson, "swiss cheese layers") == "contributing-factors"
    assert section_of_best_hit(lesson, "EU AI Act article 73") == "harm-and-disclosure"


def test_a_question_with_no_lesson_words_finds_nothing(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    query = index.parse("capital of France")
    assert query.coverage == 0.0
    assert index.search(query) == []


def test_the_index_is_built_once_per_lesson_and_unknown_lessons_have_none(
    lesson: Lesson,
) -> None:
    assert get_lesson_index(lesson.slug) is get_lesson_index(lesson.slug)
    assert get_lesson_index("no-such-lesson") is None


def test_build_index_is_a_pure_function_of_its_passages() -> None:
    index = build_index(
        [
            Passage(section_id="a", section_title="Apples", text="Apples grow on trees."),
            Passage(section_id="b", section_title="Boats", text="Boats float on water."),
        ]
    )
    hits = index.search(index.parse("where do apples grow?"))
    assert [hit.passage.section_id for hit in hits] == ["a"]


def test_edit_distance_counts_a_swap_of_neighbours_once() -> None:
    assert edit_distance("seperate", "separate", limit=2) == 1
    assert edit_distance("teh", "the", limit=2) == 1
    assert edit_distance("kitten", "sitting", limit=1) == 2  # gives up above the limit
