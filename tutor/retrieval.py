"""Retrieval over one lesson: sentence passages with their section ids, ranked by BM25.

Pure functions over data: `lesson_passages()` cuts a lesson into passages, `build_index()` makes
a searchable `LessonIndex`; `get_lesson_index()` caches one index per lesson for the process.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

from lessons.content import ContentError, Lesson, get_lesson
from lessons.rendering import html_to_text
from quiz.bank import get_question_bank

# Words that carry no topic. Larger than bm25s' list because learners' questions are full of them.
STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself no nor of off on once only or
    other our ours ourselves out over own same she so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours yourself
    yourselves s t d ll m o re ve y can should shall may might must get got one ones us im
    ive id youre dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt
    hasnt havent hadnt whats hows whos thats theres lets hey hi hello ok okay pls please
    thanks u ur r wat vs versus anyway anyways really just actually basically exactly stuff
    thing things explain explained tell mean means meaning define definition describe kind
    sort like example examples eg
"""
STOPWORDS = frozenset(STOPWORD_TEXT.split())
# One spelling for words learners shorten or negate, so "can't" finds "What AI cannot do".
SPELLINGS = {
    "cant": "cannot",
    "eval": "evaluation",
    "evals": "evaluations",
    "ppl": "people",
    "postmortems": "postmortem",
}
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’')]))\s+(?=[\"“‘(]?[A-Z0-9])")
BLOCK = re.compile(r"<(p|li|h[3-6]|tr|pre|blockquote)\b[^>]*>(.*?)</\1>", re.S | re.I)
SUBHEADING = re.compile(r"h[3-6]", re.I)
# A "sentence" this short ("Drift.") reads better joined to the one after it.
MIN_PASSAGE_WORDS = 5
# How much the section around a sentence counts when ranking it (tuned on the dev set): the
# sum of its best EVIDENCE_DEPTH sentence scores, and BM25 over the section as one document.
EVIDENCE_WEIGHT = 1.0
EVIDENCE_DEPTH = 3
SECTION_WEIGHT = 0.5
# Sections that recap points the body explains; the explanation is the better citation.
RECAP_SECTIONS = frozenset({"premise", "key-insights"})
RECAP_WEIGHT = 0.8
# Quiz explanations also discuss the wrong options; the lesson's own sentence is the better answer.
QUIZ_WEIGHT = 0.8

_stemmer = Stemmer.Stemmer("english")
# bm25s reports every index build at DEBUG; one per lesson per process is not news.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Passage:
    """One sentence (or two short ones) of lesson text, where it lives, and how it is searched."""

    section_id: str
    section_title: str
    text: str
    context: str = ""  # words searched with the passage (section and subsection titles)
    source: str = "lesson"


@dataclass(frozen=True)
class Hit:
    """A passage found for a query: its own BM25 score, and the ranking score with its section."""

    passage: Passage
    passage_score: float
    score: float


@dataclass(frozen=True)
class Query:
    """A question as the index sees it: search terms, and how much of it the lesson knows."""

    terms: tuple[str, ...]
    content_words: tuple[str, ...]
    known_words: tuple[str, ...]
    # Share of the question's content words that occur in the lesson (after spelling fixes).
    coverage: float


def words(text: str) -> list[str]:
    """Lower-case words of `text` without apostrophes, with "can't" spelled "cannot"."""
    found = (re.sub("['’]", "", word) for word in WORD.findall(text.lower()))
    return [SPELLINGS.get(word, word) for word in found]


def content_words(text: str) -> list[str]:
    return [word for word in words(text) if word not in STOPWORDS]


def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def split_sentences(text: str) -> list[str]:
    """Sentences of a block of plain text; very short ones are joined to the next."""
    sentences: list[str] = []
    pending = ""
    for piece in SENTENCE_END.split(" ".join(text.split())):
        pending = f"{pending} {piece}".strip()
        if len(pending.split()) >= MIN_PASSAGE_WORDS:
            sentences.append(pending)
            pending = ""
    if pending:
        if sentences and len(pending.split()) < MIN_PASSAGE_WORDS:
            sentences[-1] = f"{sentences[-1]} {pending}"
        else:
            sentences.append(pending)
    return sentences


