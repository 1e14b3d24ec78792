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
    question_asks,
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


def test_the_lessons_topics_are_its_title_headings_and_defined_terms(lesson: Lesson) -> None:
    topics = index_lesson(lesson).topics
    assert {stem("postmortem"), stem("drift"), stem("guardrail"), stem("timeline")} <= topics
    # Words the lesson only uses in passing are not topics.
    assert stem("name") not in topics
    assert stem("time") not in topics


def test_relevance_is_the_share_of_the_most_the_question_could_score(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    whole = index.search(index.parse("swiss cheese"))[0]
    half = index.search(index.parse("swiss cheese sourdough bread"))[0]
    assert whole.passage == half.passage
    assert 0 < half.relevance < whole.relevance <= 1
    # A word the lesson never uses counts at the most a word can weigh.
    query = index.parse("swiss sourdough")
    assert index.attainable_score(query) == index.idf[stem("swiss")] + index.unseen_idf


def test_one_shared_word_anchors_an_answer_only_when_it_is_a_topic_of_the_lesson() -> None:
    index = build_index(
        [
            Passage(section_id="a", section_title="Apples", text="Name the apple you grow."),
            Passage(section_id="b", section_title="Boats", text="Boats float on water."),
        ]
    )
    apples, _boats = index.passages
    assert index.is_anchored(index.parse("apple?"), apples)  # in a heading
    assert not index.is_anchored(index.parse("your name?"), apples)
    assert index.is_anchored(index.parse("name an apple"), apples)  # two words in common
    assert not index.is_anchored(index.parse("name a boat"), apples)


def test_a_section_covers_other_forms_of_a_word_the_stemmer_keeps_apart(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    assert stem("failing") != stem("failure")
    query = index.parse("failing coverage")
    assert index.section_coverage(query, "postmortem-template") == 1.0


def test_a_learner_word_also_finds_the_lesson_word_the_vocabulary_relates_to_it() -> None:
    passages = [
        Passage(section_id="a", section_title="Owners", text="Every team is accountable for it."),
        Passage(section_id="b", section_title="Boats", text="Boats float on water."),
    ]
    plain = build_index(passages)
    assert plain.parse("who is responsible").coverage == 0.0
    index = build_index(passages, vocabulary={"responsible": ["accountable", "liable"]})
    query = index.parse("who is responsible")
    assert query.coverage == 1.0  # "responsible" is known through "accountable"
    assert query.related == ((stem("accountable"),),)  # "liable" is not in this lesson
    assert [hit.passage.section_id for hit in index.search(query)] == ["a"]
    # The related word counts less than the learner's own word would.
    assert (
        index.search(query)[0].passage_score
        < index.search(index.parse("accountable"))[0].passage_score
    )


def test_a_two_word_vocabulary_entry_applies_only_to_the_phrase() -> None:
    passages = [
        Passage(section_id="a", section_title="Causes", text="Only the team can determine it."),
        Passage(section_id="b", section_title="Work", text="The work is done."),
    ]
    index = build_index(passages, vocabulary={"work out": ["determine"]})
    assert index.parse("can we work out the cause").related[0] == (stem("determine"),)
    assert index.parse("can we work on the cause").related[0] == ()


def test_what_a_question_asks_for_is_its_procedure_verb_or_a_ranking() -> None:
    assert question_asks("how do I get a refund") == (stem("get"),)
    assert question_asks("how exactly do i record the model version") == (stem("record"),)
    assert question_asks("what temperature should my model use") == (stem("use"),)
    assert question_asks("how do I fine-tune a model") == (stem("fine"), stem("tune"))
    assert question_asks("which model version is the best") == (stem("best"),)
    assert question_asks("what should i do this week") == ()  # an auxiliary asks nothing
    assert question_asks("why cant i just use our template") == ()  # a reason, not a procedure


def test_a_what_is_question_is_defined_only_for_a_topic_of_the_lesson(lesson: Lesson) -> None:
    index = index_lesson(lesson)
    assert index.defines(index.parse("what is an attribution narrative"))
    assert index.defines(index.parse("whats drift?"))
    assert not index.defines(index.parse("what is site reliability engineering"))
    assert index.defines(index.parse("site reliability engineering book"))  # not a "what is"
