"""A learner's postmortem draft: what they typed, what the coach flags in it, and what still
stands between it and publishing. Pure, typed functions over the template in template.py.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from postmortems.coach import CoachFlag, CoachRules, coach_text
from postmortems.template import (
    ACTION_FIELD_NAMES,
    SECTIONS,
    FieldSpec,
    SectionSpec,
    action_key,
    is_coached_field,
    length_problem,
)

ActionItem = Mapping[str, str]


@dataclass(frozen=True)
class Draft:
    """What the learner typed: fixed fields by key, and action-item rows (column -> text)."""

    values: Mapping[str, str] = field(default_factory=dict)
    action_items: tuple[ActionItem, ...] = ()

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def section_is_empty(self, section: SectionSpec) -> bool:
        if section.is_action_items:
            return not self.action_items
        return not any(has_value(spec, self.get(spec.key)) for spec in section.fields)

    def form_values(self) -> dict[str, str]:
        """Every value by its form name, action items included."""
        values = dict(self.values)
        for index, item in enumerate(self.action_items):
            for name in ACTION_FIELD_NAMES:
                values[action_key(index, name)] = item.get(name, "")
        return values


def has_value(spec: FieldSpec, value: str) -> bool:
    # "Draft" is the default status, not something the learner wrote.
    if spec.key == "status" and value == "draft":
        return False
    return bool(value.strip())


# ---------------------------------------------------------------------------------------------
# Coaching a whole draft


@dataclass(frozen=True)
class MergedFlag:
    """One marked span of a field: the coach's flags that overlap there, as one thing to reword.

    "Sam should have" and "should have" are one phrase to the learner, counted once.
    """

    start: int
    end: int
    text: str
    flags: tuple[CoachFlag, ...]

    @property
    def rule_ids(self) -> str:
        return " ".join(dict.fromkeys(flag.rule_id for flag in self.flags))

    @property
    def advice(self) -> tuple[tuple[str, str], ...]:
        """(explanation, suggestion) of each merged flag, without repeats."""
        return tuple(dict.fromkeys((flag.explanation, flag.suggestion) for flag in self.flags))


def merge_overlapping(text: str, flags: list[CoachFlag]) -> list[MergedFlag]:
    """The flags of one text with overlapping spans merged, in reading order."""
    merged: list[MergedFlag] = []
    for flag in sorted(flags, key=lambda flag: (flag.start, -flag.end)):
        last = merged[-1] if merged else None
        if last is not None and flag.start < last.end:
            end = max(last.end, flag.end)
            merged[-1] = MergedFlag(last.start, end, text[last.start : end], (*last.flags, flag))
        else:
            merged.append(MergedFlag(flag.start, flag.end, text[flag.start : flag.end], (flag,)))
    return merged


# Flags listed per field: a learner rewords a field a few phrases at a time, and every listed
# flag is rendered with its advice, so a field of nothing but "if only " (1,250 flags) must not
# make a response of megabytes. The rest are counted in `CoachReport.more_flags`.
MAX_FLAGS_PER_FIELD = 20


@dataclass(frozen=True)
class CoachReport:
    """The coach's flags by field key (overlaps merged, at most a cap per field), how many more
    each field has beyond those listed, and the fields it left unread to stay within its budget."""

    flags: dict[str, list[MergedFlag]]
    unchecked: tuple[str, ...] = ()
    more_flags: dict[str, int] = field(default_factory=dict)

    @property
    def flag_count(self) -> int:
        """Every flag found, listed or not."""
        return sum(len(found) for found in self.flags.values()) + sum(self.more_flags.values())


def coach_within(
    values: Mapping[str, str],
    *,
    rules: CoachRules,
    max_chars: int,
    max_flags_per_field: int = MAX_FLAGS_PER_FIELD,
) -> CoachReport:
    """Coach written, coachable fields in order, reading at most `max_chars` characters in all.

    A field over the length limit is reported as too long instead, and not coached; a field that
    would take the total past `max_chars` is left unchecked (a later, shorter one may still fit),
    so one request's work stays bounded whatever is posted. Each field lists its first
    `max_flags_per_field` flags and counts the rest in `more_flags`.
    """
    flags: dict[str, list[MergedFlag]] = {}
    more_flags: dict[str, int] = {}
    unchecked: list[str] = []
    used = 0
    for key, value in values.items():
        if length_problem(value) or not (value and is_coached_field(key)):
            continue
        if used + len(value) > max_chars:
            unchecked.append(key)
            continue
        used += len(value)
        if found := coach_text(value, rules=rules):
            merged = merge_overlapping(value, found)
            flags[key] = merged[:max_flags_per_field]
            if len(merged) > max_flags_per_field:
                more_flags[key] = len(merged) - max_flags_per_field
    return CoachReport(flags=flags, unchecked=tuple(unchecked), more_flags=more_flags)


def coach_fields(values: Mapping[str, str], *, rules: CoachRules) -> dict[str, list[MergedFlag]]:
    """Coach flags for every written, coachable field that has any, by field key (all of them)."""
    return coach_within(
        values, rules=rules, max_chars=sys.maxsize, max_flags_per_field=sys.maxsize
    ).flags


def coach_draft(draft: Draft, *, rules: CoachRules) -> dict[str, list[MergedFlag]]:
    return coach_fields(draft.form_values(), rules=rules)


# ---------------------------------------------------------------------------------------------
# Readiness


@dataclass(frozen=True)
class Readiness:
    empty_sections: tuple[SectionSpec, ...]
    harm_unassessed: bool
    harm_gate_open: bool
    action_item_problems: tuple[str, ...]
    flag_count: int = 0

    @property
    def ready_to_publish(self) -> bool:
        return not (
            self.empty_sections
            or self.harm_unassessed
            or self.harm_gate_open
            or self.action_item_problems
            or self.flag_count
        )


def assess_readiness(
    draft: Draft, *, names: frozenset[str] = frozenset(), flag_count: int = 0
) -> Readiness:
    """What still stands between this draft and publishing it."""
    problems: list[str] = []
    for number, item in enumerate(draft.action_items, start=1):
        if not item.get("category", "").strip():
            problems.append(f"Action item {number} has no category.")
        if not (owner := item.get("owner", "").strip()):
            problems.append(f"Action item {number} has no owner role.")
        elif any(word in names for word in re.findall(r"[A-Z][a-z]+", owner)):
            problems.append(
                f"Action item {number}’s owner looks like a person’s name; name a role instead."
            )
    harmed = draft.get("impact.harmed")
    return Readiness(
        empty_sections=tuple(s for s in SECTIONS if draft.section_is_empty(s)),
        harm_unassessed=harmed == "",
        harm_gate_open=harmed == "yes" and draft.get("impact.gate") != "on",
        action_item_problems=tuple(problems),
        flag_count=flag_count,
    )
