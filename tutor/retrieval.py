"""Retrieval over one lesson: answer units cut from the lesson's structure, ranked by BM25.

A unit is what a reader sees as one piece: a paragraph, a list item with the sentence that
leads into its list, a table row with its column headers, a key insight, a quiz explanation.
Each keeps the id of its place on the lesson page, so a citation lands on the quote. A long
paragraph is searched as windows of a sentence and its neighbours; every passage is a run of
its unit's own words, in the unit's order.

Pure functions over data: `lesson_units()` cuts a lesson into units, `build_index()` makes a
searchable `LessonIndex`; `index_lesson()` caches one index per lesson for the process.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import bm25s
import numpy as np

from content_registry import ContentError
from lessons.content import BLOCK_BOUNDARY, Lesson, get_lesson
from quiz.bank import get_question_bank
from tutor.language import (
    AI_KINDS,
    AI_NAMES,
    AI_WORDS,
    BREVITY_OF,
    BREVITY_WORDS,
    COMPOUND,
    FILLERS,
    INTERJECTIONS,
    PEOPLE_TERMS,
    PRODUCTS,
    READ_THE_LESSON,
    STOPWORDS,
    TIME_TERMS,
    describes,
    edit_distance,
    english,
    english_spelling,
    is_english,
    lemma,
    other_lemmas,
    rarity,
    spelling_variants,
    spelt_out,
    term,
    tokens,
    word_forms,
)

SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’')]))\s+(?=[\"“‘(*]?[A-Z0-9])")
BLOCK = re.compile(r"<(p|li|h[3-6]|tr|pre|blockquote)\b([^>]*)>(.*?)</\1>", re.S | re.I)
BLOCK_ID = re.compile(r'\bid="([^"]+)"')
CELL = re.compile(r"<(t[hd])\b[^>]*>(.*?)</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
LEAD_TERM = re.compile(r"^\s*<strong>(.*?)</strong>", re.S | re.I)
# What follows a lead-in: a list or table, perhaps after a figure that illustrates it.
LIST_START = re.compile(
    r"(?:\s*<p\b[^>]*>\s*<img\b[^>]*>\s*</p>|\s*<figure>.*?</figure>)*\s*<(?:ul|ol|table)\b",
    re.I | re.S,
)
LIST_END = re.compile(r"</(?:ul|ol|table)>", re.I)
# The opening of a list: an ordered one numbers its items (from `start`, when given).
LIST_OPEN = re.compile(r"<(ol|ul)\b([^>]*)>", re.I)
LIST_FIRST_NUMBER = re.compile(r'\bstart="(\d+)"')
# What a paragraph ending in a colon may lead into besides a list: a quotation or an example.
QUOTE_START = re.compile(r"\s*<(?:blockquote|pre)\b", re.I)
# A paragraph longer than this is searched and answered as a sentence with its neighbours.
LONG_UNIT_WORDS = 70
# Sections that recap what the body explains, and quiz explanations (which also discuss wrong
# options): the body's own passage is the better citation when both match.
SUMMARY_SECTIONS = frozenset({"premise", "does-well", "cannot-do", "apply", "key-insights"})
SUMMARY_WEIGHT = 0.8
QUIZ_WEIGHT = 0.7
# A passage that opens by saying what the lesson will do ("This lesson shows you how to decide
# …") names every topic and answers none: the passage that does it is the better citation.
SIGNPOST = re.compile(
    r"^(?:this\s+lesson|in\s+this\s+lesson|the\s+rest\s+of\s+this\s+lesson|you\s+will\s+learn)\b"
    r"(?:\s+\w+){0,3}?\s+(?:shows?|gives?|teach(?:es)?|covers?|explains?|walks?|helps?|learn)\b",
    re.I,
)
SIGNPOST_WEIGHT = 0.0
# How much the section around a passage counts when ranking it: the sum of its best few
# passage scores (a section about a topic has several), and BM25 over the section as a whole.
EVIDENCE_WEIGHT = 0.6
EVIDENCE_DEPTH = 3
SECTION_WEIGHT = 0.4
# A question word found elsewhere in the passage's section, not in the passage, counts this much:
# the section is about it, the passage less surely.
SECTION_CREDIT = 0.5
# A question word naming a person the passage calls by another word ("my mum", "a grown-up")
# counts this much.
PEOPLE_CREDIT = 0.5
# "The point / purpose / benefit of X" asks what X is for: X is the topic, and a passage
# "pointing at" something is no answer.
PURPOSE_TEXT = """
    point purpose purposes goal goals aim aims reason reasons benefit benefits advantage
    advantages importance
