"""The content registry: every content file kind declared once, read, validated and cached once.

Apps declare their kinds (`ContentKind`) next to the models they own and `register_kind` them;
everything else reads content through `get_store()`. See docs/authoring.md.
"""

from content_registry.files import (
    YAML_LOADER,
    display_path,
    parse_yaml,
    read_model,
    read_yaml_file,
    split_front_matter,
)
from content_registry.models import SLUG_PATTERN, ContentModel, PositiveInt, Slug, Text
from content_registry.problems import (
    FRIENDLY_MESSAGES,
    ContentError,
    ContentProblem,
    describe_validation_error,
    duplicate_id_problems,
    errors_only,
    field_path,
)
from content_registry.registry import build_store, get_store, reset_store
from content_registry.store import (
    DEFAULT_CACHE_SIZE,
    ContentKind,
    ContentSource,
    ContentStore,
    code_digest,
    register_kind,
    registered_kinds,
)

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "FRIENDLY_MESSAGES",
    "SLUG_PATTERN",
    "YAML_LOADER",
    "ContentError",
    "ContentKind",
    "ContentModel",
    "ContentProblem",
    "ContentSource",
    "ContentStore",
    "PositiveInt",
    "Slug",
    "Text",
    "build_store",
    "code_digest",
    "describe_validation_error",
    "display_path",
    "duplicate_id_problems",
    "errors_only",
    "field_path",
    "get_store",
    "parse_yaml",
    "read_model",
    "read_yaml_file",
    "register_kind",
    "registered_kinds",
    "reset_store",
    "split_front_matter",
]
