"""The base of every content model, and the field types content files share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainValidator, StringConstraints
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PydanticCustomError("positive_int", "must be a positive integer")
    return value


PositiveInt = Annotated[int, PlainValidator(_positive_int)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class ContentModel(BaseModel):
    """Frozen, and strict about unknown keys: a typo in a content file is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)