"""
PURPOSE_WORDS = frozenset(PURPOSE_TEXT.split())
# Words that, before "way", only ask how: "the best way to write a timeline".
WAY_WORDS = frozenset({"best", "good", "right", "correct", "easiest", "quickest", "proper"})
# A term in at least this share of a lesson's units is what the lesson is about.
PERVASIVE_SHARE = 0.15
# A word this rare in English, or not English at all, is a topic; shorter words are not
# corrected to lesson words (too many real words sit one letter from another).
MIN_CORRECTED_LENGTH = 5

# bm25s reports every index build at DEBUG; one per lesson per process is not news.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Unit:
    """One answer unit, shown as the lesson shows it, with where it lives on the page."""

    anchor: str  # the element id on the lesson page (the section's id when it has none)
    section_id: str
    section_title: str
    text: str
    kind: str  # paragraph, item, row, insight, quiz
    context: str = ""  # headings it is read under: searched, not shown
    lead: str = ""  # the sentence leading into its list, which starts `text` when there is one
    # What the page labels it with besides its headings: a table row's column headers.
    labels: tuple[str, ...] = ()
    # The term it opens with in bold ("**Guardrail.** The automated checks …"): it is about that.
    term: str = ""
    # An ordered list's number for the item ("3."): shown, as the page shows it, not searched.
    marker: str = ""
    # A table row's cells, in the order of `labels` (its column headers).
    cells: tuple[str, ...] = ()
    # The bold words a paragraph opens with: not a label (a worked example's "**Summary.**"
    # is no answer to every question about summaries), but what it may define.
    bold: str = ""


@dataclass(frozen=True)
class Passage:
    """A run of one unit's text that the tutor can answer with (often the whole unit)."""

    unit: Unit
    text: str

    @property
    def section_id(self) -> str:
        return self.unit.section_id

    @property
    def section_title(self) -> str:
        return self.unit.section_title

    @property
    def anchor(self) -> str:
        return self.unit.anchor

    @property
    def source(self) -> str:
        return "quiz" if self.unit.kind == "quiz" else "lesson"

    @property
    def shown_lead(self) -> str:
        """The lead-in this passage shows before its text ("" when it shows none)."""
        lead = self.unit.lead
        return lead if lead and self.text.startswith(lead) else ""

    @property
    def cells(self) -> tuple[tuple[str, str], ...]:
        """A whole table row as (column header, cell) pairs; empty for any other passage, and
        for a row whose cells and headers do not pair up (shown as one line instead)."""
        if len(self.unit.cells) != len(self.unit.labels):
            return ()
        return tuple(zip(self.unit.labels, self.unit.cells, strict=True))

    @property
    def shown(self) -> str:
        """The text as the page shows it: a numbered step keeps its number after the lead-in."""
        marker, lead = self.unit.marker, self.shown_lead
        if not marker:
            return self.text
        if lead:
            return f"{lead} {marker} {self.text[len(lead) :].lstrip()}"
        return f"{marker} {self.text}"


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # ranking score, with the passage's section
    passage_score: float
    number: int  # the passage's position in the index


@dataclass(frozen=True)
class Query:
    """A question as the index sees it."""

    words: tuple[str, ...]  # every word, contractions spelt out
    terms: tuple[str, ...]  # search terms of its content words (after spelling fixes)
    weights: tuple[float, ...]  # how much each term says about the topic (English rarity)
    known: tuple[bool, ...]  # whether the lesson uses each term


def html_to_text(fragment: str) -> str:
    """Plain text of a block of the lesson's own rendered (already sanitised) HTML.

    Stripping tags is enough here and much cheaper than a sanitiser pass per block: the text
    is searched and shown escaped, never inserted as markup.
    """
    spaced = BLOCK_BOUNDARY.sub(r" \g<0>", fragment)
    return " ".join(html.unescape(TAG.sub("", spaced)).split())


def split_sentences(text: str) -> list[str]:
    return [piece for piece in SENTENCE_END.split(" ".join(text.split())) if piece]


# A run of capitalised words, perhaps joined by small words: "Site Reliability Engineering",
# "National Institute of Standards and Technology".
CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|and|for|on|in)\s+)?[A-Z][a-z]+)+\b")
CAPITALISED = re.compile(r"\b[A-Z][a-z]+")
# The fewest letters an acronym has here: two-letter ones ("ai", "eu") are too often words.
MIN_ACRONYM_LETTERS = 3


def acronyms(text: str) -> list[str]:
    """The acronyms a learner may type for names the text spells out ("sre" for "Site
    Reliability Engineering", "nist" for "National Institute of Standards and
    Technology"): the initials of each run of capitalised words and of its tails, when they
    are not an English word."""
    found: list[str] = []
    for run in CAPITALISED_RUN.finditer(text):
        initials = "".join(word[0] for word in CAPITALISED.findall(run.group())).lower()
        for start in range(len(initials) - MIN_ACRONYM_LETTERS + 1):
            letters = initials[start:]
            if not is_english(letters):
                found.append(letters)
    return found


def content_terms(text: str) -> list[str]:
    return [
        term(word)
        for word in tokens(text)
        if word not in STOPWORDS and lemma(word) not in STOPWORDS
    ]


MEANING_ASKERS = frozenset({"does", "do", "did"})


