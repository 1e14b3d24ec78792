"""The practice builder's domain: the AI-incident postmortem template as data, a learner's
draft, its readiness to publish, and its Markdown export. Pure, typed functions.

The template's shape (sections and fields) lives here; the words around it (guidance, the worked
example, which lesson section each part links to) live in `content/<slug>/practice.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError

from content_registry import ContentKind, ContentSource, get_store, register_kind
from lessons.coach import CoachFlag, CoachRules, coach_text
from lessons.content import (
    LESSON_KIND,
    ContentModel,
    ContentProblem,
    Lesson,
    Slug,
    Text,
    describe_validation_error,
    display_path,
    read_yaml_file,
)

PRACTICE_FILE = "practice.yaml"
MAX_FIELD_CHARS = 10_000
MAX_ACTION_ITEMS = 20
# Rows a page shows without JavaScript: the filled ones plus this many empty ones, at least.
EMPTY_ACTION_ROWS = 1
MIN_ACTION_ROWS = 3
ACTION_PREFIX = "action_items"
FIELD_KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"

FieldKind = Literal["text", "textarea", "date", "select", "checkbox"]


@dataclass(frozen=True)
class FieldSpec:
    """One control of the form; `key` is its form name and its key in a saved draft."""

    key: str
    label: str
    kind: FieldKind = "textarea"
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    rows: int = 4

    @property
    def dom_id(self) -> str:
        return dom_id(self.key)

    @property
    def coached(self) -> bool:
        return self.kind in ("text", "textarea")

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    fields: tuple[FieldSpec, ...] = ()

    @property
    def is_action_items(self) -> bool:
        return self.id == "action-items"


SEVERITIES = (
    ("", "Not set"),
    ("sev1", "SEV 1: critical"),
    ("sev2", "SEV 2: major"),
    ("sev3", "SEV 3: minor"),
    ("sev4", "SEV 4: low"),
)
STATUSES = (("draft", "Draft"), ("in-review", "In review"), ("published", "Published"))
HARM_CHOICES = (
    ("", "Not assessed yet"),
    ("no", "No: nobody was harmed"),
    ("yes", "Yes: someone was harmed"),
)
AUTONOMY_LEVELS = (
    ("", "Not set"),
    ("advisory", "Advisory: the AI suggests, a person decides"),
    ("approve-each", "A person approves each output before it is used"),
    ("sample-review", "Outputs go out directly; people review a sample afterwards"),
    ("autonomous", "Fully automatic: no human review"),
)
CATEGORIES = (
    ("", "Choose a category"),
    ("prompt", "Prompt"),
    ("guardrail", "Guardrail"),
    ("training", "Training"),
    ("evaluation", "Evaluation"),
    ("process", "Process"),
)
ACTION_TYPES = (("", "Choose a type"), ("mitigate", "Mitigate"), ("prevent", "Prevent"))

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "header",
        "Header",
        (
            FieldSpec("title", "Title", "text"),
            FieldSpec("date", "Date of the incident", "date"),
            FieldSpec("severity", "Severity", "select", SEVERITIES),
            FieldSpec("status", "Status", "select", STATUSES),
        ),
    ),
    SectionSpec("summary", "Summary", (FieldSpec("summary", "Summary"),)),
    SectionSpec(
        "impact",
        "Impact and harm",
        (
            FieldSpec("impact.who", "Who was affected, and for how long"),
            FieldSpec("impact.count", "How many", "text"),
            FieldSpec("impact.harmed", "Was anyone harmed?", "select", HARM_CHOICES),
            FieldSpec(
                "impact.gate",
                "Legal and communications have reviewed this postmortem",
                "checkbox",
                help="Required before publishing when anyone was harmed.",
            ),
        ),
    ),
    SectionSpec(
        "ai-snapshot",
        "AI system snapshot",
        (
            FieldSpec("ai.model", "Model and exact version", "text"),
            FieldSpec(
                "ai.autonomy", "Autonomy and human-in-the-loop level", "select", AUTONOMY_LEVELS
            ),
            FieldSpec("ai.oversight", "Human review: who sees what, with which tools and time"),
        ),
    ),
    SectionSpec(
        "prompt-history",
        "Prompt and input history",
        (FieldSpec("prompt", "Prompt and input history"),),
    ),
    SectionSpec(
        "data-evaluation", "Data and evaluation", (FieldSpec("data", "Data and evaluation"),)
    ),
    SectionSpec(
        "timeline",
        "Timeline",
        (FieldSpec("timeline", "Timeline", help="One timestamped fact per line.", rows=6),),
    ),
    SectionSpec("detection", "Detection", (FieldSpec("detection", "Detection"),)),
    SectionSpec(
        "response", "Response and containment", (FieldSpec("response", "Response and containment"),)
    ),
    SectionSpec(
        "factors",
        "Contributing factors by layer",
        (
            FieldSpec("factors.model", "Model", rows=3),
            FieldSpec("factors.data", "Data", rows=3),
            FieldSpec("factors.prompt", "Prompt", rows=3),
            FieldSpec("factors.guardrail", "Guardrail", rows=3),
            FieldSpec("factors.human", "Human in the loop", rows=3),
            FieldSpec("factors.process", "Process", rows=3),
        ),
    ),
    SectionSpec(
        "learnings",
        "What went well, what went wrong, where we got lucky",
        (
            FieldSpec("went.well", "What went well", rows=3),
            FieldSpec("went.wrong", "What went wrong", rows=3),
            FieldSpec("went.lucky", "Where we got lucky", rows=3),
        ),
    ),
    SectionSpec("action-items", "Action items"),
    SectionSpec("open-questions", "Open questions", (FieldSpec("questions", "Open questions"),)),
    SectionSpec(
        "disclosure",
        "Disclosure and legal review",
        (FieldSpec("disclosure", "Disclosure and legal review"),),
    ),
)

ACTION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("action", "What will change", rows=2),
    FieldSpec("category", "Category", "select", CATEGORIES),
    FieldSpec("type", "Type", "select", ACTION_TYPES),
    FieldSpec("owner", "Owner role (a role, not a person)", "text"),
    FieldSpec("due", "Due date", "date"),
)
ACTION_FIELD_NAMES = tuple(spec.key for spec in ACTION_FIELDS)
FIELDS: dict[str, FieldSpec] = {spec.key: spec for s in SECTIONS for spec in s.fields}
SECTION_IDS = tuple(section.id for section in SECTIONS)


def action_field(index: int, spec: FieldSpec) -> FieldSpec:
    """The control for one column of action-item row `index` (0-based)."""
    return FieldSpec(
        key=f"{ACTION_PREFIX}.{index}.{spec.key}",
        label=spec.label,
        kind=spec.kind,
        choices=spec.choices,
        rows=spec.rows,
    )


# ---------------------------------------------------------------------------------------------
# A learner's draft


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
        return not any(_has_value(spec, self.get(spec.key)) for spec in section.fields)

    def form_values(self) -> dict[str, str]:
        """Every value by its form name, action items included."""
        values = dict(self.values)
        for index, item in enumerate(self.action_items):
            for name in ACTION_FIELD_NAMES:
                values[f"{ACTION_PREFIX}.{index}.{name}"] = item.get(name, "")
        return values


def _has_value(spec: FieldSpec, value: str) -> bool:
    # "Draft" is the default status, not something the learner wrote.
    if spec.key == "status" and value == "draft":
        return False
    return bool(value.strip())


@dataclass(frozen=True)
class Submission:
    """A parsed form post: the draft (always, so nothing typed is lost) and its problems."""

    draft: Draft
    errors: Mapping[str, str]


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
ACTION_KEY = re.compile(rf"^{ACTION_PREFIX}\.(?P<index>[^.]*)\.(?P<name>[^.]*)$")


def length_problem(value: str) -> str:
    """What to tell the learner about a field over the length limit; '' when it fits."""
    if len(value) <= MAX_FIELD_CHARS:
        return ""
    over = len(value) - MAX_FIELD_CHARS
    return (
        f"This is {len(value):,} characters; the limit is {MAX_FIELD_CHARS:,}. "
        f"Shorten it by {over:,} to save or export."
    )


def _field_error(spec: FieldSpec, value: str) -> str:
    if message := length_problem(value):
        return message
    if spec.kind == "select" and value not in dict(spec.choices):
        return f"“{value[:60]}” is not one of the choices; pick one from the list."
    if spec.kind == "date" and value:
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"“{value[:60]}” is not a date; use the form 2026-03-10."
    if spec.kind == "checkbox" and value not in ("", "on"):
        return "This box can only be ticked or not."
    return ""


def parse_submission(data: Mapping[str, str]) -> Submission:
    """Read a posted form into a draft; every problem is reported against its field key."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, spec in FIELDS.items():
        value = _clean(data.get(key, ""))
        if spec.kind == "select" and not value:
            value = spec.choices[0][0]
        values[key] = value
        if message := _field_error(spec, value):
            errors[key] = message

    rows: dict[int, dict[str, str]] = {}
    for key in data:
        if not key.startswith(f"{ACTION_PREFIX}."):
            continue
        found = ACTION_KEY.match(key)
        if (
            found is None
            or not found["index"].isdigit()
            or len(found["index"]) > 4
            or found["name"] not in ACTION_FIELD_NAMES
        ):
            errors[ACTION_PREFIX] = f"“{key[:80]}” is not a field of an action item."
            continue
        rows.setdefault(int(found["index"]), {})[found["name"]] = _clean(data.get(key, ""))

    items: list[dict[str, str]] = []
    for index in sorted(rows):
        row = {name: rows[index].get(name, "") for name in ACTION_FIELD_NAMES}
        if any(value.strip() for value in row.values()):
            items.append(row)
    for position, row in enumerate(items):
        for spec in ACTION_FIELDS:
            if message := _field_error(spec, row[spec.key]):
                errors[f"{ACTION_PREFIX}.{position}.{spec.key}"] = message
    if len(items) > MAX_ACTION_ITEMS:
        errors[ACTION_PREFIX] = (
            f"There are {len(items)} action items; the limit is {MAX_ACTION_ITEMS}. "
            "Merge or remove some to save or export."
        )
    return Submission(draft=Draft(values=values, action_items=tuple(items)), errors=errors)


