from __future__ import annotations

from typing import Any

from django import template

from progress.sync import stored_progress

register = template.Library()


@register.simple_tag(takes_context=True)
def stored_reflection(context: dict[str, Any], slug: str) -> str:
    """The signed-in learner's saved reflection for a lesson ("" for everyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    entry = stored_progress(user_id=user.pk).lessons.get(slug)
    return entry.reflection.text if entry and entry.reflection else ""


@register.filter
def section_ids(lesson: Any) -> str:
    """The ids of a lesson's readable sections, space-separated, for a data-* attribute."""
    return " ".join(section_id for section_id, _ in lesson.outline)