def asks_meaning(words: Sequence[str], place: int, *, clause_ends: bool = False) -> bool:
    """Whether the "mean" at `place` asks what something means ("what does X mean", "what
    do they mean by X", "what does X mean, my teacher keeps saying it" when `clause_ends`
    after it), not what is unkind ("is it mean to …")."""
    after = words[place + 1 : place + 2]
    ends = after in ([], ["by"]) or clause_ends
    return bool(MEANING_ASKERS.intersection(words[:place])) and ends


def _units_of_html(section_id: str, title: str, fragment: str) -> list[Unit]:
    units: list[Unit] = []
    subheading = lead = ""
    columns: list[str] = []
    previous_end = 0
    quote_lead: tuple[str, str] | None = None  # (anchor, text) of "You can say:" before a quote
    number = 0  # the next item's number in an ordered list; 0 outside one
    for match in BLOCK.finditer(fragment):
        tag, attributes, inner = match.group(1).lower(), match.group(2), match.group(3)
        if LIST_END.search(fragment, previous_end, match.start()):
            lead = ""
            number = 0
        for opened in LIST_OPEN.finditer(fragment, previous_end, match.start()):
            first = LIST_FIRST_NUMBER.search(opened.group(2))
            number = (int(first.group(1)) if first else 1) if opened.group(1).lower() == "ol" else 0
        previous_end = match.end()
        found = BLOCK_ID.search(attributes)
        anchor = found.group(1) if found else section_id
        context = f"{title} {subheading}".strip()
        if tag == "li" and BLOCK.search(inner):
            inner = re.sub(r"</?(?:p|ul|ol)\b[^>]*>", " ", inner)  # a loose item: one unit
        text = html_to_text(inner)
        if not text:
            continue
        if tag.startswith("h"):
            subheading, lead, columns = text, "", []
        elif tag == "tr":
            cells = [html_to_text(cell) for _, cell in CELL.findall(inner)]
            if "<th" in inner:
                columns = cells
                continue
            named = zip(columns, cells, strict=False) if columns else ()
            shown = " — ".join(f"{h}: {c}" for h, c in named) if columns else " — ".join(cells)
            shown = f"{lead} {shown}" if lead else shown
            units.append(
                Unit(
                    anchor,
                    section_id,
                    title,
                    shown,
                    "row",
                    context,
                    lead,
                    tuple(columns),
                    cells=tuple(cells) if columns and len(cells) == len(columns) else (),
                )
            )
        elif tag == "li":
            shown = f"{lead} {text}" if lead else text
            opening = LEAD_TERM.match(inner)
            units.append(
                Unit(
                    anchor,
                    section_id,
                    title,
                    shown,
                    "item",
                    context,
                    lead,
                    term=html_to_text(opening.group(1)) if opening else "",
                    marker=f"{number}." if number else "",
                )
            )
            number += 1 if number else 0
        else:
            follows = LIST_START.match(fragment, match.end())
            # A paragraph leading into a list, or into a table with a colon, is shown only
            # with each item or row: a lead-in is never an answer without what it leads to.
            into_table = follows is not None and follows.group().lower().endswith("<table")
            if tag == "p" and follows and (not into_table or text.endswith(":")):
                lead = text
                continue
            if tag == "p" and text.endswith(":") and QUOTE_START.match(fragment, match.end()):
                quote_lead = (anchor, text)
                continue
            if quote_lead and tag in {"blockquote", "pre"}:
                # One unit, cited where the lead-in stands so both are on screen.
                anchor, text = quote_lead[0], f"{quote_lead[1]} {text}"
            quote_lead = None
            # "**Content credentials** are information …": it may say what its bold words are.
            opening = LEAD_TERM.match(inner) if tag == "p" else None
            bold = html_to_text(opening.group(1)) if opening else ""
            units.append(Unit(anchor, section_id, title, text, "paragraph", context, bold=bold))
    return units


# Every lesson has these two lists under the same headings, whose words ("does well", "cannot
# do") are all function words: learners ask for them in other everyday words, searched here
# (never shown). General English for the headings, the same for every lesson.
DOES_WELL_CONTEXT = "what AI is good at, useful or helpful for: its strengths"
CANNOT_DO_CONTEXT = "what AI is bad at or unable to do: its limits, limitations and weaknesses"
# ... and so is the checklist under "Apply it this week", which learners ask for as what to try.
APPLY_CONTEXT = "what to try or do next: next steps to practise, homework"


