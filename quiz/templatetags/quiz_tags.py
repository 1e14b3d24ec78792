from __future__ import annotations

from typing import Any

from django import template

from quiz.bank import get_question_bank
from quiz.pages import best_score

register = template.Library()


@register.inclusion_tag("quiz/_lesson_cta.html", takes_context=True)
def quiz_call_to_action(context: template.Context, lesson: Any) -> dict[str, Any]:
    """The lesson page's quiz box: the forms the quiz offers, and the best score kept in this
    session.

    Without a session cookie nothing is read, so a first visit costs no query. The score shown
    here is replaced in the browser by the one the progress document holds (the same on every
    device); both use the same rule, `best_score`.
    """
    session = getattr(context.get("request"), "session", None)
    best = best_score(session, lesson.slug) if session and session.session_key else None
    bank = get_question_bank(lesson.slug)
    return {
        "lesson": lesson,
        "available": bank is not None,
        "forms": bank.form_choices if bank is not None else (),
        "best": best,
    }
