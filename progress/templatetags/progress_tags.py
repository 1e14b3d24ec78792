from __future__ import annotations

from typing import Any

from django import template

from progress.sync import stored_progress

register = template.Library()


@register.simple_tag(takes_context=True)
def stored_reflection(context: dict[str, Any], slug: str) -> str:
    """The signed-in learner's saved reflection for a lesson ("" for everyone else)."""
    user = context.get("user")  # the page's user (the shared lesson page renders for nobody)
    if user is None or not user.is_authenticated:
        return ""
    entry = stored_progress(user_id=user.pk).lessons.get(slug)
    return entry.reflection.text if entry and entry.reflection else ""


@register.filter
def section_ids(lesson: Any) -> str:
    """The ids of a lesson's readable sections, space-separated, for a data-* attribute."""
    return " ".join(section_id for section_id, _ in lesson.outline)


@register.inclusion_tag("progress/_lesson_status.html")
def progress_status(lesson: Any) -> dict[str, Any]:
    """The lesson header's line of progress (best score, last read, sections read), filled in by
    progress.js from this browser's progress document."""
    return {"lesson": lesson}


@register.inclusion_tag("progress/_checklist_extras.html", takes_context=True)
def progress_reflection(context: template.Context, lesson: Any) -> dict[str, Any]:
    """The private "what would you do differently" note under a lesson's checklist."""
    return {
        "lesson": lesson,
        "request": context.get("request"),
        "user": context.get("user"),
        "messages": context.get("messages", ()),
    }


@register.inclusion_tag("progress/_lesson_sync_note.html", takes_context=True)
def progress_sync_note(context: template.Context) -> dict[str, Any]:
    """Where this page's progress is kept (this browser, or the account), and how it syncs."""
    return {"request": context.get("request"), "user": context.get("user")}


@register.inclusion_tag("progress/_catalogue_card_status.html")
def progress_card_status(lesson: Any) -> dict[str, Any]:
    """A catalogue card's ring of sections read and best score, filled in by progress.js."""
    return {"lesson": lesson}