def lesson_units(lesson: Lesson) -> list[Unit]:
    """Every answer unit of the lesson page, in page order (quiz explanations not included)."""
    titles = {part.id: part.title for part in lesson.readable_sections}
    units = [Unit("premise", "premise", titles["premise"], lesson.premise, "paragraph")]
    # Each point shown after its heading, as the page shows it: alone, "Make an honest label
    # unnecessary." reads as advice to do what AI cannot do.
    for section_id, points, context in (
        ("does-well", lesson.does_well, DOES_WELL_CONTEXT),
        ("cannot-do", lesson.cannot_do, CANNOT_DO_CONTEXT),
    ):
        lead = f"{titles[section_id]}:"
        units += [
            Unit(
                section_id, section_id, titles[section_id], f"{lead} {point}", "item", context, lead
            )
            for point in points
        ]
    for section in lesson.sections:
        units += _units_of_html(section.id, section.title, section.html)
    units += [
        Unit(
            f"checklist-{item.id}",
            "apply",
            titles["apply"],
            item.text,
            "item",
            f"{titles['apply']}: {APPLY_CONTEXT}",
        )
        for item in lesson.checklist
    ]
    units += [
        Unit(
            f"insight-{insight.id}",
            "key-insights",
            titles["key-insights"],
            f"{insight.title}. {insight.text}",
            "insight",
            term=insight.title,
        )
        for insight in lesson.key_insights
    ]
    return units


def quiz_units(lesson: Lesson) -> list[Unit]:
    """The quiz explanations of a lesson, cited at the section they explain."""
    try:
        bank = get_question_bank(lesson.slug)
    except ContentError:
        return []  # a broken quiz file is reported by check_content; the lesson still answers
    if bank is None:
        return []
    return [
        Unit(
            question.section_id,
            question.section_id,
            lesson.section_title(question.section_id),
            question.explanation,
            "quiz",
            lesson.section_title(question.section_id),
        )
        for question in bank.questions
        if lesson.has_section(question.section_id)
    ]


# A sentence that opens by pointing back ("He suspected phishing at first.", "None of these
# come with a warning.") needs the one before it to say what it points to.
BACK_REFERENCE = re.compile(
    r"^(?:The\s+same|That|This|These|Those|They|It|Its|Such|Both|But|Then|So|He|She|His|Her|"
    r"None\s+of)\b"
)


def _window_start(sentences: Sequence[str], place: int) -> int:
    start = max(0, place - 1)
    while start > 0 and BACK_REFERENCE.match(sentences[start]):
        start -= 1
    return start


def unit_passages(unit: Unit) -> list[Passage]:
    """The unit whole, or, for a long paragraph, each sentence with its neighbours."""
    sentences = split_sentences(unit.text)
    if unit.kind != "paragraph" or len(unit.text.split()) <= LONG_UNIT_WORDS or len(sentences) < 3:
        return [Passage(unit, unit.text)]
    windows = [
        " ".join(sentences[_window_start(sentences, i) : i + 2]) for i in range(len(sentences))
    ]
    return [Passage(unit, text) for text in dict.fromkeys(windows)]


# Words before "give me" / "show me" when the learner asks the tutor for something ("can you
# just give me …"); "is it ok to have AI give me ideas" is about the AI giving.
REQUEST_OPENER_TEXT = "can could would will you u ya just please pls plz ok okay so and now hey"
REQUEST_OPENERS = frozenset(REQUEST_OPENER_TEXT.split())
# "… mean, my teacher keeps saying it": the asking clause ends at "mean".
MEAN_ENDS_CLAUSE = re.compile(r"\bmean\s*[,;.!?]", re.I)
# A number as learners type one: "100", "800k", "5th", "10am" (not a clause number, "4.2").
COUNTED = re.compile(r"\d+[a-z]{0,2}")
# A name with its number typed as one word: "sev3", "gpt4".
NUMBERED = re.compile(r"([a-z]{2,})(\d{1,2})")