def _clean(value: object) -> str:
    """Form text with browser line endings normalised; anything else becomes ''."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def action_rows_to_show(draft: Draft, *, extra: int = 0) -> int:
    """How many action-item rows a page renders without JavaScript."""
    wanted = max(MIN_ACTION_ROWS, len(draft.action_items) + EMPTY_ACTION_ROWS) + extra
    return max(len(draft.action_items), min(wanted, MAX_ACTION_ITEMS))


# ---------------------------------------------------------------------------------------------
# Coaching a whole draft


def coach_fields(values: Mapping[str, str], *, rules: CoachRules) -> dict[str, list[CoachFlag]]:
    """Coach flags for every written, coachable field that has any, by field key.

    A field over the length limit is reported as too long instead, and not coached.
    """
    flags: dict[str, list[CoachFlag]] = {}
    for key, value in values.items():
        if length_problem(value) or not (value and is_coached_field(key)):
            continue
        if found := coach_text(value, rules=rules):
            flags[key] = found
    return flags


def coach_draft(draft: Draft, *, rules: CoachRules) -> dict[str, list[CoachFlag]]:
    return coach_fields(draft.form_values(), rules=rules)


def dom_id(key: str) -> str:
    """The HTML id of a field's control (dots would need escaping in CSS selectors)."""
    return "field-" + key.replace(".", "-").replace("_", "-")


