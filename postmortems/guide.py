"""The postmortem guide, `content/<slug>/practice.yaml`: guidance, the worked example and the
lesson section behind each part of the template, read and cross-checked like every content file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError

from content_registry import (
    ContentKind,
    ContentModel,
    ContentProblem,
    ContentSource,
    Slug,
    Text,
    describe_validation_error,
    display_path,
    get_store,
    read_yaml_file,
    register_kind,
)
from lessons.content import LESSON_KIND, Lesson
from postmortems.drafts import ActionItem, Draft
from postmortems.template import (
    ACTION_FIELD_NAMES,
    ACTION_FIELDS,
    FIELD_KEY_PATTERN,
    FIELDS,
    MAX_ACTION_ITEMS,
    MAX_FIELD_CHARS,
    SECTION_IDS,
    SECTIONS,
    field_problem,
)

PRACTICE_FILE = "practice.yaml"

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
            elif message := field_problem(own[key], value):
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
                elif message := field_problem(columns[key], value):
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