@dataclass(frozen=True)
class LessonIndex:
    """A BM25 index over one lesson's passages, and the lesson's own words."""

    passages: tuple[Passage, ...]
    retriever: bm25s.BM25 = field(repr=False)
    section_retriever: bm25s.BM25 = field(repr=False)
    section_ids: tuple[str, ...]
    passage_sections: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    # Search terms of each passage with its unit and headings (what "matched" means).
    passage_terms: tuple[frozenset[str], ...] = field(repr=False)
    section_terms: tuple[frozenset[str], ...] = field(repr=False)
    terms: frozenset[str] = field(repr=False)
    # Terms in so many of the lesson's units that they are what the whole lesson is about
    # ("postmortem" in a lesson on postmortems): any of its passages matches them.
    pervasive: frozenset[str] = field(repr=False)
    # Surface words of the lesson by length, most frequent first (spelling correction).
    spellings: dict[int, tuple[str, ...]] = field(repr=False)
    # The words of the headings each passage sits under (its section's and subsection's).
    passage_headings: tuple[tuple[frozenset[str], ...], ...] = field(repr=False, default=())
    # ... and of every label it is read under (those headings, its column headers and the term
    # it opens with), each with how many of its words a question must name.
    passage_labels: tuple[tuple[tuple[frozenset[str], int], ...], ...] = field(
        repr=False, default=()
    )
    # The search terms of what each passage defines in so many words ("A postmortem is …").
    passage_definitions: tuple[tuple[frozenset[str], ...], ...] = field(repr=False, default=())
    # The text of every unit of each section, in order, by section id.
    section_texts: dict[str, str] = field(repr=False, default_factory=dict)

    def parse(self, question: str) -> Query:
        """Search terms of a question, misspelt words corrected to lesson or English words."""
        every = self._joined(self._numbered(tokens(READ_THE_LESSON.sub(" ", spelt_out(question)))))
        # "prompt-layer" is searched as its two words; joined, it counts only where the lesson
        # writes it so, never as a word the lesson lacks.
        joined_compounds = {c.replace("-", "") for c in COMPOUND.findall(question.lower())}
        terms: list[str] = []
        weights: list[float] = []
        known: list[bool] = []
        for place, word in enumerate(every):
            if word in STOPWORDS or lemma(word) in STOPWORDS:
                continue
            if word in joined_compounds and term(word) not in self.terms:
                continue
            if word == "mean" and asks_meaning(
                every, place, clause_ends=bool(MEAN_ENDS_CLAUSE.search(question))
            ):
                continue  # "what does X mean" asks what X is; "mean" is no topic there
            before, after = every[place - 1 : place], every[place + 1 : place + 2]
            if word in WAY_WORDS and after in (["way"], ["ways"]):
                continue  # "the best way to …" asks how, and is not about what is best
            if word in PURPOSE_WORDS and after == ["of"]:
                continue  # "the point of disclosing" asks what disclosing is for
            if word in {"count", "counts"} and after == ["as"]:
                continue  # "what counts as drift" asks what drift is, not for a number
            if (
                word in {"give", "show"}
                and after in (["me"], ["us"])
                and all(w in REQUEST_OPENERS for w in every[:place])
            ):
                continue  # "give me something to try" asks, like "tell me", for what follows
            if word in INTERJECTIONS and all(w in FILLERS for w in every[:place]):
                continue  # "wait what happened …"
            if word in BREVITY_OF and before and before[0] in BREVITY_WORDS:
                continue
            if word in BREVITY_WORDS and after and after[0] in BREVITY_OF:
                continue  # "short version pls" asks how to answer, not about anything short
            found = term(word)
            weight_word = word
            ai_name = (
                word in AI_NAMES
                and found not in self.terms
                and (word in AI_KINDS or not PRODUCTS & self.terms)
            )
            if found not in self.terms and before == ["not"] and term(f"un{word}") in self.terms:
                found, weight_word = term(f"un{word}"), f"un{word}"  # "not sure": "unsure"
            elif found not in self.terms:
                fixed = (
                    self._lesson_form(AI_WORDS if ai_name else ())
                    or self._lesson_form(other_lemmas(word))
                    or self._lesson_form(spelling_variants(word))
                    or self._lesson_spelling(word)
                )
                if fixed is None and not is_english(word):
                    fixed = english_spelling(word)
                if fixed is not None:
                    if fixed in STOPWORDS:
                        continue  # "becuase", "teh": a misspelt function word
                    found, weight_word = term(fixed), fixed
            # A product's name for the AI says only that the question is about AI, as every
            # question on every lesson is.
            weight = MIN_TERM_WEIGHT if ai_name else term_weight(weight_word)
            if found not in self.terms and (
                describes(weight_word) or found in TIME_TERMS or COUNTED.fullmatch(weight_word)
            ):
                weight *= DESCRIBING_SHARE
            elif describes(weight_word):
                weight *= KNOWN_DESCRIBING_SHARE
            terms.append(found)
            weights.append(weight)
            known.append(found in self.terms)
        return Query(tuple(every), tuple(terms), tuple(weights), tuple(known))

    def _joined(self, words: list[str]) -> list[str]:
        """`words` with two in a row written as one where the lesson writes them so and does
        not use one of them alone ("screen shot" for "screenshot"; "AI incident" stays two
        words although the lesson writes "AI-incident")."""
        joined: list[str] = []
        place = 0
        while place < len(words):
            pair = "".join(words[place : place + 2])
            if (
                place + 1 < len(words)
                and not STOPWORDS.intersection(words[place : place + 2])
                and term(pair) in self.terms
                and not all(term(word) in self.terms for word in words[place : place + 2])
            ):
                joined.append(pair)
                place += 2
            else:
                joined.append(words[place])
                place += 1
        return joined

    def _numbered(self, words: list[str]) -> list[str]:
        """`words` with a name and its number typed as one ("sev3") split as the lesson
        writes them ("SEV 3"), where the lesson uses the name and not the joined word."""
        split: list[str] = []
        for word in words:
            numbered = NUMBERED.fullmatch(word)
            if numbered and term(word) not in self.terms and term(numbered[1]) in self.terms:
                split += [numbered[1], *tokens(numbered[2])]
            else:
                split.append(word)
        return split

    def _lesson_form(self, forms: Sequence[str]) -> str | None:
        """The first of `forms` whose search term the lesson uses."""
        return next((form for form in forms if term(form) in self.terms), None)

    def _lesson_spelling(self, word: str) -> str | None:
        if len(word) < MIN_CORRECTED_LENGTH or not word.isalpha() or is_english(word):
            return None
        allowed = 1 if len(word) < 9 else 2
        for distance in range(1, allowed + 1):
            for length in range(len(word) - distance, len(word) + distance + 1):
                for candidate in self.spellings.get(length, ()):
                    if candidate[0] == word[0] and (
                        edit_distance(word, candidate, limit=distance) <= distance
                    ):
                        return candidate
        return None

    def passage_before(self, number: int) -> Passage | None:
        """For a whole unit with no lead-in, the end of the unit just before it in the same
        section (its last passage); None when there is none or the passage is part of a unit."""
        passage = self.passages[number]
        if number == 0 or passage.text != passage.unit.text or passage.unit.lead:
            return None
        before = self.passages[number - 1]
        if before.section_id != passage.section_id or before.text.rstrip().endswith(":"):
            return None
        return before

    def search(self, query: Query, *, limit: int = 8) -> list[Hit]:
        """The best passages for the query, best first (empty when no term is in the lesson)."""
        terms = [t for t, k in zip(query.terms, query.known, strict=True) if k]
        if not terms:
            return []
        passage_scores = np.asarray(self.retriever.get_scores(terms), dtype=float)
        evidence = np.array(
            [
                np.sort(passage_scores[self.passage_sections == number])[-EVIDENCE_DEPTH:].sum()
                for number in range(len(self.section_ids))
            ]
        )
        section_scores = np.asarray(self.section_retriever.get_scores(terms), dtype=float)
        around = EVIDENCE_WEIGHT * evidence + SECTION_WEIGHT * section_scores
        scores = self.weights * (passage_scores + around[self.passage_sections])
        best = np.argsort(-scores, kind="stable")[:limit]
        return [
            Hit(self.passages[i], float(scores[i]), float(passage_scores[i]), int(i))
            for i in best
            if passage_scores[i] > 0
        ]

    def under_named_heading(self, question: str, *, min_words: int | None = None) -> list[int]:
        """Passages under a heading the question names word for word ("what can't AI do"
        for "What AI cannot do", "how do I run the meeting" for "How to run the meeting")."""
        asked = heading_words(question)
        least = MIN_HEADING_WORDS if min_words is None else min_words
        return [
            number
            for number, headings in enumerate(self.passage_headings)
            if any(len(words) >= least and words <= asked for words in headings)
        ]

    def named_label(self, asked: frozenset[str], hit: Hit) -> frozenset[str]:
        """The words of the passage's label that the question names most of, function words
        included: "what do I say" names "What to say", "when should I tell" most of "Times to
        tell", "who can I tell" most of a "Who you could tell" column, "examples of
        guardrails" the item "**Guardrail.** …" (empty when none)."""
        return self._best_label(asked, hit)[1]

    def label_match(self, asked: frozenset[str], hit: Hit) -> float:
        """The largest share of one of the passage's labels that the question names."""
        return self._best_label(asked, hit)[0]

    def _best_label(self, asked: frozenset[str], hit: Hit) -> tuple[float, frozenset[str]]:
        named = [
            (len(words & asked) / len(words), words & asked)
            for words, least in self.passage_labels[hit.number]
            if self._names(words & asked, least)
        ]
        return max(named, key=lambda pair: pair[0]) if named else (0.0, frozenset())

    def _names(self, common: frozenset[str], least: int) -> bool:
        """Enough words in common, and one of them says what the label is about: "what" and
        "AI" name "What AI cannot do" in almost every question of a lesson on AI."""
        return len(common) >= least and bool(common - QUESTION_WORDS - self.pervasive)

    def defines(self, query: Query, hit: Hit) -> bool:
        """Whether the passage says what something the question names is ("A postmortem is
        the written record …" for "what is a postmortem")."""
        asked = frozenset(query.terms)
        return asked in self.passage_definitions[hit.number]

    def coverage(self, query: Query, hit: Hit) -> float:
        """Share of the question's weight that the passage, its unit and headings match."""
        total = sum(query.weights)
        if not total:
            return 0.0
        found = self.passage_terms[hit.number] | self.pervasive
        around = self.section_terms[int(self.passage_sections[hit.number])]
        people = bool(found & PEOPLE_TERMS)
        matched = sum(
            w
            if t in found
            else SECTION_CREDIT * w
            if t in around
            else PEOPLE_CREDIT * w
            if people and t in PEOPLE_TERMS
            else 0.0
            for t, w in zip(query.terms, query.weights, strict=True)
        )
        return matched / total

    def topic_weight(self, query: Query, hit: Hit, *, asked: frozenset[str] = frozenset()) -> float:
        """The weight of the question's words that the passage itself matches, and of the
        words of its label the question names beyond those (each as the least a word weighs:
        "who" and "tell" say little alone, but name the column "Who you could tell")."""
        found = self.passage_terms[hit.number]
        matched = sum(w for t, w in zip(query.terms, query.weights, strict=True) if t in found)
        named = self.named_label(asked, hit) - frozenset(query.terms)
        return matched + MIN_TERM_WEIGHT * len(named)


