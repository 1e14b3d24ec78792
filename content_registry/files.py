"""Reading content files: YAML (libyaml's C parser when present), front matter, validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content_registry.problems import ContentProblem, describe_validation_error

# libyaml parses our files about ten times faster than PyYAML's pure-Python loader; both accept
# the same safe subset, so the pure one is only a fallback for a PyYAML built without libyaml.
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ModelT = TypeVar("ModelT", bound=BaseModel)


def display_path(path: Path, content_dir: Path) -> str:
    """The path authors see in problems: relative to the content folder's parent."""
    try:
        return str(path.relative_to(content_dir.parent))
    except ValueError:
        return str(path)


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Split `---` fenced YAML front matter from the body; None when there is none."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    return None


def parse_yaml(text: str, *, file: str, part: str) -> tuple[Any, list[ContentProblem]]:
    """Parse YAML, reporting a syntax error with its line number."""
    try:
        return yaml.load(text, Loader=YAML_LOADER), []  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        pass
    # Only a broken file gets here: parse it again with the pure-Python loader, whose messages
    # ("expected ',' or ']', but got '<stream end>'") say more than libyaml's.
    try:
        return yaml.load(text, Loader=yaml.SafeLoader), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [
            ContentProblem(file=file, part=part, message=f"invalid YAML{where}: {reason}")
        ]


def read_yaml_file(path: Path, *, file: str, part: str) -> tuple[Any, list[ContentProblem]]:
    """Read a UTF-8 YAML content file; an unreadable file or bad YAML is a problem, not a crash."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(file=file, part=part, message=f"cannot be read: {exc}")]
    return parse_yaml(text, file=file, part=part)


def read_model(
    path: Path, model: type[ModelT], *, file: str, part: str, mapping_required: bool = False
) -> tuple[ModelT | None, list[ContentProblem]]:
    """Read a YAML file and validate it as `model`: the model, or every problem found."""
    data, problems = read_yaml_file(path, file=file, part=part)
    if problems:
        return None, problems
    if mapping_required and not isinstance(data, dict):
        return None, [
            ContentProblem(file=file, part=part, message="must be a mapping of keys to values")
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, describe_validation_error(exc, file=file, part=part)