def _html_blocks(fragment: str) -> Iterable[tuple[str, str]]:
    """(plain text, heading words it is read under) for each block of a rendered section.

    Subheadings and a table's column headings are not answers themselves; they are searched
    with the blocks under them ("What goes in it" finds the template's rows).
    """
    subheading = columns = ""
    for match in BLOCK.finditer(fragment):
        tag, inner = match.group(1).lower(), match.group(2)
        if tag == "li" and BLOCK.search(inner):
            continue  # a list item holding paragraphs: its blocks come next
        text = html_to_text(inner)
        if SUBHEADING.fullmatch(tag):
            subheading, columns = text, ""
        elif tag == "tr" and "<th" in inner:
            columns = text
        elif text:
            yield text, f"{subheading} {columns}" if tag == "tr" else subheading


def lesson_passages(lesson: Lesson) -> list[Passage]:
    """Every readable section of the lesson as sentence passages, in page order."""
    body_html = {section.id: section.html for section in lesson.sections}
    passages: list[Passage] = []
    for section in lesson.readable_sections:
        if section.id in body_html:
            blocks = list(_html_blocks(body_html[section.id]))
        else:
            blocks = [(section.text, "")]
        passages += [
            Passage(
                section_id=section.id,
                section_title=section.title,
                text=sentence,
                context=f"{section.title} {heading}".strip(),
            )
            for text, heading in blocks
            for sentence in split_sentences(text)
        ]
    return passages


@dataclass(frozen=True)
class LessonIndex:
    """A BM25 index over one lesson's passages, plus the lesson's vocabulary."""

    passages: tuple[Passage, ...]
    retriever: bm25s.BM25 = field(repr=False)
    section_retriever: bm25s.BM25 = field(repr=False)
    section_ids: tuple[str, ...]
    # For each passage, the position of its section in the section index, and its weight.
    passage_sections: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    stems: frozenset[str] = field(repr=False)
    section_stems: dict[str, frozenset[str]] = field(repr=False)
    # Surface words by length, most frequent first, to correct learners' spelling.
    spellings: dict[int, tuple[str, ...]] = field(repr=False)

    def parse(self, question: str) -> Query:
        """Search terms of a question, with misspelt words corrected to lesson words."""
        terms: list[str] = []
        known: list[str] = []
        asked = content_words(question)
        for word in asked:
            term = stem(word)
            if term not in self.stems:
                fixed = self._closest_spelling(word)
                if fixed is not None:
                    term = stem(fixed)
            terms.append(term)
            if term in self.stems:
                known.append(word)
        return Query(
            terms=tuple(terms),
            content_words=tuple(asked),
            known_words=tuple(known),
            coverage=len(known) / len(asked) if asked else 0.0,
        )

    def search(self, query: Query, *, limit: int = 8) -> list[Hit]:
        """The best passages for the query, best first (empty when no term is in the lesson)."""
        terms = [term for term in query.terms if term in self.stems]
        if not terms:
            return []
        passage_scores = self.retriever.get_scores(terms)
        # A section that explains a topic has several matching sentences; a stray mention has one.
        evidence = np.array(
            [
                np.sort(passage_scores[self.passage_sections == number])[-EVIDENCE_DEPTH:].sum()
                for number in range(len(self.section_ids))
            ]
        )
        section_scores = self.section_retriever.get_scores(terms)
        scores = self.weights * (
            passage_scores
            + (EVIDENCE_WEIGHT * evidence + SECTION_WEIGHT * section_scores)[self.passage_sections]
        )
        best = np.argsort(-scores, kind="stable")[:limit]
        return [
            Hit(
                passage=self.passages[i],
                passage_score=float(passage_scores[i]),
                score=float(scores[i]),
            )
            for i in best
            if passage_scores[i] > 0
        ]

    def section_coverage(self, query: Query, section_id: str) -> float:
        """Share of the question's search terms that occur in one section (title included)."""
        if not query.terms:
            return 0.0
        found = self.section_stems.get(section_id, frozenset())
        return sum(term in found for term in query.terms) / len(query.terms)

    def _closest_spelling(self, word: str) -> str | None:
        # Short words are too often a real word one letter away from a lesson word (store, story).
        if len(word) < 6 or not word.isalpha():
            return None
        allowed = 1 if len(word) < 9 else 2
        for distance in range(1, allowed + 1):
            for length in range(len(word) - distance, len(word) + distance + 1):
                for candidate in self.spellings.get(length, ()):
                    if (
                        candidate[0] == word[0]
                        and edit_distance(word, candidate, limit=distance) <= distance
                    ):
                        return candidate
        return None


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once) distance, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def passage_weight(passage: Passage) -> float:
    if passage.source == "quiz":
        return QUIZ_WEIGHT
    return RECAP_WEIGHT if passage.section_id in RECAP_SECTIONS else 1.0