# Words a heading can do without ("Preserve the evidence" is named by "preserve evidence").
HEADING_FILLER_TEXT = """
    a an the of and or it its this that these those here there your you our my to is are
"""
HEADING_FILLER = frozenset(HEADING_FILLER_TEXT.split())
# A heading is named by a question only when it has this many words: "What to say" is
# named by too many questions it does not answer ...
MIN_HEADING_WORDS = 3
# ... unless the question has no other words to search for ("what do I even say to them").
MIN_HEADING_WORDS_ALONE = 2


def heading_words(text: str) -> frozenset[str]:
    """The words of a heading or question, function words included, in comparable form."""
    return frozenset(
        term(word) if len(word) > 2 else word for word in tokens(text) if word not in HEADING_FILLER
    )


# One word in common is a coincidence ("I wrote it" and "Write it: a template").
MIN_LABEL_WORDS = 2
# Auxiliary verbs stand in most questions ("what do I …", "don't") and say nothing of a label.
AUXILIARY_TEXT = "do does did can could will would shall"
AUXILIARIES = frozenset(term(word) for word in AUXILIARY_TEXT.split())
# Words in most questions, which a label shares by chance (with what "when" stands for).
QUESTION_WORDS = frozenset({"what", "who", "whom", "when", "where", "why", "how", "which", "time"})
# Question words a label says in other words: "when" asks for the times of "Times to tell".
QUESTION_WORD_LABELS = {"when": frozenset({term("time")})}


