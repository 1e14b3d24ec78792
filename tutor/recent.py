"""Recent questions on the no-JavaScript tutor page, kept in the session (htmx keeps them in
the page itself)."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

from lessons.content import Lesson
from tutor.answers import TutorAnswer, answer_question

KEEP = 5


def _key(lesson: Lesson) -> str:
    return f"tutor:recent:{lesson.slug}"


def _recent(session: SessionBase, lesson: Lesson) -> list[tuple[str, str]]:
    """(question, the question before it), newest first; a bare string is an older session's
    entry, asked with nothing before it."""
    kept = session.get(_key(lesson), [])
    return [(item, "") if isinstance(item, str) else (item[0], item[1]) for item in kept]


def remember_question(
    session: SessionBase, lesson: Lesson, question: str, *, previous: str = ""
) -> None:
    """Put a question first in the lesson's recent list (at most KEEP, no repeats)."""
    earlier = [[q, p] for q, p in _recent(session, lesson) if q != question]
    session[_key(lesson)] = [[question, previous], *earlier][:KEEP]


def recent_answers(session: SessionBase, lesson: Lesson) -> list[tuple[str, TutorAnswer]]:
    """The recent questions, newest first, answered again as they were asked, after the
    question before each (answers are cheap and deterministic)."""
    return [
        (q, answer_question(lesson=lesson, question=q, previous=p))
        for q, p in _recent(session, lesson)
    ]
