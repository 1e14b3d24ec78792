"""The blameless-language coach: flag blame and hindsight phrasing, suggest a systems rewrite.

The phrase lists, the word lists that tell people from systems, and the rewrites are content
(`content/blameless-coach.yaml`); this module turns them into compiled rules once and applies
them with `coach_text`, a pure function.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from content_registry import (
    ContentKind,
    ContentModel,
    ContentProblem,
    ContentSource,
    ContentStore,
    Slug,
    Text,
    describe_validation_error,
    display_path,
    duplicate_id_problems,
    get_store,
    read_yaml_file,
    register_kind,
)

COACH_FILE = "blameless-coach.yaml"
PART = "coach"

# An adverb may sit between a subject and its verb: "Sam quietly skipped…". Not "never": "Priya
# never saw the alert" and "Sam never missed a handover" say nothing against them.
# Letters taken possessively, then "ly" checked behind: one pass over a word, however long.
ADVERB = r"(?:[A-Za-z]{3,}+(?<=ly)|just|also|then|still|again|simply|even)"
ADVERB_WORDS = frozenset(["just", "also", "then", "still", "again", "simply", "even", "all"])
ADVERB_WORDS |= frozenset(["both", "each", "first", "already", "not"])

# Grammar, not vocabulary, so it lives here: how the subject of a phrase is found.
CONJUNCTIONS = frozenset(["and", "but", "or", "yet", "nor", "then", "so"])
PREPOSITIONS = frozenset(["of", "for", "from", "in", "on", "at", "with", "behind", "within"])
INTRODUCERS = frozenset(
    [
        *("after", "before", "when", "while", "once", "during", "at", "on", "in", "by"),
        *("because", "since", "although", "though", "if", "until", "as", "later", "then"),
        "earlier",
    ]
)
TOKEN = re.compile(r"[^\W_](?:[\w-]|['’](?=\w))*")
CLAUSE_END = re.compile(r"[.,;:!?\n]")
CLAUSE_BREAK = re.compile(r"[.!?;:](?=\s|$)|\n|\s[—–]\s")
POSSESSIVE_ENDINGS = frozenset(["'s", "’s", "'S", "’S"])
# A capitalised word, checked further in code: Python's `re` has no "upper-case letter" class.
CAPITALISED = r"[^\W\d_a-z][^\W\d_]*+(?:-[^\W\d_]++)?"

Subject = Literal["person", "system", "unknown"]
# "Whoever approved this change did not read it": a clause opened by these is about a person,
# whatever noun ends it.
FREE_RELATIVES = frozenset(["whoever", "whomever"])
RELATIVE_PRONOUNS: dict[str, Subject] = {
    "who": "person",
    "whom": "person",
    "that": "system",
    "which": "system",
}
FlagWhen = Literal["always", "person", "not-system"]


class CoachRuleSpec(ContentModel):
    id: Slug
    kind: Literal["phrase", "possessive", "person-subject"] = "phrase"
    explanation: Text
    rewrite: Text
    phrases: tuple[Text, ...] = ()
    nouns: tuple[Text, ...] = ()
    names: tuple[Text, ...] = ()
    verbs: tuple[Text, ...] = ()
    unlisted_name_verbs: tuple[Text, ...] = ()
    harm_adverbs: tuple[Text, ...] = ()
    harm_verbs: tuple[Text, ...] = ()
    unless_owner: tuple[Text, ...] = ()
    unless_followed_by: tuple[Text, ...] = ()
    unless_clause_has: tuple[Text, ...] = ()
    unless_preceded_by: tuple[Text, ...] = ()
    flag_when_subject: FlagWhen = "always"
    # "…, which should have been noticed": a passive hides the people it judges, so the
    # subject check (a system, "which") does not apply.
    passive_any_subject: bool = False


class SubjectWords(ContentModel):
    people: tuple[Text, ...] = ()
    systems: tuple[Text, ...] = ()
    products: tuple[Text, ...] = ()
    not_names: tuple[Text, ...] = ()
    not_name_endings: tuple[Text, ...] = ()


class HindsightWords(ContentModel):
    modals: tuple[Text, ...] = ()
    participles: tuple[Text, ...] = ()
    adjectives: tuple[Text, ...] = ()
    people_participles: tuple[Text, ...] = ()


class CoachFile(ContentModel):
    lesson: Slug
    lesson_section: Slug
    subjects: SubjectWords = SubjectWords()
    hindsight: HindsightWords = HindsightWords()
    function_words: tuple[Text, ...] = ()
    rules: Annotated[tuple[CoachRuleSpec, ...], Field(min_length=1)]


@dataclass(frozen=True)
class CoachFlag:
    """One blameful phrase: `text == source[start:end]`."""

    start: int
    end: int
    text: str
    rule_id: str
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class CoachRule:
    id: str
    kind: str
    pattern: re.Pattern[str]
    explanation: str
    suggestion: str
    unless_owner: frozenset[str] = frozenset()
    unless_followed_by: re.Pattern[str] | None = None
    unless_clause_has: re.Pattern[str] | None = None
    unless_preceded_by: re.Pattern[str] | None = None
    flag_when_subject: FlagWhen = "always"
    passive_any_subject: bool = False
    unlisted_name_verbs: frozenset[str] = frozenset()
    # A phrase rule is tried only where one of its first words starts (see `_word_starts`).
    first_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lexicon:
    """The word lists that tell a person from a system, all lower-case except `names`."""

    people: frozenset[str] = frozenset()
    systems: frozenset[str] = frozenset()
    things: frozenset[str] = frozenset()  # people | systems
    phrase_ends: frozenset[str] = frozenset()  # last words of many-word entries, and plurals
    not_names: frozenset[str] = frozenset()
    not_name_endings: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    function_words: frozenset[str] = frozenset()
    participles: frozenset[str] = frozenset()
    adjectives: frozenset[str] = frozenset()
    people_participles: frozenset[str] = frozenset()
    modal_at_end: re.Pattern[str] | None = None


@dataclass(frozen=True)
class CoachRules:
    rules: tuple[CoachRule, ...]
    lexicon: Lexicon
    names: frozenset[str]
    lesson: str
    lesson_section: str
    first_words: frozenset[str] = frozenset()  # of every phrase rule


def _phrase_regex(phrase: str) -> str:
    """A literal phrase as a regex: flexible spaces, either apostrophe."""
    words = [re.escape(word).replace("'", "['’]") for word in phrase.split()]
    # Possessive `\s++`: the next word starts with a letter, so giving back spaces never helps,
    # and not trying to keeps a long run of spaces linear.
    return r"\s++".join(words)


def _alternation(phrases: tuple[str, ...]) -> str:
    longest_first = sorted(phrases, key=len, reverse=True)
    return "|".join(_phrase_regex(phrase) for phrase in longest_first)


def _followed_by(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(rf"\s+(?:{_alternation(words)})(?![\w'’])", re.IGNORECASE)


def _preceded_by(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Matched against the few characters before a phrase: is its last word one of `words`?"""
    if not words:
        return None
    return re.compile(rf"(?<![\w'’])(?:{_alternation(words)})\s+$", re.IGNORECASE)


