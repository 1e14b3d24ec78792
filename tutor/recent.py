"""Recent questions on the no-JavaScript tutor page, kept in the session (htmx keeps them in
the page itself)."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

from lessons.content import Lesson
from tutor.answers import TutorAnswer, answer_question

KEEP = 5


def _key(lesson: Lesson) -> str:
    return f"tutor:recent:{lesson.slug}"


def remember_question(session: SessionBase, lesson: Lesson, question: str) -> None:
    """Put a question first in the lesson's recent list (at most KEEP, no repeats)."""
    earlier = [q for q in session.get(_key(lesson), []) if q != question]
    session[_key(lesson)] = [question, *earlier][:KEEP]


def recent_answers(session: SessionBase, lesson: Lesson) -> list[tuple[str, TutorAnswer]]:
    """The recent questions, newest first, answered again (answers are cheap and deterministic)."""
    return [(q, answer_question(lesson=lesson, question=q)) for q in session.get(_key(lesson), [])]
