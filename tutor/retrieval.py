"""Retrieval over one lesson: sentence passages with their section ids, ranked by BM25.

Pure functions over data: `lesson_passages()` cuts a lesson into passages, `lesson_topics()`
lists what it is about, `build_index()` makes a searchable `LessonIndex`; `get_lesson_index()`
caches one index per lesson for the process.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

from lessons.content import ContentError, Lesson, get_lesson
from lessons.rendering import html_to_text
from quiz.bank import get_question_bank
from tutor.vocabulary import get_vocabulary

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
    sort like example examples eg anyone anybody someone somebody everyone everybody
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
# What a question asks for, beyond its topic. "How do I <verb> …" and "what … should I <verb>"
# ask how to do something: the answer must say something about doing it. "Which … is best"
# asks for a ranking: the answer must rank. Auxiliary verbs carry no ask ("what should I do").
PROCEDURE = re.compile(
    r"\bhow\s+(?:\w+ly\s+)?(?:do|can|should|could|would|must)\s+(?:i|we)\s+"
    r"(?:\w+ly\s+|just\s+)?(?P<verb>[a-z]+(?:-[a-z]+)*)"
    r"|^(?:what|which)\b.*\b(?:should|can|could|do|does|must)\s+(?:i|we|(?:my|our)\s+[a-z]+)\s+"
    r"(?:\w+ly\s+|just\s+)?(?P<last>[a-z]+(?:-[a-z]+)*)\W*$"
)
AUXILIARIES = frozenset({"do", "be", "have"})
RANKINGS = frozenset({"best", "better", "worst", "worse"})
# "What is X?", "X meaning": a question asking for a definition, which a lesson gives only of
# what it is about (its topics), not of every name it mentions.
DEFINITION = re.compile(
    r"^\W*(?:what\s+(?:is|are)|whats|what['’]s|define)\b|\bmeaning\W*$|\bmeans?\W*$"
)
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’')]))\s+(?=[\"“‘(]?[A-Z0-9])")
BLOCK = re.compile(r"<(p|li|h[3-6]|tr|pre|blockquote)\b[^>]*>(.*?)</\1>", re.S | re.I)
SUBHEADING = re.compile(r"h[3-6]", re.I)
STRONG = re.compile(r"<strong>(.*?)</strong>", re.S | re.I)
# The shortest stem that may match a longer one by its beginning (section coverage only).
MIN_ROOT = 4
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
# How much a lesson word found through the learner vocabulary counts, against the learner's own
# word (tuned on the dev set): "responsible" finds "accountable", but less surely than itself.
RELATED_WEIGHT = 0.5

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
    """A passage found for a query: its own BM25 score, and the ranking score with its section.

    `relevance` is the passage's score as a share of what the question could score at most
    (the sum of its terms' IDFs), so it can be compared across questions.
    """

    passage: Passage
    passage_score: float
    score: float
    relevance: float


@dataclass(frozen=True)
class Query:
    """A question as the index sees it: search terms, and how much of it the lesson knows."""

    terms: tuple[str, ...]
    content_words: tuple[str, ...]
    known_words: tuple[str, ...]
    # Share of the question's content words that occur in the lesson (after spelling fixes),
    # directly or through the learner vocabulary.
    coverage: float
    # For each term, the lesson terms the learner vocabulary relates to it (often none).
    related: tuple[tuple[str, ...], ...] = ()
    # Stems of the words saying what the question asks for (see PROCEDURE), often none.
    asks: tuple[str, ...] = ()
    # True when the question asks what something is (see DEFINITION).
    asks_definition: bool = False

    def forms(self, number: int) -> tuple[str, ...]:
        """The term at `number` and the lesson terms related to it."""
        return (self.terms[number], *(self.related[number] if self.related else ()))


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
    # BM25's IDF of each term, and of a term the lesson never uses (the most a term can weigh).
    idf: dict[str, float] = field(repr=False)
    unseen_idf: float = field(repr=False)
    # Terms the lesson is about: in its title, headings, defined (bold) terms and summary.
    topics: frozenset[str] = field(repr=False)
    # Learner terms and the lesson terms they stand for (`tutor.vocabulary`), lesson terms only.
    related: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def parse(self, question: str) -> Query:
        """Search terms of a question, with misspelt words corrected to lesson words."""
        terms: list[str] = []
        related: list[tuple[str, ...]] = []
        known: list[str] = []
        every = words(question)
        asked = [word for word in every if word not in STOPWORDS]
        for position, word in enumerate(every):
            if word in STOPWORDS:
                continue
            term = stem(word)
            if term not in self.stems and term not in self.related:
                fixed = self._closest_spelling(word)
                if fixed is not None:
                    term = stem(fixed)
            terms.append(term)
            # A two-word entry ("work out") says more than its first word alone.
            following = every[position + 1] if position + 1 < len(every) else ""
            phrase = f"{term} {stem(following)}"
            related.append(self.related.get(phrase) or self.related.get(term, ()))
            if term in self.stems or related[-1]:
                known.append(word)
        return Query(
            terms=tuple(terms),
            content_words=tuple(asked),
            known_words=tuple(known),
            coverage=len(known) / len(asked) if asked else 0.0,
            related=tuple(related),
            asks=question_asks(question),
            asks_definition=bool(DEFINITION.search(question.lower())),
        )

    def search(self, query: Query, *, limit: int = 8) -> list[Hit]:
        """The best passages for the query, best first (empty when no term is in the lesson)."""
        terms = [term for term in query.terms if term in self.stems]
        extra = list(dict.fromkeys(t for forms in query.related for t in forms if t not in terms))
        if not terms and not extra:
            return []
        passage_scores = self._scores(self.retriever, terms, extra)
        # A section that explains a topic has several matching sentences; a stray mention has one.
        evidence = np.array(
            [
                np.sort(passage_scores[self.passage_sections == number])[-EVIDENCE_DEPTH:].sum()
                for number in range(len(self.section_ids))
            ]
        )
        section_scores = self._scores(self.section_retriever, terms, extra)
        scores = self.weights * (
            passage_scores
            + (EVIDENCE_WEIGHT * evidence + SECTION_WEIGHT * section_scores)[self.passage_sections]
        )
        best = np.argsort(-scores, kind="stable")[:limit]
        most = self.attainable_score(query)
        return [
            Hit(
                passage=self.passages[i],
                passage_score=float(passage_scores[i]),
                score=float(scores[i]),
                relevance=float(passage_scores[i]) / most,
            )
            for i in best
            if passage_scores[i] > 0
        ]

    def _scores(self, retriever: bm25s.BM25, terms: list[str], extra: list[str]) -> np.ndarray:
        """BM25 scores for the question's terms, plus the related terms at their lower weight."""
        scores = retriever.get_scores(terms) if terms else 0.0
        if extra:
            scores = scores + RELATED_WEIGHT * retriever.get_scores(extra)
        return np.asarray(scores, dtype=float)

    def attainable_score(self, query: Query) -> float:
        """The most any passage could score for the query: the sum of its terms' IDFs.

        BM25 gives a term at most its IDF, so a passage's share of this sum says how much of
        the question it matches. A word the lesson never uses counts at full weight, unmatched,
        unless the learner vocabulary relates it to lesson words: then at what they can add.
        """
        most = 0.0
        for number, term in enumerate(query.terms):
            related = query.related[number] if query.related else ()
            if term in self.idf or not related:
                most += self.idf.get(term, self.unseen_idf)
            else:
                most += RELATED_WEIGHT * max(self.idf[other] for other in related)
        return most

    def is_anchored(self, query: Query, passage: Passage) -> bool:
        """The passage shares with the question two terms, or one the lesson is about.

        One ordinary word in common ("name", "time") is a coincidence, not an answer.
        """
        found = {stem(word) for word in content_words(f"{passage.context} {passage.text}")}
        shared = [
            forms
            for forms in map(query.forms, range(len(query.terms)))
            if found.intersection(forms)
        ]
        return len(shared) >= 2 or any(self.topics.intersection(forms) for forms in shared)

    def answers_the_ask(self, query: Query, passage: Passage) -> bool:
        """The passage uses every word of what the question asks for (any form of each)."""
        found = {stem(word) for word in words(f"{passage.context} {passage.text}")}
        return all(term in found or _shares_root(term, found) for term in query.asks)

    def defines(self, query: Query) -> bool:
        """For a "what is X?" question: most of X's words are topics of the lesson."""
        if not query.asks_definition:
            return True
        topical = [bool(self.topics.intersection(query.forms(n))) for n in range(len(query.terms))]
        return sum(topical) > len(topical) / 2

    def section_coverage(self, query: Query, section_id: str) -> float:
        """Share of the question's search terms that occur in one section (title included).

        A term also counts when it begins a section's term or the other way round: the stemmer
        keeps derived words apart ("fail", "failure"; "cover", "coverage").
        """
        if not query.terms:
            return 0.0
        found = self.section_stems.get(section_id, frozenset())
        covered = [
            any(term in found or _shares_root(term, found) for term in query.forms(number))
            for number in range(len(query.terms))
        ]
        return sum(covered) / len(covered)

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


def question_asks(question: str) -> tuple[str, ...]:
    """Stems of the words naming what a question asks for: its procedure's verb, a ranking."""
    text = re.sub("['’]", "", question.lower())
    asks = [word for word in words(text) if word in RANKINGS]
    match = PROCEDURE.search(text)
    verb = match and (match.group("verb") or match.group("last"))
    if verb and verb not in AUXILIARIES:
        asks += verb.split("-")
    return tuple(dict.fromkeys(stem(word) for word in asks))


def _shares_root(term: str, stems: Iterable[str]) -> bool:
    """`term` begins another stem or the other way round ("fail", "failure"), also without
    a final e ("write", "written")."""
    root = term[:-1] if term.endswith("e") else term
    if len(root) < MIN_ROOT:
        return False
    return any(
        len(other) >= MIN_ROOT and (other.startswith(root) or term.startswith(other))
        for other in stems
    )


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


def build_index(
    passages: Sequence[Passage],
    *,
    topics: Iterable[str] = (),
    vocabulary: Mapping[str, Sequence[str]] | None = None,
) -> LessonIndex:
    """Index passages (text and context) for BM25 with English stemming.

    `topics` are texts naming what the lesson is about (see `lesson_topics`); the passages'
    section titles and headings count as topics too. `vocabulary` maps learners' words to
    words lessons use for them (`tutor.vocabulary`); only those this lesson uses are kept.
    """
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
    document_frequency = Counter(term for document in corpus for term in set(document))
    topic_texts = dict.fromkeys([*topics, *(f"{p.section_title} {p.context}" for p in passages)])
    stems = frozenset(term for document in corpus for term in document)
    related: dict[str, tuple[str, ...]] = {}
    for entry, others in (vocabulary or {}).items():
        key = " ".join(map(stem, entry.split()))
        found = tuple(dict.fromkeys(t for t in map(stem, others) if t in stems and t != key))
        if found:
            related[key] = tuple(dict.fromkeys((*related.get(key, ()), *found)))
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
        stems=stems,
        section_stems={sid: frozenset(words) for sid, words in section_words.items()},
        spellings={length: tuple(found) for length, found in spellings.items()},
        idf={term: bm25_idf(count, len(corpus)) for term, count in document_frequency.items()},
        unseen_idf=bm25_idf(0, len(corpus)),
        topics=frozenset(stem(word) for text in topic_texts for word in content_words(text)),
        related=related,
    )