# A sentence that says what something is: "A postmortem is the written record …", "Drift
# means …", "Blameless does not mean quiet" (the subject, at most a few words, first); not
# "A postmortem is read widely".
DEFINITION = re.compile(
    r"^[\"“‘(]*(?:(?:a|an|the)\s+)?(?P<subject>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)"
    # "Attribution, or credit, means …": the other name is defined too.
    r"(?:,\s+or\s+(?P<alias>[\w'’-]+(?:\s+[\w'’-]+){0,2}),)?\s+"
    r"(?:(?:is|are)\s+(?:a|an|the|when|what|how|where)|means|refers\s+to|"
    r"(?:does|do)\s+not\s+mean)\b",
    re.I,
)


def definitions(text: str, *, term: str = "") -> tuple[frozenset[str], ...]:
    """The search terms of each subject that a sentence of `text` defines; a sentence opening
    with the unit's bold `term` and "is", "are", "means" or a colon defines it ("**Synthetic
    media** is content made or changed by AI", "**Wake word**: the word …")."""
    found = []
    for sentence in split_sentences(text):
        # The unit's term with "is", "are", "means", or a colon as a glossary has it.
        if term and re.match(
            rf"{re.escape(term)}(?:,?\s+(?:is|are|means)\b|\s*:\s*\w)", sentence, re.I
        ):
            # "Knowledge cut-off" is asked as "cut off" or "cutoff" as often as hyphenated.
            spellings = (term, term.replace("-", " "), term.replace("-", ""))
            found += list({frozenset(content_terms(spelt)) for spelt in spellings})
        match = DEFINITION.match(sentence)
        if not match:
            continue
        for subject in (match["subject"], match["alias"] or ""):
            # "AI-generated" is asked as "ai generated" as often as joined.
            for terms in {
                frozenset(content_terms(subject)),
                frozenset(content_terms(subject.replace("-", " "))),
            }:
                if terms:
                    found.append(terms)
    return tuple(found)


def subheading(unit: Unit) -> str:
    """The heading a unit sits under within its section, or the words it is searched under."""
    title = unit.section_title
    return unit.context[len(title) :] if unit.context.startswith(title) else unit.context


def passage_labels(unit: Unit) -> tuple[tuple[frozenset[str], int], ...]:
    """The words of each label of a unit, with how many a question must name: most of a
    heading or column header, every word of the term the unit opens with."""
    headings = (unit.section_title, subheading(unit), *unit.labels)
    labels = [(words, MIN_LABEL_WORDS) for words in map(label_words, headings) if words]
    term_words = label_words(unit.term)
    if content_terms(unit.term):  # a term, not a phrase of function words ("**I will**, …")
        labels.append((term_words, len(term_words)))
    return tuple(labels)


# What every word naming a person stands as in a label match: "What grown-ups can do" is
# named by "what will my parents do".
A_PERSON = "<person>"


def label_words(text: str) -> frozenset[str]:
    """The words of a label or question that a label match counts."""
    return frozenset(
        A_PERSON if word in PEOPLE_TERMS else word for word in heading_words(text) - AUXILIARIES
    )


def asked_words(question: str) -> frozenset[str]:
    """A question's `label_words`, with what its question words mean."""
    words = label_words(question)
    return words.union(*(QUESTION_WORD_LABELS.get(word, frozenset()) for word in words))


