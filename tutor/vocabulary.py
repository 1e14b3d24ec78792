"""The learner vocabulary: words learners ask with for words the lessons use.

`content/tutor-vocabulary.yaml` maps a learner's word ("responsible") to the words a lesson may
use for the same thing ("accountable"). The tutor searches for those too, at a lower weight
(`tutor.retrieval.RELATED_WEIGHT`). It holds synonyms, never answers: a lesson still has to say
the thing in its own sentences. Validated by `manage.py check_content`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from content_registry import (
    ContentKind,
    ContentProblem,
    ContentSource,
    describe_validation_error,
    display_path,
    get_store,
    read_yaml_file,
    register_kind,
)

VOCABULARY_FILE = "tutor-vocabulary.yaml"
PART = "tutor vocabulary"
Word = Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]
# A learner's word, or two that mean more together than apart ("work out").
Entry = Annotated[str, StringConstraints(pattern=r"^[a-z]+(?: [a-z]+)?$")]
Vocabulary = dict[str, tuple[str, ...]]


class VocabularyFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    related: dict[Entry, Annotated[tuple[Word, ...], Field(min_length=1)]]


def load_vocabulary(content_dir: Path) -> tuple[dict[str, tuple[str, ...]], list[ContentProblem]]:
    """The learner words and their lesson words; none (and no problem) when there is no file."""
    path = content_dir / VOCABULARY_FILE
    if not path.exists():
        return {}, []
    file = display_path(path, content_dir)
    data, problems = read_yaml_file(path, file=file, part=PART)
    if problems:
        return {}, problems
    try:
        spec = VocabularyFile.model_validate(data)
    except ValidationError as exc:
        return {}, describe_validation_error(exc, file=file, part=PART)
    problems = [
        ContentProblem(
            file=file, part=PART, field=f"related.{word}", message="lists the word itself"
        )
        for word, others in spec.related.items()
        if word in others
    ]
    return ({} if problems else dict(spec.related)), problems


def _load_source(source: ContentSource) -> tuple[Vocabulary | None, list[ContentProblem]]:
    vocabulary, problems = load_vocabulary(source.content_dir)
    return (None if problems else vocabulary), problems


VOCABULARY_KIND: ContentKind[Vocabulary, None] = register_kind(
    ContentKind(name="tutor vocabulary", files=VOCABULARY_FILE, load=_load_source, optional=True)
)


def get_vocabulary() -> Vocabulary:
    """The vocabulary for the configured CONTENT_DIR (empty when missing or broken)."""
    return get_store().lookup(VOCABULARY_KIND) or {}