def build_index(passages: Sequence[Passage]) -> LessonIndex:
    """Index passages (text and context) for BM25 with English stemming."""
    if not passages:
        raise ValueError("a lesson index needs at least one passage")
    documents = [content_words(f"{p.context} {p.text}") for p in passages]
    corpus = [[stem(word) for word in document] for document in documents]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    # Whole sections as documents too: a sentence in the section about a topic beats a stray
    # mention elsewhere. Titles count twice, as a reader skimming headings would weigh them.
    section_ids = list(dict.fromkeys(p.section_id for p in passages))
    section_words: dict[str, list[str]] = {sid: [] for sid in section_ids}
    for passage, document in zip(passages, corpus, strict=True):
        if not section_words[passage.section_id]:
            section_words[passage.section_id] += [stem(w) for w in content_words(passage.context)]
        section_words[passage.section_id] += document
    section_retriever = bm25s.BM25()
    section_retriever.index([section_words[sid] for sid in section_ids], show_progress=False)
    frequency = Counter(word for document in documents for word in document)
    spellings: dict[int, list[str]] = {}
    for word, _count in frequency.most_common():
        if not word.isdigit():
            spellings.setdefault(len(word), []).append(word)
    return LessonIndex(
        passages=tuple(passages),
        retriever=retriever,
        section_retriever=section_retriever,
        section_ids=tuple(section_ids),
        passage_sections=np.array([section_ids.index(p.section_id) for p in passages]),
        weights=np.array([passage_weight(p) for p in passages]),
        stems=frozenset(term for document in corpus for term in document),
        section_stems={sid: frozenset(words) for sid, words in section_words.items()},
        spellings={length: tuple(found) for length, found in spellings.items()},
    )


def get_lesson_index(slug: str) -> LessonIndex | None:
    """The index of a lesson (and its quiz explanations), built once per process."""
    lesson = get_lesson(slug)
    return None if lesson is None else index_lesson(lesson)


@lru_cache(maxsize=64)
def index_lesson(lesson: Lesson) -> LessonIndex:
    # Keyed by the lesson itself, so a reloaded catalogue (tests, CONTENT_DIR) gets a new index.
    return build_index(lesson_passages(lesson) + quiz_passages(lesson))


def quiz_passages(lesson: Lesson) -> list[Passage]:
    """The quiz explanations of a lesson (lesson text too), cited at the section they explain."""
    try:
        bank = get_question_bank(lesson.slug)
    except ContentError:
        return []  # a broken quiz file is reported by check_content; the lesson still answers
    if bank is None:
        return []
    return [
        Passage(
            section_id=question.section_id,
            section_title=lesson.section_title(question.section_id),
            text=sentence,
            context=lesson.section_title(question.section_id),
            source="quiz",
        )
        for question in bank.questions
        if lesson.has_section(question.section_id)
        for sentence in split_sentences(question.explanation)
    ]
