"""What the quiz templates show, built from an attempt; and the best scores kept in the session."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from lessons.content import Lesson
from quiz.attempts import PRACTICE_FORM, AttemptQuestion, attempt_questions
from quiz.bank import FORMS, QuestionBank
from quiz.grading import AttemptGrade
from quiz.models import Attempt
from quiz.results import result_of, sign_quiz_result

SESSION_BEST_KEY = "quiz_best"
SESSION_CHOICE_MISSING_KEY = "quiz_choice_missing"


PRACTICE_TITLE = "Practise the ones you missed"


def form_title(attempt: Attempt) -> str:
    return PRACTICE_TITLE if attempt.form == PRACTICE_FORM else FORMS[attempt.form]


def quiz_step_context(
    attempt: Attempt, bank: QuestionBank, lesson: Lesson, *, number: int, error: str = ""
) -> dict[str, Any] | None:
    """One question of the attempt on its own screen (None when it has no such question)."""
    items = attempt_questions(attempt, bank, lesson)
    if not 1 <= number <= len(items):
        return None
    item = items[number - 1]
    unanswered = [other for other in items if other.answer is None]
    return {
        "lesson": lesson,
        "attempt": attempt,
        "form_title": form_title(attempt),
        "is_practice": attempt.form == PRACTICE_FORM,
        "pass_percent": bank.pass_percent,
        "item": item,
        "total": len(items),
        "answered": len(items) - len(unanswered),
        "previous_number": number - 1 if number > 1 else None,
        "next_number": number + 1 if number < len(items) else None,
        "error": error if item.answer is None else "",
        "error_question": item.question.id if error and item.answer is None else None,
    }


def finish_confirmation_context(
    attempt: Attempt, bank: QuestionBank, lesson: Lesson
) -> dict[str, Any]:
    """What "finish" asks before closing an attempt that still has questions to answer."""
    items = attempt_questions(attempt, bank, lesson)
    unanswered = [item for item in items if item.answer is None]
    return {
        "lesson": lesson,
        "attempt": attempt,
        "form_title": form_title(attempt),
        "total": len(items),
        "answered": len(items) - len(unanswered),
        "unanswered": unanswered,
    }


def sections_to_reread(items: list[AttemptQuestion]) -> list[tuple[str, str]]:
    """(section id, title) of each section a wrong or missing answer came from, in lesson order
    of first appearance, each once."""
    seen: dict[str, str] = {}
    for item in items:
        missed = item.answer is None or not item.answer.is_correct
        if missed and item.question.section_id not in seen:
            seen[item.question.section_id] = item.section_title
    return list(seen.items())


def quiz_page_context(
    attempt: Attempt,
    bank: QuestionBank,
    lesson: Lesson,
    *,
    focus: str | None = None,
    error: str = "",
) -> dict[str, Any]:
    """The quiz page; `focus` names the question just checked (the htmx partial shows it), and
    `error` is a note to show beside it while it is unanswered."""
    items = attempt_questions(attempt, bank, lesson)
    answered = sum(1 for item in items if item.answer is not None)
    upcoming = next((item for item in items if item.answer is None), None)
    focused = next((item for item in items if item.question.id == focus), None)
    # A note kept across a redirect is stale if the question was answered since (another tab).
    unanswered_error = bool(error) and focused is not None and focused.answer is None
    return {
        "lesson": lesson,
        "attempt": attempt,
        "form_title": form_title(attempt),
        "pass_percent": bank.pass_percent,
        "items": items,
        "total": len(items),
        "answered": answered,
        "next_number": upcoming.number if upcoming else None,
        "item": focused,
        "error": error if unanswered_error else "",
        "error_question": focus if unanswered_error else None,
    }


def results_page_context(attempt: Attempt, bank: QuestionBank, lesson: Lesson) -> dict[str, Any]:
    result = result_of(attempt)
    items = attempt_questions(attempt, bank, lesson)
    is_practice = attempt.form == PRACTICE_FORM
    return {
        "lesson": lesson,
        "attempt": attempt,
        "form_title": form_title(attempt),
        "is_practice": is_practice,
        "grade": AttemptGrade(
            score=result.score, total=result.total, pass_percent=bank.pass_percent
        ),
        "result": result,
        # A retry of a few questions is practice, not a score: it never reaches progress.
        "signature": "" if is_practice else sign_quiz_result(result),
        "items": items,
        "reread": sections_to_reread(items),
        "missed": result.total - result.score,
        "retake_form": bank.form_choices[0][0] if is_practice else attempt.form,
    }


def remember_best_score(session: SessionBase, attempt: Attempt) -> None:
    """Keep each form's best score per lesson in the session (shown on the lesson page)."""
    if attempt.score is None or attempt.form not in FORMS:
        return
    best = session.get(SESSION_BEST_KEY, {})
    lesson_best = best.setdefault(attempt.lesson_slug, {})
    previous = lesson_best.get(str(attempt.form))
    if previous is None or attempt.score > previous[0]:
        lesson_best[str(attempt.form)] = [attempt.score, attempt.total]
        session[SESSION_BEST_KEY] = best


def best_score(session: SessionBase, lesson_slug: str) -> tuple[int, int] | None:
    """(score, total) of the best result kept in this session, by the progress document's rule:
    the highest share right, then the higher score (so 15/15 beats 10/10 beats 8/10)."""
    lesson_best = session.get(SESSION_BEST_KEY, {}).get(lesson_slug, {})
    scores = [
        (int(kept[0]), int(kept[1]))
        for form in FORMS
        if (kept := lesson_best.get(str(form))) and int(kept[1]) > 0
    ]
    return max(scores, key=lambda score: (score[0] / score[1], score[0]), default=None)


def remember_choice_missing(
    session: SessionBase, attempt: Attempt, *, question_id: str, message: str
) -> None:
    """Keep a "choose an answer" note for the quiz page the plain form post redirects to."""
    session[SESSION_CHOICE_MISSING_KEY] = [str(attempt.id), question_id, message]


def take_choice_missing(session: SessionBase, attempt: Attempt) -> tuple[str, str] | None:
    """The (question id, message) kept for this attempt, removed so a reload does not repeat it."""
    kept = session.pop(SESSION_CHOICE_MISSING_KEY, None)
    if not kept or kept[0] != str(attempt.id):
        return None
    return kept[1], kept[2]