def _any_word(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(rf"(?<![\w'’])(?:{_alternation(words)})(?![\w'’])", re.IGNORECASE)


def _rule_pattern(spec: CoachRuleSpec) -> re.Pattern[str]:
    if spec.kind == "phrase":
        return re.compile(
            rf"(?<![\w'’])(?:{_alternation(spec.phrases)})(?![\w'’]|-\w)", re.IGNORECASE
        )
    if spec.kind == "possessive":
        # The owner starts only where a word starts, a hyphenated one included: letting it start
        # after each hyphen made "a-a-a-…" quadratic (every start rescanned the rest of the run).
        return re.compile(
            rf"(?<![\w'’-])(?P<owner>[A-Za-z][\w-]*+)['’]s\s++(?:own\s++|big\s++|obvious\s++)?"
            rf"(?:{_alternation(spec.nouns)})(?![\w'’])",
            re.IGNORECASE,
        )
    # person-subject: a capitalised word (and maybe a surname), then a failure verb. Whether the
    # word is a person's name is decided in code (`_names_a_person`), not by the pattern.
    verbs = _alternation(spec.verbs + spec.unlisted_name_verbs)
    if spec.harm_adverbs and spec.harm_verbs:
        # The flag covers the adverb, as it covers "broke": "[Alex accidentally] deleted…".
        harm = rf"\s++(?:{_alternation(spec.harm_verbs)})(?![\w'’])"
        verbs += rf"|(?:{_alternation(spec.harm_adverbs)})(?={harm})"
    starts = _first_letters(spec.verbs + spec.unlisted_name_verbs + spec.harm_adverbs)
    return re.compile(
        rf"(?<![\w'’-])(?P<name>{CAPITALISED})(?:\s++(?P<surname>{CAPITALISED}))?"
        rf"\s++(?:{ADVERB}\s++)?(?=[{starts}])"
        rf"(?P<verb>(?i:{verbs}))(?![\w'’])"
    )


def _first_letters(words: tuple[str, ...]) -> str:
    """A character class body for the letters `words` can start with, in either case: after
    every capitalised word, a quick check before trying dozens of verbs one by one."""
    letters = {case(word[0]) for word in words for case in (str.lower, str.upper)}
    return re.escape("".join(sorted(letters)))


def _verb_key(verb: str) -> str:
    """A verb as typed, compared with one from the file: 'Didn’t  bother' → "didn't bother"."""
    return " ".join(verb.lower().replace("’", "'").split())


# A word as far as a hyphen: "rubber-stamped" is tried where "rubber" starts, "lazy" inside
# "non-lazy" too (the rule's own pattern then decides, as a search over the text would).
WORD = re.compile(r"[^\W_](?:\w|['’](?=\w))*+")


def _word_key(word: str) -> str:
    return word.split("-")[0].lower().replace("’", "'")


def _word_starts(text: str, wanted: frozenset[str]) -> dict[str, list[int]]:
    """Where each `wanted` word starts, by its lower-case form: one pass for all phrase rules."""
    starts: dict[str, list[int]] = {}
    # Replacing one character by one keeps every position where it was.
    for found in WORD.finditer(text.replace("’", "'")):
        if (key := found.group().lower()) in wanted:
            starts.setdefault(key, []).append(found.start())
    return starts


def _lower(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word.lower() for word in words)


def build_coach_rules(spec: CoachFile) -> CoachRules:
    """Compile the validated coach file into rules `coach_text` can apply."""
    rules = tuple(
        CoachRule(
            id=rule.id,
            kind=rule.kind,
            pattern=_rule_pattern(rule),
            explanation=rule.explanation,
            suggestion=rule.rewrite,
            unless_owner=_lower(rule.unless_owner),
            unless_followed_by=_followed_by(rule.unless_followed_by),
            unless_clause_has=_any_word(rule.unless_clause_has),
            unless_preceded_by=_preceded_by(rule.unless_preceded_by),
            flag_when_subject=rule.flag_when_subject,
            passive_any_subject=rule.passive_any_subject,
            unlisted_name_verbs=frozenset(_verb_key(verb) for verb in rule.unlisted_name_verbs),
            first_words=frozenset(_word_key(phrase.split()[0]) for phrase in rule.phrases),
        )
        for rule in spec.rules
    )
    names = frozenset(name for rule in spec.rules for name in rule.names)
    words = spec.subjects
    modals = spec.hindsight.modals
    lexicon = Lexicon(
        people=_lower(words.people),
        systems=_lower(words.systems + words.products),
        things=_lower(words.people + words.systems + words.products),
        phrase_ends=frozenset(
            form
            for entry in _lower(words.people + words.systems + words.products)
            if " " in entry
            for form in (entry.split()[-1], entry.split()[-1] + "s")
        ),
        not_names=_lower(words.not_names + spec.function_words),
        not_name_endings=tuple(ending.lower() for ending in words.not_name_endings),
        names=names,
        function_words=_lower(spec.function_words),
        participles=_lower(spec.hindsight.participles),
        adjectives=_lower(spec.hindsight.adjectives),
        people_participles=_lower(spec.hindsight.people_participles),
        modal_at_end=re.compile(rf"(?:{_alternation(modals)})$", re.IGNORECASE) if modals else None,
    )
    return CoachRules(
        rules=rules,
        lexicon=lexicon,
        names=names,
        lesson=spec.lesson,
        lesson_section=spec.lesson_section,
        first_words=frozenset(word for rule in rules for word in rule.first_words),
    )


# ---------------------------------------------------------------------------------------------
# Who or what a phrase is about


def _listed(word: str, words: frozenset[str]) -> bool:
    if word in words:
        return True
    if word[-1:] != "s":
        return False
    return (
        word[:-1] in words
        or (word.endswith("es") and word[:-2] in words)
        or (word.endswith("ies") and word[:-3] + "y" in words)
    )


def _is_adverb(token: str, lexicon: Lexicon) -> bool:
    word = token.lower()
    if word in ADVERB_WORDS:
        return True
    return (
        token.islower()
        and word.endswith("ly")
        and len(word) > 4
        and not _listed(word, lexicon.things)
    )


def _is_title_case(word: str) -> bool:
    return all(
        part[:1].isupper() and part[1:].islower() and part.isalpha() for part in word.split("-")
    )


def _is_thing(word: str, lexicon: Lexicon) -> bool:
    return _listed(word.lower(), lexicon.things)


def is_listed_name(word: str, lexicon: Lexicon) -> bool:
    """One of the coach file's given names, and not also a product ('Claude')."""
    return word in lexicon.names and not _is_thing(word, lexicon)


def looks_like_name(word: str, lexicon: Lexicon) -> bool:
    """A listed given name, or a capitalised word that could be one.

    Words for people and systems, products and everyday sentence openers are listed in the coach
    file; plural and technical endings ("Embeddings", "Grounding", "Ingestion") are not names.
    """
    if is_listed_name(word, lexicon):
        return True
    if len(word) < 2 or not _is_title_case(word):
        return False
    lower = word.lower()
    return not (
        lower in lexicon.not_names
        or _is_thing(word, lexicon)
        or lower.endswith(lexicon.not_name_endings)
    )


def _lookup(tokens: list[str], last: int, lexicon: Lexicon) -> Subject | None:
    """What the noun phrase ending at `tokens[last]` names, from the word lists; None if unlisted.

    Only a listed given name counts as a person here: an unlisted capitalised word is as likely
    to be a product ("Nimbus failed to serve the model") as a colleague.
    """
    sizes = (3, 2, 1) if tokens[last].lower() in lexicon.phrase_ends else (1,)
    for size in sizes:
        if last + 1 >= size:
            phrase = " ".join(tokens[last + 1 - size : last + 1]).lower()
            if _listed(phrase, lexicon.people):
                return "person"
            if _listed(phrase, lexicon.systems):
                return "system"
    return "person" if is_listed_name(tokens[last], lexicon) else None


def _clause_before(text: str, end: int) -> str:
    window = text[max(0, end - 200) : end]
    breaks = list(CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def _tokens(text: str) -> list[str]:
    return [
        token[:-2] if token[-2:] in POSSESSIVE_ENDINGS else token for token in TOKEN.findall(text)
    ]


def _head_index(tokens: list[str], lexicon: Lexicon) -> int:
    """The head of the noun phrase ending the list: 'alerts for the on-call engineer' → 'alerts'.

    A name right after a word that is not a preposition starts a fresh subject ("On Friday Sam").
    """
    index = len(tokens) - 1
    for _ in range(2):
        if looks_like_name(tokens[index], lexicon) and (
            index == 0 or tokens[index - 1].lower() not in PREPOSITIONS
        ):
            break
        before = range(index - 1, max(index - 4, 0), -1)
        preposition = next((i for i in before if tokens[i].lower() in PREPOSITIONS), None)
        if preposition is None:
            break
        index = preposition - 1
    return index


def _clause_subject(clause: str, lexicon: Lexicon) -> Subject:
    """The subject a later verb shares after 'and'/'but': the first person or system named."""
    segments = clause.split(",")
    first = _tokens(segments[0])
    if len(segments) > 1 and first and first[0].lower() in INTRODUCERS:
        clause = ",".join(segments[1:])
    tokens = _tokens(clause)
    for index in range(len(tokens)):
        if found := _lookup(tokens, index, lexicon):
            return found
    return "unknown"


def _antecedent(text: str, end: int, lexicon: Lexicon) -> Subject:
    """What 'they' most likely stands for: the nearest people, or the nearest plural systems."""
    tokens = _tokens(text[max(0, end - 200) : end])
    for index in range(len(tokens) - 1, -1, -1):
        found = _lookup(tokens, index, lexicon)
        if found == "person":
            return "person"
        if found == "system" and tokens[index].lower().endswith("s"):
            return "system"
    return "person"


def _last_start(clause: str, word: str) -> int:
    starts = [found.start() for found in re.finditer(rf"\b{word}\b", clause, re.IGNORECASE)]
    return starts[-1] if starts else len(clause)


# How far back `subject_of` can look: a clause of up to 200 characters, and for "they" up to 200
# characters before that clause.
SUBJECT_REACH = 400


def subject_of(text: str, end: int, *, lexicon: Lexicon) -> Subject:
    """Whether the words just before `end` name a person, a system, or neither that we can tell."""
    # It depends only on the characters within reach, so a section that repeats itself (or an
    # attack that does) costs one analysis per distinct window.
    window = text[max(0, end - SUBJECT_REACH) : end]
    return _subject_of_window(window, lexicon)


@lru_cache(maxsize=4096)
def _subject_of_window(text: str, lexicon: Lexicon) -> Subject:
    end = len(text)
    clause = _clause_before(text, end)
    clause_start = end - len(clause)
    if clause.rstrip().endswith(","):
        # "Our reviewer, who was new, failed to…": the subject is before the aside.
        aside = clause.rstrip()[:-1].rfind(",")
        clause = clause[:aside] if aside >= 0 else clause
    tokens = _tokens(clause)
    while tokens and _is_adverb(tokens[-1], lexicon):
        tokens.pop()
    if not tokens:
        return "unknown"
    if tokens[0].lower() in FREE_RELATIVES:
        return "person"
    head = tokens[-1].lower()
    if head in CONJUNCTIONS:
        return _clause_subject(clause[: _last_start(clause, head)], lexicon)
    if head in RELATIVE_PRONOUNS:
        found = _lookup(tokens, len(tokens) - 2, lexicon) if len(tokens) > 1 else None
        return found or RELATIVE_PRONOUNS[head]
    if head == "they":
        return _antecedent(text, clause_start + _last_start(clause, head), lexicon)
    index = _head_index(tokens, lexicon)
    return _lookup(tokens, index, lexicon) or "unknown"


# ---------------------------------------------------------------------------------------------
# Hindsight: "should have" + past participle


NEXT_WORD = re.compile(rf"\s+({TOKEN.pattern})")


def _words_after(text: str, position: int, count: int) -> list[str]:
    """Up to `count` words right after `position`, stopping at punctuation."""
    words: list[str] = []
    while len(words) < count and (found := NEXT_WORD.match(text, position)):
        words.append(found.group(1))
        position = found.end()
    return words


def _is_participle(word: str, lexicon: Lexicon) -> bool:
    last = word.split("-")[-1]
    if word in lexicon.participles or last in lexicon.participles:
        return True
    return len(last) >= 4 and last.endswith("ed") and not last.endswith("eed")


def _reads_as_adjective(word: str, following: str, lexicon: Lexicon) -> bool:
    """'automated tests', 'read access', 'role-based access': an -ed word describing a noun."""
    if not following or following in lexicon.function_words or not following[0].isalpha():
        return False
    return word in lexicon.adjectives or "-" in word


def _judges_people_whatever_subject(text: str, position: int, lexicon: Lexicon) -> bool:
    """After 'should have': a passive ('been noticed') or a verb only people do ('known').

    Either judges people even when the grammatical subject is a thing: "…, which should have
    been noticed sooner", "whoever wrote this prompt should have known better".
    """
    words = [word.lower() for word in _words_after(text, position, 6)]
    while words and _is_adverb(words[0], lexicon):
        words.pop(0)
    if words and words[0] in lexicon.people_participles:
        return True
    if not words or words[0] != "been":
        return False
    rest = words[1:]
    while rest and _is_adverb(rest[0], lexicon):
        rest.pop(0)
    return bool(rest) and rest[0] != "been" and _is_participle(rest[0], lexicon)


def _participle_follows(text: str, position: int, lexicon: Lexicon) -> bool:
    """After 'should have': does what follows judge an action ('caught', 'been', or nothing)?"""
    words = [word.lower() for word in _words_after(text, position, 4)]
    while words and _is_adverb(words[0], lexicon):
        words.pop(0)
    if not words:
        return True  # "…did what they should have."
    word, following = words[0], (words[1] if len(words) > 1 else "")
    return _is_participle(word, lexicon) and not _reads_as_adjective(word, following, lexicon)


# ---------------------------------------------------------------------------------------------
# Applying the rules


def _subject_allows(rule: CoachRule, rules: CoachRules, text: str, match: re.Match[str]) -> bool:
    if rule.flag_when_subject == "always":
        return True
    if rule.passive_any_subject and _judges_people_whatever_subject(
        text, match.end(), rules.lexicon
    ):
        return True
    end = match.end("owner") if rule.kind == "possessive" else match.start()
    found = subject_of(text, end, lexicon=rules.lexicon)
    if rule.flag_when_subject == "person":
        return found == "person"
    return found != "system"


OPENING_QUOTES = "\"'“‘«"
CLOSING_QUOTES = "\"'”’»"


def _is_quoted(text: str, start: int, end: int) -> bool:
    """'the timeline avoids "should have"': a phrase mentioned as a phrase, not used."""
    if start == 0 or end >= len(text):
        return False
    return text[start - 1] in OPENING_QUOTES and text[end] in CLOSING_QUOTES


def _is_exempt(rule: CoachRule, rules: CoachRules, text: str, match: re.Match[str]) -> bool:
    if _is_quoted(text, match.start(), match.end()):
        return True
    if rule.unless_followed_by is not None and rule.unless_followed_by.match(text, match.end()):
        return True
    if rule.unless_preceded_by is not None and rule.unless_preceded_by.search(
        text, max(0, match.start() - 40), match.start()
    ):
        return True  # "not human error"
    if rule.unless_clause_has is not None:
        clause = CLAUSE_END.split(text[match.end() : match.end() + 200], maxsplit=1)[0]
        if rule.unless_clause_has.search(clause):
            return True
    if rule.unless_owner and (match.groupdict().get("owner") or "").lower() in rule.unless_owner:
        return True
    modal = rules.lexicon.modal_at_end
    if (
        modal is not None
        and modal.search(match.group(0))
        and not _participle_follows(text, match.end(), rules.lexicon)
    ):
        return True
    return not _subject_allows(rule, rules, text, match)


def _names_a_person(rule: CoachRule, text: str, match: re.Match[str], lexicon: Lexicon) -> bool:
    """A listed given name with any failure verb; or another word that could be a name with a
    verb only people do ("Kwame forgot the migration", but not "Nimbus failed to serve…").
    """
    name, surname, verb = match["name"], match["surname"], match["verb"]
    if surname is not None and not looks_like_name(surname, lexicon):
        return False
    if is_listed_name(name, lexicon):
        return True
    if not looks_like_name(name, lexicon) or _verb_key(verb) not in rule.unlisted_name_verbs:
        return False
    if not verb[:1].islower():
        return False  # "Deploy Pipeline Forgot…" is a headline, not a person
    # "Revisit overlooked edge cases" is an imperative and an adjective, not a name and a verb.
    following = _words_after(text, match.end(), 1)
    return not (
        verb.endswith("ed")
        and " " not in verb.strip()
        and following
        and following[0].lower() not in lexicon.function_words
    )


def _matches(
    rule: CoachRule, rules: CoachRules, text: str, word_starts: dict[str, list[int]]
) -> Iterator[re.Match[str]]:
    if rule.kind == "phrase":
        # Trying the alternation at every character is what a search does, and costs most on
        # text with no words at all (a run of separators); only word starts can match.
        starts = sorted({start for word in rule.first_words for start in word_starts.get(word, ())})
        for start in starts:
            if match := rule.pattern.match(text, start):
                yield match
        return
    if rule.kind != "person-subject":
        yield from rule.pattern.finditer(text)
        return
    position = 0
    while match := rule.pattern.search(text, position):
        if _names_a_person(rule, text, match, rules.lexicon):
            yield match
            position = match.end()
        else:
            position = match.end("name")  # "Then Tom forgot": try again from "Tom"


def coach_text(text: str, *, rules: CoachRules) -> list[CoachFlag]:
    """Every blameful phrase in `text`, in reading order, each with its exact span."""
    flags: set[CoachFlag] = set()
    word_starts = _word_starts(text, rules.first_words)
    for rule in rules.rules:
        for match in _matches(rule, rules, text, word_starts):
            if _is_exempt(rule, rules, text, match):
                continue
            flags.add(
                CoachFlag(
                    start=match.start(),
                    end=match.end(),
                    text=match.group(0),
                    rule_id=rule.id,
                    explanation=rule.explanation,
                    suggestion=rule.suggestion,
                )
            )
    return _one_flag_per_phrase(flags, order=[rule.id for rule in rules.rules])


def _one_flag_per_phrase(flags: set[CoachFlag], *, order: list[str]) -> list[CoachFlag]:
    """Overlapping flags are one phrase, flagged once: "Sam should have" is flagged by the
    name rule and, inside it, by the hindsight rule. The widest span wins, then the rule
    listed first in the coach file.
    """
    rank = {rule_id: index for index, rule_id in enumerate(order)}
    widest_first = sorted(flags, key=lambda f: (f.start, -(f.end - f.start), rank[f.rule_id]))
    kept: list[CoachFlag] = []
    for flag in widest_first:
        if kept and flag.start < kept[-1].end:
            continue
        kept.append(flag)
    return kept


# ---------------------------------------------------------------------------------------------
# Loading


def load_coach_rules(content_dir: Path) -> tuple[CoachRules | None, list[ContentProblem]]:
    """Read and validate `blameless-coach.yaml`; rules only when there is no problem."""
    path = content_dir / COACH_FILE
    file = display_path(path, content_dir)
    data, problems = read_yaml_file(path, file=file, part=PART)
    if problems:
        return None, problems
    try:
        spec = CoachFile.model_validate(data)
    except ValidationError as exc:
        return None, describe_validation_error(exc, file=file, part=PART)
    problems = duplicate_id_problems(
        [rule.id for rule in spec.rules], file=file, part=PART, list_name="rules"
    )
    problems += _rule_shape_problems(spec, file=file)
    if problems:
        return None, problems
    return build_coach_rules(spec), []


# Which list each kind of rule needs to match anything at all.
REQUIRED_LISTS = {
    "phrase": ("phrases",),
    "possessive": ("nouns",),
    "person-subject": ("names", "verbs"),
}


def _rule_shape_problems(spec: CoachFile, *, file: str) -> list[ContentProblem]:
    problems = []

    def problem(field: str, message: str) -> None:
        problems.append(ContentProblem(file=file, part=PART, field=field, message=message))

    for index, rule in enumerate(spec.rules):
        for name in REQUIRED_LISTS[rule.kind]:
            if not getattr(rule, name):
                message = f"a '{rule.kind}' rule needs at least one entry here"
                problem(f"rules[{index}].{name}", message)
        if bool(rule.harm_adverbs) != bool(rule.harm_verbs):
            missing = "harm_verbs" if rule.harm_adverbs else "harm_adverbs"
            problem(f"rules[{index}].{missing}", "harm_adverbs and harm_verbs go together")
        for position, phrase in enumerate(rule.phrases):
            if not WORD.fullmatch(_word_key(phrase.split()[0])):
                problem(
                    f"rules[{index}].phrases[{position}]",
                    "must start with a word (a letter or digit), which is where it is looked for",
                )
        for position, name in enumerate(rule.names):
            if not _is_title_case(name):
                problem(
                    f"rules[{index}].names[{position}]",
                    "must be one capitalised given name, like 'Priya'",
                )
    return problems


def _load_source(source: ContentSource) -> tuple[CoachRules | None, list[ContentProblem]]:
    return load_coach_rules(source.content_dir)


def _any_practice(store: ContentStore) -> bool:
    from postmortems.guide import PRACTICE_KIND  # the builder uses the coach, not the reverse

    return bool(store.keys(PRACTICE_KIND))


# Only checked when a lesson has practice: the builder is the coach's one user.
COACH_KIND: ContentKind[CoachRules, None] = register_kind(
    ContentKind(name="coach", files=COACH_FILE, load=_load_source, checked_when=_any_practice)
)


def get_coach_rules() -> CoachRules:
    """The coach rules for the configured CONTENT_DIR (validated at start-up by the check)."""
    rules = get_store().lookup(COACH_KIND)
    if rules is None:
        raise LookupError(f"{COACH_FILE} is missing or invalid; run manage.py check_content")
    return rules