def _spec_for(key: str) -> FieldSpec | None:
    if key in FIELDS:
        return FIELDS[key]
    found = ACTION_KEY.match(key)
    if found and found["name"] in ACTION_FIELD_NAMES:
        return ACTION_FIELDS[ACTION_FIELD_NAMES.index(found["name"])]
    return None


def is_coached_field(key: str) -> bool:
    spec = _spec_for(key)
    return spec is not None and spec.coached


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


# ---------------------------------------------------------------------------------------------
# Markdown export


def _block(text: str) -> str:
    """The learner's text as they wrote it (their Markdown stays Markdown), tidied at the ends."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip()


def _inline(text: str) -> str:
    return " ".join(text.split())


def _value_text(spec: FieldSpec, value: str) -> str:
    return spec.choice_label(value) if spec.kind == "select" else value


def _section_markdown(section: SectionSpec, draft: Draft) -> list[str]:
    if section.is_action_items:
        return _action_items_markdown(draft)
    if section.id == "impact":
        return _impact_markdown(section, draft)
    filled = [spec for spec in section.fields if _has_value(spec, draft.get(spec.key))]
    if section.id == "timeline":
        return [_timeline_list(draft.get("timeline"))]
    if len(section.fields) == 1:
        return [_block(draft.get(filled[0].key))]
    parts = []
    for spec in filled:
        value = draft.get(spec.key)
        if spec.kind == "textarea":
            parts.append(f"### {spec.label}\n\n{_block(value)}")
        else:
            parts.append(f"- **{spec.label}:** {_inline(_value_text(spec, value))}")
    return _join_list_items(parts)


def _timeline_list(text: str) -> str:
    """One timestamped fact per line becomes one list item, so it renders as a list."""
    lines = [line for line in _block(text).split("\n") if line.strip()]
    return "\n".join(line if LIST_ITEM.match(line) else f"- {line}" for line in lines)


def _impact_markdown(section: SectionSpec, draft: Draft) -> list[str]:
    parts = []
    if who := draft.get("impact.who").strip():
        parts.append(_block(who))
    facts = []
    if count := draft.get("impact.count").strip():
        facts.append(f"- **How many:** {_inline(count)}")
    harmed = draft.get("impact.harmed")
    if harmed:
        facts.append(f"- **Was anyone harmed:** {'Yes' if harmed == 'yes' else 'No'}")
    if draft.get("impact.gate") == "on":
        facts.append("- **Legal and communications review:** confirmed")
    elif harmed == "yes":
        facts.append(
            "- **Legal and communications review:** not yet confirmed (not ready to publish)"
        )
    if facts:
        parts.append("\n".join(facts))
    return parts


def _join_list_items(parts: list[str]) -> list[str]:
    """Consecutive `- ` lines form one list; headings and paragraphs stay apart."""
    joined: list[str] = []
    for part in parts:
        if joined and part.startswith("- ") and joined[-1].startswith("- "):
            joined[-1] += "\n" + part
        else:
            joined.append(part)
    return joined


def _action_items_markdown(draft: Draft) -> list[str]:
    entries = []
    for number, item in enumerate(draft.action_items, start=1):
        action = _block(item.get("action", "")) or "(no description yet)"
        indent = " " * (len(str(number)) + 2)
        lines = [f"{number}. " + action.replace("\n", "\n" + indent)]
        for spec in ACTION_FIELDS[1:]:
            if value := item.get(spec.key, "").strip():
                label = spec.label.split(" (")[0]
                lines.append(f"{indent}- **{label}:** {_inline(_value_text(spec, value))}")
        entries.append("\n".join(lines))
    return ["\n".join(entries)] if entries else []


def export_markdown(draft: Draft) -> str:
    """The draft as a clean Markdown postmortem: every filled section, in template order."""
    title = _inline(draft.get("title")) or "Untitled postmortem"
    out = [f"# {title}"]
    for section in SECTIONS:
        if section.id == "header":
            facts = [
                f"- **{spec.label}:** {_inline(_value_text(spec, draft.get(spec.key)))}"
                for spec in section.fields[1:]
                if draft.get(spec.key).strip()
            ]
            if facts:
                out.append("\n".join(facts))
            continue
        if draft.section_is_empty(section):
            continue
        body = [part for part in _section_markdown(section, draft) if part]
        if body:
            out.append(f"## {section.title}")
            out.extend(body)
    return "\n\n".join(out) + "\n"


def export_filename(draft: Draft) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", draft.get("title").lower()).strip("-")[:60].strip("-")
    return f"postmortem-{stem or 'draft'}.md"


# ---------------------------------------------------------------------------------------------
# practice.yaml: guidance, example and lesson links per section

FieldKey = Annotated[str, StringConstraints(pattern=FIELD_KEY_PATTERN)]
ExampleText = Annotated[str, StringConstraints(max_length=MAX_FIELD_CHARS)]


class SectionGuide(ContentModel):
    id: Slug
    lesson_section: Slug
    guidance: Text
    example: dict[FieldKey, ExampleText] = {}
    example_action_items: tuple[dict[FieldKey, ExampleText], ...] = ()


class PracticeFile(ContentModel):
    title: Text
    intro: Text
    example_name: Text
    sections: Annotated[tuple[SectionGuide, ...], Field(min_length=1)]


@dataclass(frozen=True)
class Practice:
    slug: str
    title: str
    intro: str
    example_name: str
    guides: Mapping[str, SectionGuide]

    def example_draft(self) -> Draft:
        values = {
            key: spec.choices[0][0] if spec.kind == "select" else "" for key, spec in FIELDS.items()
        }
        items: tuple[ActionItem, ...] = ()
        for guide in self.guides.values():
            values.update(guide.example)
            items += tuple(
                {name: item.get(name, "") for name in ACTION_FIELD_NAMES}
                for item in guide.example_action_items
            )
        return Draft(values=values, action_items=items)


def practice_problems(
    spec: PracticeFile, *, file: str, lesson: Lesson | None
) -> list[ContentProblem]:
    """Cross-checks pydantic cannot make: every template section once, known fields and choices."""
    part = "practice"
    problems: list[ContentProblem] = []

    def problem(where: str, message: str) -> None:
        problems.append(ContentProblem(file=file, part=part, field=where, message=message))

    ids = [guide.id for guide in spec.sections]
    for missing in [sid for sid in SECTION_IDS if sid not in ids]:
        problem("sections", f"section '{missing}' of the template has no guidance")
    for index, guide in enumerate(spec.sections):
        where = f"sections[{index}]"
        if guide.id not in SECTION_IDS:
            problem(
                f"{where}.id", f"unknown section '{guide.id}' (known: {', '.join(SECTION_IDS)})"
            )
            continue
        if ids.index(guide.id) != index:
            problem(
                f"{where}.id",
                f"duplicate id '{guide.id}' (first used at sections[{ids.index(guide.id)}])",
            )
        if lesson is not None and not lesson.has_section(guide.lesson_section):
            problem(
                f"{where}.lesson_section", f"the lesson has no section '{guide.lesson_section}'"
            )
        section = SECTIONS[SECTION_IDS.index(guide.id)]
        own = {spec.key: spec for spec in section.fields}
        for key, value in guide.example.items():
            if key not in own:
                problem(f"{where}.example.{key}", f"not a field of section '{guide.id}'")
            elif message := _field_error(own[key], value):
                problem(f"{where}.example.{key}", message)
        if guide.example_action_items and not section.is_action_items:
            problem(
                f"{where}.example_action_items", "only the 'action-items' section has action items"
            )
        if len(guide.example_action_items) > MAX_ACTION_ITEMS:
            problem(f"{where}.example_action_items", f"at most {MAX_ACTION_ITEMS} action items")
        columns = {spec.key: spec for spec in ACTION_FIELDS}
        for position, item in enumerate(guide.example_action_items):
            for key, value in item.items():
                item_where = f"{where}.example_action_items[{position}].{key}"
                if key not in columns:
                    problem(item_where, f"unknown column (known: {', '.join(ACTION_FIELD_NAMES)})")
                elif message := _field_error(columns[key], value):
                    problem(item_where, message)
    return problems


def load_practice(
    path: Path, *, content_dir: Path, lesson: Lesson | None
) -> tuple[Practice | None, list[ContentProblem]]:
    """Read and validate one `practice.yaml`; the practice only when there is no problem."""
    file = display_path(path, content_dir)
    data, problems = read_yaml_file(path, file=file, part="practice")
    if problems:
        return None, problems
    try:
        spec = PracticeFile.model_validate(data)
    except ValidationError as exc:
        return None, [
            replace(p, message=f"must be at most {MAX_FIELD_CHARS:,} characters")
            if p.message.startswith("String should have at most")
            else p
            for p in describe_validation_error(exc, file=file, part="practice")
        ]
    problems = practice_problems(spec, file=file, lesson=lesson)
    if problems:
        return None, problems
    return (
        Practice(
            slug=path.parent.name,
            title=spec.title,
            intro=spec.intro,
            example_name=spec.example_name,
            guides={guide.id: guide for guide in spec.sections},
        ),
        [],
    )


def _load_source(source: ContentSource) -> tuple[Practice | None, list[ContentProblem]]:
    lesson = source.store.lookup(LESSON_KIND, source.key)
    return load_practice(source.path, content_dir=source.content_dir, lesson=lesson)


PRACTICE_KIND: ContentKind[Practice, None] = register_kind(
    ContentKind(name="practice", files=f"*/{PRACTICE_FILE}", load=_load_source)
)


def lessons_with_practice() -> frozenset[str]:
    """Slugs of the lessons with a practice file (its page answers 404 while it is invalid)."""
    return frozenset(get_store().keys(PRACTICE_KIND))


def get_practice(slug: str) -> Practice | None:
    """The practice for a lesson, or None when it has none (or it is invalid: see the check)."""
    return get_store().lookup(PRACTICE_KIND, slug)
