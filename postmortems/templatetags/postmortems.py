"""Template tags the postmortem builder offers other pages."""

from __future__ import annotations

from typing import Any

from django import template

from lessons.content import Lesson
from postmortems.guide import get_practice

register = template.Library()


@register.inclusion_tag("postmortems/_link.html")
def postmortem_link(lesson: Lesson) -> dict[str, Any]:
    """The "Draft your postmortem" call to action, for lessons that have a postmortem guide."""
    return {"lesson": lesson, "has_builder": get_practice(lesson.slug) is not None}
