"""The blameless-language coach: flag blame and hindsight phrasing, suggest a systems rewrite.

The phrase lists and rewrites are content (`content/blameless-coach.yaml`); this module turns
them into compiled rules once and applies them with `coach_text`, a pure function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from django.conf import settings
from pydantic import Field, ValidationError

from lessons.content import (
    ContentModel,
    ContentProblem,
    Slug,
    Text,
    describe_validation_error,
    display_path,
    duplicate_id_problems,
    read_yaml_file,
)

COACH_FILE = "blameless-coach.yaml"
PART = "coach"

# An adverb may sit between a subject and its verb: "the reviewer silently failed to…".
ADVERB = r"(?:[A-Za-z]+ly|just|also|then|still|again|never|simply|even)"
WORD_BEFORE = re.compile(
    rf"([A-Za-z][\w-]*)(?:['’]s)?\s+(?:{ADVERB}\s+)?$",
)


class CoachRuleSpec(ContentModel):
    id: Slug
    kind: Literal["phrase", "possessive", "person-subject"] = "phrase"
    explanation: Text
    rewrite: Text
    phrases: tuple[Text, ...] = ()
    nouns: tuple[Text, ...] = ()
    names: tuple[Text, ...] = ()
    verbs: tuple[Text, ...] = ()
    unless_owner: tuple[Text, ...] = ()
    unless_followed_by: tuple[Text, ...] = ()
    skip_after_system_subject: bool = False


class CoachFile(ContentModel):
    lesson: Slug
    lesson_section: Slug
    system_subjects: tuple[Text, ...] = ()
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
    pattern: re.Pattern[str]
    explanation: str
    suggestion: str
    unless_owner: frozenset[str] = frozenset()
    unless_followed_by: re.Pattern[str] | None = None
    skip_after_system_subject: bool = False


@dataclass(frozen=True)
class CoachRules:
    rules: tuple[CoachRule, ...]
    system_subjects: frozenset[str]
    names: frozenset[str]
    lesson: str
    lesson_section: str


def _phrase_regex(phrase: str) -> str:
    """A literal phrase as a regex: flexible spaces, either apostrophe."""
    words = [re.escape(word).replace("'", "['’]") for word in phrase.split()]
    return r"\s+".join(words)


def _alternation(phrases: tuple[str, ...]) -> str:
    longest_first = sorted(phrases, key=len, reverse=True)
    return "|".join(_phrase_regex(phrase) for phrase in longest_first)


def _followed_by(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(rf"\s+(?:{_alternation(words)})(?![\w'’])", re.IGNORECASE)


def _rule_pattern(spec: CoachRuleSpec) -> re.Pattern[str]:
    if spec.kind == "phrase":
        return re.compile(rf"(?<![\w'’])(?:{_alternation(spec.phrases)})(?![\w'’])", re.IGNORECASE)
    if spec.kind == "possessive":
        return re.compile(
            rf"(?<![\w'’])(?P<owner>[A-Za-z][\w-]*)['’]s\s+(?:own\s+|big\s+|obvious\s+)?"
            rf"(?:{_alternation(spec.nouns)})(?![\w'’])",
            re.IGNORECASE,
        )
    # person-subject: a capitalised given name (optionally a surname), then a failure verb.
    names = "|".join(re.escape(name) for name in sorted(spec.names, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w'’])(?:{names})(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?)?"
        rf"\s+(?i:(?:{ADVERB}\s+)?(?:{_alternation(spec.verbs)}))(?![\w'’])"
    )


def build_coach_rules(spec: CoachFile) -> CoachRules:
    """Compile the validated coach file into rules `coach_text` can apply."""
    rules = tuple(
        CoachRule(
            id=rule.id,
            pattern=_rule_pattern(rule),
            explanation=rule.explanation,
            suggestion=rule.rewrite,
            unless_owner=frozenset(word.lower() for word in rule.unless_owner),
            unless_followed_by=_followed_by(rule.unless_followed_by),
            skip_after_system_subject=rule.skip_after_system_subject,
        )
        for rule in spec.rules
    )
    names = frozenset(name for rule in spec.rules for name in rule.names)
    return CoachRules(
        rules=rules,
        system_subjects=frozenset(word.lower() for word in spec.system_subjects),
        names=names,
        lesson=spec.lesson,
        lesson_section=spec.lesson_section,
    )


def _subject_before(text: str, start: int) -> str:
    """The word just before `start` (skipping one adverb), lower-cased; '' if none."""
    found = WORD_BEFORE.search(text[max(0, start - 80) : start])
    return found.group(1).lower() if found else ""


def _is_exempt(rule: CoachRule, rules: CoachRules, text: str, match: re.Match[str]) -> bool:
    if rule.unless_followed_by is not None and rule.unless_followed_by.match(text, match.end()):
        return True
    if rule.unless_owner and (match.groupdict().get("owner") or "").lower() in rule.unless_owner:
        return True
    return (
        rule.skip_after_system_subject
        and _subject_before(text, match.start()) in rules.system_subjects
    )


def coach_text(text: str, *, rules: CoachRules) -> list[CoachFlag]:
    """Every blameful phrase in `text`, in reading order, each with its exact span."""
    flags: set[CoachFlag] = set()
    for rule in rules.rules:
        for match in rule.pattern.finditer(text):
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
    return sorted(flags, key=lambda flag: (flag.start, flag.end, flag.rule_id))


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
REQUIRED_LISTS = {"phrase": ("phrases",), "possessive": ("nouns",), "person-subject": ("names",)}


def _rule_shape_problems(spec: CoachFile, *, file: str) -> list[ContentProblem]:
    problems = []
    for index, rule in enumerate(spec.rules):
        required = REQUIRED_LISTS[rule.kind] + (("verbs",) if rule.kind == "person-subject" else ())
        for name in required:
            if not getattr(rule, name):
                problems.append(
                    ContentProblem(
                        file=file,
                        part=PART,
                        field=f"rules[{index}].{name}",
                        message=f"a '{rule.kind}' rule needs at least one entry here",
                    )
                )
        for position, name in enumerate(rule.names):
            if not re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", name):
                problems.append(
                    ContentProblem(
                        file=file,
                        part=PART,
                        field=f"rules[{index}].names[{position}]",
                        message="must be one capitalised given name, like 'Priya'",
                    )
                )
    return problems


@cache
def _cached_rules(content_dir: Path) -> CoachRules | None:
    return load_coach_rules(content_dir)[0]


def get_coach_rules() -> CoachRules:
    """The coach rules for the configured CONTENT_DIR (validated at start-up by the check)."""
    rules = _cached_rules(Path(settings.CONTENT_DIR))
    if rules is None:
        _cached_rules.cache_clear()
        raise LookupError(f"{COACH_FILE} is missing or invalid; run manage.py check_content")
    return rules
