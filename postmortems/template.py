"""The AI-incident postmortem template as data: its sections, their fields, and the limits and
checks every value of a field must pass. Pure, typed, no Django.

The template's shape lives here; the words around it (guidance, the worked example, which lesson
section each part links to) live in `content/<slug>/practice.yaml` (see postmortems/guide.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

MAX_FIELD_CHARS = 10_000
# A field's character counter appears from here on: far from the limit it is only noise.
COUNTER_FROM_CHARS = 9_000
MAX_ACTION_ITEMS = 20
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
# The lesson's types: detect, mitigate and prevent, and the investigate / repair many teams track.
ACTION_TYPES = (
    ("", "Choose a type"),
    ("detect", "Detect"),
    ("mitigate", "Mitigate"),
    ("prevent", "Prevent"),
    ("investigate", "Investigate"),
    ("repair", "Repair"),
)
PRIORITIES = (
    ("", "Not set"),
    ("p0", "P0: now"),
    ("p1", "P1: this sprint"),
    ("p2", "P2: this quarter"),
    ("p3", "P3: when there is room"),
)

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
    FieldSpec("priority", "Priority", "select", PRIORITIES),
    FieldSpec("owner", "Owner role (a role, not a person)", "text"),
    FieldSpec("due", "Due date", "date"),
    FieldSpec("done_when", "Done when (how you will tell it works)", "text"),
)
ACTION_FIELD_NAMES = tuple(spec.key for spec in ACTION_FIELDS)
FIELDS: dict[str, FieldSpec] = {spec.key: spec for s in SECTIONS for spec in s.fields}
SECTION_IDS = tuple(section.id for section in SECTIONS)
# Every field with every action-item row filled: the most keys one stored draft needs.
MAX_FIELDS_PER_DRAFT = len(FIELDS) + MAX_ACTION_ITEMS * len(ACTION_FIELDS)
ACTION_KEY = re.compile(rf"^{ACTION_PREFIX}\.(?P<index>[^.]*)\.(?P<name>[^.]*)$")


def action_key(index: int | str, name: str) -> str:
    """The form name (and stored draft key) of one column of action-item row `index`."""
    return f"{ACTION_PREFIX}.{index}.{name}"


def length_problem(value: str) -> str:
    """What to tell the learner about a field over the length limit; '' when it fits."""
    if len(value) <= MAX_FIELD_CHARS:
        return ""
    over = len(value) - MAX_FIELD_CHARS
    return (
        f"This is {len(value):,} characters; the limit is {MAX_FIELD_CHARS:,}. "
        f"Shorten it by {over:,} to save or export."
    )


def choice_problem(spec: FieldSpec, value: str) -> str:
    """What is wrong with a value for a select field; '' when it is one of the choices."""
    if value in dict(spec.choices):
        return ""
    return f"“{value[:60]}” is not one of the choices; pick one from the list."


def date_problem(value: str) -> str:
    """What is wrong with a date field's text; '' when it is empty or an ISO date."""
    if not value:
        return ""
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"“{value[:60]}” is not a date; use the form 2026-03-10."
    return ""


def field_problem(spec: FieldSpec, value: str) -> str:
    """The first problem with a field's value (as a draft stores it); '' when there is none."""
    if message := length_problem(value):
        return message
    if spec.kind == "select":
        return choice_problem(spec, value)
    if spec.kind == "date":
        return date_problem(value)
    if spec.kind == "checkbox" and value not in ("", "on"):
        return "This box can only be ticked or not."
    return ""


def dom_id(key: str) -> str:
    """The HTML id of a field's control (dots would need escaping in CSS selectors)."""
    return "field-" + key.replace(".", "-").replace("_", "-")


def spec_for(key: str) -> FieldSpec | None:
    """The field a form name stands for, action-item columns included; None when unknown."""
    if key in FIELDS:
        return FIELDS[key]
    found = ACTION_KEY.match(key)
    if found and found["index"].isdigit() and found["name"] in ACTION_FIELD_NAMES:
        return ACTION_FIELDS[ACTION_FIELD_NAMES.index(found["name"])]
    return None


def is_coached_field(key: str) -> bool:
    spec = spec_for(key)
    return spec is not None and spec.coached
