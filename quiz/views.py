"""Quiz pages: take a form (resuming the attempt), check one answer, finish, see the result.

Every action is a plain form post that redirects back to the page (post/redirect/get, so a
reload never posts again); with htmx, "Check" swaps in the question's feedback instead. Refusals
render a short page with a 4xx status.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from lessons.content import Lesson, get_lesson
from quiz.attempts import (
    SESSION_OWNER_KEY,
    AttemptConflict,
    ChoiceMissing,
    Owner,
    QuizRejection,
    answer_question,
    finish_attempt,
    get_owned_attempt,
    planned_attempt,
    resume_or_start_attempt,
    start_attempt,
)
from quiz.bank import QuestionBank, get_question_bank
from quiz.forms import AnswerPost, EmptyPost, parse_post
from quiz.pages import (
    quiz_page_context,
    remember_best_score,
    remember_choice_missing,
    results_page_context,
    take_choice_missing,
)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _lesson_and_bank(slug: str, form: int | None = None) -> tuple[Lesson, QuestionBank]:
    lesson, bank = get_lesson(slug), get_question_bank(slug)
    if lesson is None or bank is None or (form is not None and not bank.offers(form)):
        raise Http404("This lesson has no such quiz.")
    return lesson, bank


def _owner(request: HttpRequest, *, create: bool = False) -> Owner:
    """The learner, by account and by a token kept in their session (made only when starting)."""
    if create and SESSION_OWNER_KEY not in request.session:
        request.session[SESSION_OWNER_KEY] = Owner.new_session_key()
    user_id = request.user.pk if request.user.is_authenticated else None
    return Owner(user_id=user_id, session_key=request.session.get(SESSION_OWNER_KEY, ""))


def _refuse(request: HtmxHttpRequest, rejection: QuizRejection) -> HttpResponse:
    response = render(
        request, "quiz/rejected.html", {"message": rejection.message}, status=rejection.status
    )
    if request.htmx and isinstance(rejection, AttemptConflict):
        response["HX-Refresh"] = "true"  # the page is out of date: show the attempt as it is
    return response


def _quiz_url(slug: str, form: int, anchor: str = "") -> str:
    return reverse("quiz:take", args=[slug, form]) + (f"#{anchor}" if anchor else "")


@require_GET
def take_quiz(request: HttpRequest, slug: str, form: int) -> HttpResponse:
    lesson, bank = _lesson_and_bank(slug, form)
    if request.user.is_authenticated or SESSION_OWNER_KEY in request.session:
        attempt = resume_or_start_attempt(bank=bank, form=form, owner=_owner(request, create=True))
    else:
        # A visitor with no quiz session yet (a crawler, a first look): shown, stored only at
        # the first answer, so a page view never writes to the database.
        attempt = planned_attempt(bank=bank, form=form)
    question_id, error = take_choice_missing(request.session, attempt) or (None, "")
    context = quiz_page_context(attempt, bank, lesson, focus=question_id, error=error)
    return render(request, "quiz/quiz.html", context)


@require_POST
def retake_quiz(request: HtmxHttpRequest, slug: str, form: int) -> HttpResponse:
    _, bank = _lesson_and_bank(slug, form)
    try:
        parse_post(EmptyPost, request)
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    start_attempt(bank=bank, form=form, owner=_owner(request, create=True))
    return redirect(_quiz_url(slug, form), permanent=False)


@require_POST
@vary_on_headers("HX-Request")
def check_answer(request: HtmxHttpRequest, slug: str, attempt_id: uuid.UUID) -> HttpResponse:
    lesson, bank = _lesson_and_bank(slug)
    try:
        post = parse_post(AnswerPost, request)
        attempt, _ = answer_question(
            attempt_id=attempt_id,
            bank=bank,
            owner=_owner(request, create=True),
            question_id=post.question,
            positions=post.option,
        )
    except ChoiceMissing as slip:
        return _ask_for_a_choice(request, lesson, bank, slip, question_id=post.question)
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    if not request.htmx:
        return redirect(_quiz_url(slug, attempt.form, f"question-{post.question}"))
    context = quiz_page_context(attempt, bank, lesson, focus=post.question)
    return render(request, "quiz/_checked.html", context)


def _ask_for_a_choice(
    request: HtmxHttpRequest,
    lesson: Lesson,
    bank: QuestionBank,
    slip: ChoiceMissing,
    *,
    question_id: str,
) -> HttpResponse:
    """Check with nothing chosen: htmx shows the note under the question; a plain post goes
    back to the page (303, so a reload does not post again), which shows the note once."""
    if request.htmx:
        context = quiz_page_context(
            slip.attempt, bank, lesson, focus=question_id, error=slip.message
        )
        return render(request, "quiz/_checked.html", context)
    remember_choice_missing(
        request.session, slip.attempt, question_id=question_id, message=slip.message
    )
    url = _quiz_url(lesson.slug, slip.attempt.form, f"question-{question_id}")
    return HttpResponseRedirect(url, status=303)


@require_POST
def finish_quiz(request: HtmxHttpRequest, slug: str, attempt_id: uuid.UUID) -> HttpResponse:
    _, bank = _lesson_and_bank(slug)
    try:
        parse_post(EmptyPost, request)
        attempt = finish_attempt(
            attempt_id=attempt_id, bank=bank, owner=_owner(request, create=True)
        )
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    remember_best_score(request.session, attempt)
    return redirect("quiz:result", slug, attempt.id)


@require_GET
def quiz_result(request: HtmxHttpRequest, slug: str, attempt_id: uuid.UUID) -> HttpResponse:
    lesson, bank = _lesson_and_bank(slug)
    try:
        attempt = get_owned_attempt(attempt_id=attempt_id, bank=bank, owner=_owner(request))
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    if not attempt.is_finished:
        return redirect(_quiz_url(slug, attempt.form))
    return render(request, "quiz/result.html", results_page_context(attempt, bank, lesson))
