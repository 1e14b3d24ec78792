from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from quiz.bank import get_question_bank
from quiz.pages import best_scores

register = template.Library()


@dataclass(frozen=True)
class QuizSummary:
    available: bool
    best: list[tuple[int, int, int]]  # (form, score, total)
    forms: tuple[tuple[int, str], ...] = ()  # (questions, title) the quiz offers, shortest first


@register.simple_tag(takes_context=True)
def quiz_summary(context: dict[str, Any], lesson_slug: str) -> QuizSummary:
    """Whether the lesson has a quiz, and the best scores kept in this browser's session.

    Without a session cookie nothing is read, so a first visit costs no query.
    """
    session = getattr(context.get("request"), "session", None)
    best = best_scores(session, lesson_slug) if session and session.session_key else []
    bank = get_question_bank(lesson_slug)
    forms = bank.form_choices if bank is not None else ()
    return QuizSummary(available=bank is not None, best=best, forms=forms)
