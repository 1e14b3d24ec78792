"""Quiz questions as files: `content/<slug>/quiz.yaml`, checked against the lesson it belongs to.

A kind of the content registry: parsed on first use into frozen pydantic models, cross-checked
against the lesson it belongs to. A broken file is reported as
one `ContentProblem` per fault, naming the file and the field path
(`content/<slug>/quiz.yaml: questions[3].section_id: no section "x" in the lesson`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from content_registry import (
    ContentKind,
    ContentModel,
    ContentProblem,
    ContentSource,
    Slug,
    Text,
    describe_validation_error,
    display_path,
    duplicate_id_problems,
    get_store,
    read_yaml_file,
    register_kind,
    reset_store,
)
from lessons.content import LESSON_KIND, Lesson

QUIZ_FILE = "quiz.yaml"
# Every form a quiz can be offered in: questions asked -> title. Each quiz file declares which
# of them it offers (`forms`); a short lesson may offer only the quick check.
FORMS: dict[int, str] = {6: "Quick check", 10: "Check what stuck", 15: "End-of-lesson check"}
# What a quiz file that declares no forms offers.
DEFAULT_FORMS: tuple[int, ...] = (10, 15)
BANK_SIZE = max(DEFAULT_FORMS)
# A distractor reused across many questions stops testing anything (the seed's "coercion
# threshold" appeared in nearly every question), so the same wrong text may appear at most twice.
MAX_DISTRACTOR_USES = 2
# Test-wise learners pick the longest option (and, where authors overcorrect, the shortest): if
# the key is either in more than this share of single-answer questions, length alone scores well.
MAX_LENGTH_CUE_SHARE = 1 / 3


class Option(ContentModel):
    id: Slug
    text: Text
    correct: bool = False


class Question(ContentModel):
    id: Slug
    section_id: Slug
    kind: Literal["single", "multiple"] = "single"
    prompt: Text
    options: Annotated[tuple[Option, ...], Field(min_length=2, max_length=8)]
    explanation: Text

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options if option.correct)

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


class SubLesson(ContentModel):
    """A part of the lesson that every 10-question form must ask about at least once."""

    id: Slug
    title: Text
    sections: Annotated[tuple[Slug, ...], Field(min_length=1)]


class QuizFile(ContentModel):
    """The shape of `quiz.yaml`."""

    pass_percent: Annotated[int, Field(ge=1, le=100)]
    # Checked against FORMS in bank_problems, so an unknown size is named with the known ones.
    forms: Annotated[tuple[int, ...], Field(min_length=1)] = DEFAULT_FORMS
    sub_lessons: Annotated[tuple[SubLesson, ...], Field(min_length=1)]
    # At least as many questions as the largest form, checked in bank_problems (pydantic would
    # also report a "too short" list whenever one question is invalid).
    questions: tuple[Question, ...]


class QuestionBank(QuizFile):
    lesson_slug: str

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def sub_lesson_of(self, question: Question) -> SubLesson | None:
        parts = (part for part in self.sub_lessons if question.section_id in part.sections)
        return next(parts, None)

    def offers(self, form: int) -> bool:
        """Whether this quiz is offered with `form` questions."""
        return form in self.forms

    @property
    def form_choices(self) -> tuple[tuple[int, str], ...]:
        """(questions, title) of each form this quiz offers, shortest first."""
        return tuple((form, FORMS[form]) for form in sorted(self.forms))

    def passes(self, *, score: int, total: int) -> bool:
        return total > 0 and score * 100 >= self.pass_percent * total


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".").casefold()


def bank_problems(quiz: QuizFile, lesson: Lesson | None, *, file: str) -> list[ContentProblem]:
    """Rules pydantic cannot see alone: ids, correct options, sections, reused distractors."""
    problems = [
        ContentProblem(file=p.file, part=p.field, message=p.message)
        for p in duplicate_id_problems(
            [q.id for q in quiz.questions], file=file, part="", list_name="questions"
        )
        + duplicate_id_problems(
            [s.id for s in quiz.sub_lessons], file=file, part="", list_name="sub_lessons"
        )
    ]

    def problem(field: str, message: str) -> None:
        problems.append(ContentProblem(file=file, part=field, message=message))

    for index, question in enumerate(quiz.questions):
        where = f"questions[{index}]"
        for dup in duplicate_id_problems(
            [o.id for o in question.options], file=file, part="", list_name=f"{where}.options"
        ):
            problem(dup.field, dup.message)
        correct = len(question.correct_option_ids)
        if correct == 0:
            problem(f"{where}.options", "no option is marked correct: true")
        elif question.kind == "single" and correct > 1:
            problem(
                f"{where}.options",
                f"{correct} options are marked correct in a single-answer question "
                "(use kind: multiple for select-all-that-apply)",
            )
        if question.kind == "multiple" and correct == len(question.options):
            problem(f"{where}.options", "every option is correct, so the question tests nothing")
        if lesson is not None and not lesson.has_section(question.section_id):
            problem(f"{where}.section_id", f'no section "{question.section_id}" in the lesson')

    for index, part in enumerate(quiz.sub_lessons):
        for position, section_id in enumerate(part.sections):
            if lesson is not None and not lesson.has_section(section_id):
                problem(
                    f"sub_lessons[{index}].sections[{position}]",
                    f'no section "{section_id}" in the lesson',
                )
        if not any(q.section_id in part.sections for q in quiz.questions):
            problem(f"sub_lessons[{index}]", "no question is about any of its sections")
    problems.extend(_form_problems(quiz, file=file))
    problems.extend(_reused_distractor_problems(quiz.questions, file=file))
    problems.extend(_length_cue_problems(quiz.questions, file=file))
    return problems


def _option_length(option: Option) -> int:
    return len(_normalised(option.text))


def _length_cue_problems(questions: Sequence[Question], *, file: str) -> list[ContentProblem]:
    """The right answer must not be findable by length, either way: not the longest, nor the
    shortest, too often (single answer), and never exactly the longest or the shortest ones
    (select all)."""
    problems = []
    singles: list[int] = []
    longest_correct: list[int] = []
    shortest_correct: list[int] = []
    for index, question in enumerate(questions):
        if not question.correct_option_ids:
            continue  # reported as "no option is marked correct"
        right = [_option_length(o) for o in question.options if o.correct]
        wrong = [_option_length(o) for o in question.options if not o.correct]
        if not wrong:
            continue
        if question.kind == "single":
            singles.append(index)
            if min(right) > max(wrong):
                longest_correct.append(index)
            elif max(right) < min(wrong):
                shortest_correct.append(index)
            continue
        for extreme, fix, is_cue in (
            (
                "longest",
                "lengthen a distractor or shorten a correct option",
                min(right) > max(wrong),
            ),
            (
                "shortest",
                "shorten a distractor or lengthen a correct option",
                max(right) < min(wrong),
            ),
        ):
            if is_cue:
                problems.append(
                    ContentProblem(
                        file=file,
                        part=f"questions[{index}].options",
                        message=f"the {len(right)} correct options are exactly the {len(right)} "
                        f"{extreme}; {fix}",
                    )
                )
    for extreme, found in (("longest", longest_correct), ("shortest", shortest_correct)):
        if singles and len(found) > MAX_LENGTH_CUE_SHARE * len(singles):
            listed = ", ".join(f"questions[{index}]" for index in found)
            problems.append(
                ContentProblem(
                    file=file,
                    part="questions",
                    message=f"the correct option is the {extreme} in {len(found)} of "
                    f"{len(singles)} single-answer questions ({listed}); at most a third may be",
                )
            )
    return problems


def _form_problems(quiz: QuizFile, *, file: str) -> list[ContentProblem]:
    """Forms must be known sizes, each once, and the bank must be able to fill every one."""
    problems = duplicate_id_problems(
        [str(form) for form in quiz.forms], file=file, part="", list_name="forms", key="form"
    )
    problems = [
        ContentProblem(file=file, part=p.field.removesuffix(".form"), message=p.message)
        for p in problems
    ]
    known = ", ".join(str(size) for size in sorted(FORMS))
    for index, form in enumerate(quiz.forms):
        if form not in FORMS:
            problems.append(
                ContentProblem(
                    file=file,
                    part=f"forms[{index}]",
                    message=f"{form} is not a quiz form; choose from {known}",
                )
            )
    offered = [form for form in quiz.forms if form in FORMS]
    if not offered:
        return problems
    shortest, longest = min(offered), max(offered)
    if len(quiz.sub_lessons) > shortest:
        problems.append(
            ContentProblem(
                file=file,
                part="sub_lessons",
                message=f"more than {shortest}: the shortest form cannot cover them all",
            )
        )
    if len(quiz.questions) < longest:
        problems.append(
            ContentProblem(
                file=file,
                part="questions",
                message=f"has {len(quiz.questions)} questions; the {longest}-question form "
                f'("{FORMS[longest]}") needs {longest}',
            )
        )
    return problems


def _reused_distractor_problems(
    questions: Sequence[Question], *, file: str
) -> list[ContentProblem]:
    uses: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for q_index, question in enumerate(questions):
        seen_here: set[str] = set()
        for o_index, option in enumerate(question.options):
            key = _normalised(option.text)
            if not option.correct and key not in seen_here:
                seen_here.add(key)
                uses[key].append((q_index, o_index))
    problems = []
    for places in uses.values():
        if len(places) <= MAX_DISTRACTOR_USES:
            continue
        listed = ", ".join(f"questions[{q}]" for q, _ in places)
        for q_index, o_index in places[MAX_DISTRACTOR_USES:]:
            text = questions[q_index].options[o_index].text
            problems.append(
                ContentProblem(
                    file=file,
                    part=f"questions[{q_index}].options[{o_index}].text",
                    message=f'distractor "{text}" is used in {len(places)} questions '
                    f"({listed}); at most {MAX_DISTRACTOR_USES} may share one",
                )
            )
    return problems


def load_question_bank(
    path: Path, *, content_dir: Path, lesson: Lesson | None
) -> tuple[QuestionBank | None, list[ContentProblem]]:
    """Load one quiz file; returns the bank only when there is no problem at all.

    `lesson` is the lesson the quiz belongs to (None when it failed to load: its own check
    reports that, and section ids are then not checked).
    """
    file = display_path(path, content_dir)
    data, problems = read_yaml_file(path, file=file, part="file")
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            ContentProblem(file=file, part="file", message="must be a mapping of keys to values")
        ]
    try:
        quiz = QuizFile.model_validate(data)
    except ValidationError as exc:
        return None, [
            ContentProblem(file=p.file, part=p.field, message=p.message)
            for p in describe_validation_error(exc, file=file, part="")
        ]
    problems = bank_problems(quiz, lesson, file=file)
    if problems:
        return None, problems
    return QuestionBank(**quiz.model_dump(), lesson_slug=path.parent.name), []


def _load_source(source: ContentSource) -> tuple[QuestionBank | None, list[ContentProblem]]:
    lesson = source.store.lookup(LESSON_KIND, source.key)
    return load_question_bank(source.path, content_dir=source.content_dir, lesson=lesson)


QUIZ_KIND: ContentKind[QuestionBank, None] = register_kind(
    ContentKind(name="quiz", files=f"*/{QUIZ_FILE}", load=_load_source)
)


def get_question_bank(slug: str) -> QuestionBank | None:
    """The lesson's question bank, parsed on first use; None when the lesson has no quiz.

    Raises ContentError for a broken quiz file (the content check stops start-up before that).
    """
    store = get_store()
    if store.lookup(LESSON_KIND, slug) is None:
        return None
    return store.get(QUIZ_KIND, slug)


def clear_question_bank_cache() -> None:
    """Read the quiz files again on next use (the whole content store is reset)."""
    reset_store()
