"""Grounded answers: short answers made only of retrieved lesson sentences, with citations.

With the optional chat backend (tutor.llm) the answer may be a rephrasing of those sentences,
used only when every sentence of it is supported by them.

When the evidence is weak the tutor refuses and suggests sections it can answer from. The
thresholds below are tuned on the whole dev set (tests/tutor/dev_set.yaml), never per question:
`manage.py eval_tutor` prints the sweep they were chosen from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lessons.content import Lesson
from tutor.llm import rephrase
from tutor.retrieval import Hit, LessonIndex, Passage, Query, index_lesson

# Refuse unless the best passage's relevance (its BM25 score as a share of the most the
# question could score, `Hit.relevance`) is at least this ...
MIN_RELEVANCE = 0.05
# ... and at least this share of the question's content words occur in the lesson ...
MIN_COVERAGE = 0.67
# ... and more than half of them in the section the answer comes from ...
MIN_SECTION_COVERAGE = 0.5
# ... and a sentence of the answer shares more than one incidental word with the question
# (`LessonIndex.is_anchored`), the best one uses the words of what it asks for ("how do I
# <verb>", "which is best": `LessonIndex.answers_the_ask`), and a "what is X?" question asks
# about a topic of the lesson (`LessonIndex.defines`).
# A further sentence joins the answer only when it ranks close to the best one: closer still
# when it comes from another section, so an answer does not wander round the lesson.
COMPANION_RATIO = 0.7
OTHER_SECTION_RATIO = 0.9
MAX_SENTENCES = 3
MAX_ANSWER_CHARS = 600
QUOTE_CHARS = 160
SUGGESTIONS = 3
REFUSAL = "I can’t find that in this lesson, so I won’t guess."


@dataclass(frozen=True)
class Citation:
    section_id: str
    section_title: str
    quote: str

    def as_json(self) -> dict[str, str]:
        return {
            "section_id": self.section_id,
            "section_title": self.section_title,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Suggestion:
    """A section the tutor can answer from, offered when it refuses."""

    section_id: str
    section_title: str


@dataclass(frozen=True)
class TutorAnswer:
    answer: str
    grounded: bool
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    # The passages the answer was made from (empty on a refusal); not part of the JSON.
    passages: tuple[Passage, ...] = field(default=(), repr=False)
    # True when the optional chat backend's supported rephrasing is the answer text.
    rephrased: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "grounded": self.grounded,
            "citations": [citation.as_json() for citation in self.citations],
        }


def answer_question(*, lesson: Lesson, question: str) -> TutorAnswer:
    """Answer from the lesson's own sentences, or refuse when the lesson does not cover it."""
    index = index_lesson(lesson)
    query = index.parse(question)
    hits = index.search(query)
    passages = choose_passages(hits) if hits else []
    if not is_covered(index, query, hits, passages):
        return refusal(lesson, hits)
    rephrased = rephrase(question=question, passages=passages)
    return TutorAnswer(
        answer=rephrased or " ".join(passage.text for passage in passages),
        grounded=True,
        citations=cite(passages),
        passages=tuple(passages),
        rephrased=rephrased is not None,
    )


def is_covered(
    index: LessonIndex, query: Query, hits: Sequence[Hit], passages: Sequence[Passage]
) -> bool:
    """Strong enough evidence, and the question's own words are the lesson's words.

    `passages` are the ones the answer would be made of (`choose_passages(hits)`).
    """
    if not hits:
        return False
    best = hits[0]
    return (
        best.relevance >= MIN_RELEVANCE
        and query.coverage >= MIN_COVERAGE
        and index.section_coverage(query, best.passage.section_id) > MIN_SECTION_COVERAGE
        and any(index.is_anchored(query, passage) for passage in passages)
        and index.answers_the_ask(query, best.passage)
        and index.defines(query)
    )


def choose_passages(hits: Sequence[Hit]) -> list[Passage]:
    """The best passage, and up to two more that rank nearly as well (no repeats)."""
    best = hits[0]
    chosen = [best.passage]
    length = len(best.passage.text)
    for hit in hits[1:]:
        if len(chosen) == MAX_SENTENCES or hit.score < COMPANION_RATIO * best.score:
            break
        elsewhere = hit.passage.section_id != best.passage.section_id
        if elsewhere and hit.score < OTHER_SECTION_RATIO * best.score:
            continue
        if hit.relevance < MIN_RELEVANCE or any(hit.passage.text == p.text for p in chosen):
            continue
        if length + len(hit.passage.text) > MAX_ANSWER_CHARS:
            continue
        chosen.append(hit.passage)
        length += len(hit.passage.text)
    return chosen


def cite(passages: Sequence[Passage]) -> tuple[Citation, ...]:
    """One citation per section used, in the order the answer uses them."""
    citations: dict[str, Citation] = {}
    for passage in passages:
        if passage.section_id not in citations:
            citations[passage.section_id] = Citation(
                section_id=passage.section_id,
                section_title=passage.section_title,
                quote=shorten(passage.text, QUOTE_CHARS),
            )
    return tuple(citations.values())


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def refusal(lesson: Lesson, hits: Sequence[Hit]) -> TutorAnswer:
    """Say plainly that the lesson does not cover it, and offer sections it does cover."""
    suggestions = suggest_sections(lesson, hits)
    titles = [f"“{s.section_title}”" for s in suggestions]
    offer = ", ".join(titles[:-1]) + f" or {titles[-1]}" if len(titles) > 1 else titles[0]
    return TutorAnswer(
        answer=f"{REFUSAL} I can help with questions about {offer}.",
        grounded=False,
        suggestions=tuple(suggestions),
    )


def suggest_sections(lesson: Lesson, hits: Sequence[Hit]) -> list[Suggestion]:
    """Sections the weak evidence pointed at, then the lesson's first main sections."""
    ids = [hit.passage.section_id for hit in hits]
    ids += [section.id for section in lesson.sections]
    ids += [section_id for section_id, _ in lesson.outline]
    unique = list(dict.fromkeys(ids))[:SUGGESTIONS]
    return [Suggestion(section_id=sid, section_title=lesson.section_title(sid)) for sid in unique]
