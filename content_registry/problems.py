"""What is wrong with a content file, said the way authors read it: `file: part: field: message`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with one content file, printed as one line.

    A warning (an estimate that looks off) is reported but neither stops start-up nor keeps the
    item from being used.
    """

    file: str
    part: str
    message: str
    field: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}: {self.part}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


def errors_only(problems: Iterable[ContentProblem]) -> list[ContentProblem]:
    """The problems that make content unusable (everything but warnings)."""
    return [problem for problem in problems if not problem.warning]


class ContentError(Exception):
    """Raised when content is used that failed to load; carries every problem found."""

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_path(location: Iterable[int | str]) -> str:
    """`('related', 1, 'minutes')` -> `related[1].minutes`."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


FRIENDLY_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must be lowercase words joined by hyphens (like 'my-id')",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
}


def describe_validation_error(
    error: ValidationError, *, file: str, part: str
) -> list[ContentProblem]:
    """Turn pydantic's errors into one friendly problem per field."""
    problems = []
    for detail in error.errors(include_url=False):
        message = FRIENDLY_MESSAGES.get(detail["type"], detail["msg"])
        if detail["type"] == "too_short" and "min_length" in detail.get("ctx", {}):
            count = detail["ctx"]["min_length"]
            message = f"must have at least {count} item{'s' if count != 1 else ''}"
        problems.append(
            ContentProblem(
                file=file, part=part, field=field_path(detail["loc"]) or "(top)", message=message
            )
        )
    return problems


def duplicate_id_problems(
    ids: Sequence[str], *, file: str, part: str, list_name: str, key: str = "id"
) -> list[ContentProblem]:
    """One problem for each id that repeats an earlier one in the same list."""
    first_seen: dict[str, int] = {}
    problems = []
    for index, value in enumerate(ids):
        if value in first_seen:
            problems.append(
                ContentProblem(
                    file=file,
                    part=part,
                    field=f"{list_name}[{index}].{key}",
                    message=f"duplicate {key} '{value}' (first used at {list_name}"
                    f"[{first_seen[value]}])",
                )
            )
        else:
            first_seen[value] = index
    return problems
