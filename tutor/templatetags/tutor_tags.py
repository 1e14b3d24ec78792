from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("tutor/_lesson_box.html", takes_context=True)
def tutor_box(context: template.Context, lesson: Any) -> dict[str, Any]:
    """The tutor's question box for a lesson page (answers appear in it as they come)."""
    return {"lesson": lesson, "request": context.get("request")}