def bm25_idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency, as bm25s scores it (the Lucene variant)."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def lesson_topics(lesson: Lesson) -> list[str]:
    """Texts that say what the lesson is about: title, tagline, premise, key-insight titles and
    the terms the body defines in bold. (Section titles and subheadings come with passages.)"""
    defined = [
        html_to_text(term) for section in lesson.sections for term in STRONG.findall(section.html)
    ]
    return [
        lesson.title,
        lesson.tagline,
        lesson.premise,
        *(insight.title for insight in lesson.key_insights),
        *defined,
    ]


def get_lesson_index(slug: str) -> LessonIndex | None:
    """The index of a lesson (and its quiz explanations), built once per process."""
    lesson = get_lesson(slug)
    return None if lesson is None else index_lesson(lesson)


# Lessons whose index a process keeps (about 1 MB each); the least recently asked is rebuilt on
# its next question. config/wsgi.py warms at most this many.
INDEX_CACHE_SIZE = 64


@lru_cache(maxsize=INDEX_CACHE_SIZE)
def index_lesson(lesson: Lesson) -> LessonIndex:
    # Keyed by the lesson itself, so a reloaded catalogue (tests, CONTENT_DIR) gets a new index.
    passages = lesson_passages(lesson) + quiz_passages(lesson)
    return build_index(passages, topics=lesson_topics(lesson), vocabulary=get_vocabulary())


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