# A describing word the lesson lacks ("confess", "vague") or a word for when ("tonight", "this
# second") weighs this share of an English word as rare: learners describe the circumstances in
# their own words; the things they name are what a question is about.
DESCRIBING_SHARE = 0.5
# ... and one the lesson uses, this share: in "do I put the temperature in the postmortem" the
# thing named says more about where the answer is than "put", which a passage on anything else
# may use. On the dev sets, each lesson left out, 0.7 to 0.85 are within a question of each
# other on every lesson; without the share (1.0) the honor-code lesson loses five.
KNOWN_DESCRIBING_SHARE = 0.75
# The least a content word weighs: even "time" or "name" says something about the topic.
MIN_TERM_WEIGHT = 0.2


def term_weight(word: str) -> float:
    """How much a word says about what a question is on: rare English words say the most."""
    # Squared: the many everyday words sit near the floor, names and jargon near the top.
    return MIN_TERM_WEIGHT + (1 - MIN_TERM_WEIGHT) * rarity(word) ** 2


def passage_weight(passage: Passage) -> float:
    if passage.unit.kind == "quiz":
        return QUIZ_WEIGHT
    if SIGNPOST.match(passage.text):
        return SIGNPOST_WEIGHT
    return SUMMARY_WEIGHT if passage.section_id in SUMMARY_SECTIONS else 1.0


def build_index(units: Sequence[Unit]) -> LessonIndex:
    """Index the units' passages (text, unit and headings) for BM25 over lemma stems."""
    passages = [passage for unit in units for passage in unit_passages(unit)]
    if not passages:
        raise ValueError("a lesson index needs at least one passage")
    unit_terms = {
        id(unit): content_terms(f"{unit.context} {unit.text}") + acronyms(unit.text)
        for unit in units
    }
    # A long paragraph's windows share their unit's labels: worked out once per unit.
    unit_labels = {id(unit): passage_labels(unit) for unit in units}
    corpus = [
        content_terms(f"{p.unit.context} {p.text}") + acronyms(p.text)
        if p.text != p.unit.text
        else unit_terms[id(p.unit)]
        for p in passages
    ]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    section_ids = list(dict.fromkeys(p.section_id for p in passages))
    section_words: dict[str, list[str]] = {
        sid: content_terms(next(u.section_title for u in units if u.section_id == sid)) * 2
        for sid in section_ids
    }
    for unit in units:
        section_words[unit.section_id] += unit_terms[id(unit)]
    section_retriever = bm25s.BM25()
    section_retriever.index([section_words[sid] for sid in section_ids], show_progress=False)
    unit_frequency: dict[str, int] = {}
    for unit in units:
        for found in set(unit_terms[id(unit)]):
            unit_frequency[found] = unit_frequency.get(found, 0) + 1
    frequency: dict[str, int] = {}
    for unit in units:
        for word in tokens(unit.text):
            if word.isalpha() and word not in STOPWORDS:
                frequency[word] = frequency.get(word, 0) + 1
    spellings: dict[int, list[str]] = {}
    for word in sorted(frequency, key=lambda w: -frequency[w]):
        spellings.setdefault(len(word), []).append(word)
    return LessonIndex(
        passages=tuple(passages),
        retriever=retriever,
        section_retriever=section_retriever,
        section_ids=tuple(section_ids),
        passage_sections=np.array([section_ids.index(p.section_id) for p in passages]),
        weights=np.array([passage_weight(p) for p in passages]),
        passage_terms=tuple(
            frozenset(document) | frozenset(unit_terms[id(p.unit)])
            for p, document in zip(passages, corpus, strict=True)
        ),
        terms=frozenset(t for document in corpus for t in document),
        section_terms=tuple(frozenset(section_words[sid]) for sid in section_ids),
        pervasive=frozenset(
            t for t, count in unit_frequency.items() if count >= PERVASIVE_SHARE * len(units)
        ),
        spellings={length: tuple(found) for length, found in spellings.items()},
        passage_headings=tuple(
            tuple(
                heading_words(heading)
                for heading in (p.unit.section_title, subheading(p.unit))
                if heading.strip()
            )
            for p in passages
        ),
        passage_labels=tuple(unit_labels[id(p.unit)] for p in passages),
        passage_definitions=tuple(
            definitions(p.text, term=p.unit.term or p.unit.bold) for p in passages
        ),
        section_texts={
            sid: " ".join(unit.text for unit in units if unit.section_id == sid)
            for sid in section_ids
        },
    )


def get_lesson_index(slug: str) -> LessonIndex | None:
    """The index of a lesson (and its quiz explanations), built once per process."""
    lesson = get_lesson(slug)
    return None if lesson is None else index_lesson(lesson)


# Lessons whose index a process keeps (about 0.3 MB each, measured on the real lessons); the least
# recently asked is rebuilt on its next question. config/wsgi.py warms at most this many.
INDEX_CACHE_SIZE = 64


@lru_cache(maxsize=INDEX_CACHE_SIZE)
def index_lesson(lesson: Lesson) -> LessonIndex:
    # Keyed by the lesson itself, so a reloaded catalogue (tests, CONTENT_DIR) gets a new index.
    english()  # the word list questions are read against, loaded with the first index
    word_forms()  # and the lexicon of word forms
    return build_index(lesson_units(lesson) + quiz_units(lesson))
