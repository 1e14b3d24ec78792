"""Quiz pages: take a form (resuming the attempt) one question per screen or all at once, check
one answer, finish (confirming when questions are left), see the result, practise the misses.

Every action is a plain form post that redirects back to the page (post/redirect/get, so a
reload never posts again), and each question has its own address, so the page lands on it; with
htmx, "Check" swaps in the question's feedback instead. Refusals render a short page with a 4xx
status.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from config.htmx import HtmxHttpRequest
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
    missed_question_ids,
    planned_attempt,
    resume_or_start_attempt,
    shown_planned_attempt,
    start_attempt,
    start_practice_attempt,
    store_planned_attempt,
)
from quiz.bank import QuestionBank, get_question_bank
from quiz.forms import AnswerPost, EmptyPost, FinishPost, parse_post
from quiz.models import Attempt
from quiz.pages import (
    finish_confirmation_context,
    quiz_page_context,
    quiz_step_context,
    remember_best_score,
    remember_choice_missing,
    results_page_context,
    take_choice_missing,
)

# Where a question's own screen scrolls to: the question, not the site header; once answered,
# the feedback under it (its scroll margin keeps the answers above it in sight).
QUESTION_ANCHOR = "question"
FEEDBACK_ANCHOR = "quiz-feedback"


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
    return reverse("quiz:take-all", args=[slug, form]) + (f"#{anchor}" if anchor else "")


def _step_url(attempt: Attempt, number: int, anchor: str = QUESTION_ANCHOR) -> str:
    url = reverse("quiz:step", args=[attempt.lesson_slug, attempt.id, number])
    return f"{url}#{anchor}"


def _first_open_number(attempt: Attempt) -> int:
    answered = set(attempt.answers.values_list("question_id", flat=True))
    return next(
        (n for n, (qid, _) in enumerate(attempt.plan, start=1) if qid not in answered),
        len(attempt.plan),
    )


def _number_of(attempt: Attempt, question_id: str) -> int:
    ids = [qid for qid, _ in attempt.plan]
    return ids.index(question_id) + 1 if question_id in ids else 1


@require_GET
def take_quiz(request: HttpRequest, slug: str, form: int) -> HttpResponse:
    """The quiz, one question per screen: resume the attempt at its first open question."""
    _, bank = _lesson_and_bank(slug, form)
    if not (request.user.is_authenticated or SESSION_OWNER_KEY in request.session):
        # A visitor with no quiz session yet (a crawler, a first look) goes to the first
        # question of an attempt that is stored only at its first answer: a page view writes
        # nothing, and each step still has its own address.
        return redirect(_step_url(planned_attempt(bank=bank, form=form), 1))
    attempt = resume_or_start_attempt(bank=bank, form=form, owner=_owner(request, create=True))
    return redirect(_step_url(attempt, _first_open_number(attempt)))


@require_GET
def take_quiz_all(request: HttpRequest, slug: str, form: int) -> HttpResponse:
    """The same attempt with every question on one page, for learners who prefer it."""
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


@require_GET
def quiz_step(
    request: HtmxHttpRequest, slug: str, attempt_id: uuid.UUID, number: int
) -> HttpResponse:
    lesson, bank = _lesson_and_bank(slug)
    try:
        attempt = get_owned_attempt(attempt_id=attempt_id, bank=bank, owner=_owner(request))
    except QuizRejection as rejection:
        shown = shown_planned_attempt(attempt_id=attempt_id, bank=bank)
        if shown is None or Attempt.objects.filter(id=attempt_id).exists():
            return _refuse(request, rejection)
        attempt = shown  # not answered yet, so not stored yet: nobody's, the same for all
    if attempt.is_finished:
        return redirect("quiz:result", slug, attempt.id)
    question_id, error = take_choice_missing(request.session, attempt) or (None, "")
    context = quiz_step_context(attempt, bank, lesson, number=number)
    if context is None:
        raise Http404("This quiz has no question with that number.")
    if question_id == context["item"].question.id:
        context = quiz_step_context(attempt, bank, lesson, number=number, error=error)
    return render(request, "quiz/step.html", context)


@require_POST
def retake_quiz(request: HtmxHttpRequest, slug: str, form: int) -> HttpResponse:
    _, bank = _lesson_and_bank(slug, form)
    try:
        parse_post(EmptyPost, request)
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    attempt = start_attempt(bank=bank, form=form, owner=_owner(request, create=True))
    return redirect(_step_url(attempt, 1))


@require_POST
def practise_missed(request: HtmxHttpRequest, slug: str, attempt_id: uuid.UUID) -> HttpResponse:
    """A short new attempt with only the questions a finished attempt got wrong or skipped."""
    _, bank = _lesson_and_bank(slug)
    try:
        parse_post(EmptyPost, request)
        owner = _owner(request, create=True)
        finished = get_owned_attempt(attempt_id=attempt_id, bank=bank, owner=owner)
        if not finished.is_finished:
            raise AttemptConflict("Finish this attempt first; then practise what you missed.")
        attempt = start_practice_attempt(
            bank=bank, owner=owner, question_ids=missed_question_ids(finished)
        )
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    return redirect(_step_url(attempt, 1))


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
        return _ask_for_a_choice(
            request, lesson, bank, slip, question_id=post.question, view=post.view
        )
    except QuizRejection as rejection:
        return _refuse(request, rejection)
    if post.view == "all":
        if not request.htmx:
            return redirect(_quiz_url(slug, attempt.form, f"question-{post.question}"))
        context = quiz_page_context(attempt, bank, lesson, focus=post.question)
        return render(request, "quiz/quiz.html#checked", context)
    number = _number_of(attempt, post.question)
    if not request.htmx:
        return redirect(_step_url(attempt, number, FEEDBACK_ANCHOR))
    step = quiz_step_context(attempt, bank, lesson, number=number)
    return render(request, "quiz/step.html#checked", step)


def _ask_for_a_choice(
    request: HtmxHttpRequest,
    lesson: Lesson,
    bank: QuestionBank,
    slip: ChoiceMissing,
    *,
    question_id: str,
    view: str,
) -> HttpResponse:
    """Check with nothing chosen: htmx shows the note under the question; a plain post goes
    back to the page (303, so a reload does not post again), which shows the note once."""
    if view == "all" and request.htmx:
        context = quiz_page_context(
            slip.attempt, bank, lesson, focus=question_id, error=slip.message
        )
        return render(request, "quiz/quiz.html#checked", context)
    number = _number_of(slip.attempt, question_id)
    if request.htmx:
        step = quiz_step_context(slip.attempt, bank, lesson, number=number, error=slip.message)
        return render(request, "quiz/step.html#checked", step)
    remember_choice_missing(
        request.session, slip.attempt, question_id=question_id, message=slip.message
    )
    if view == "all":
        url = _quiz_url(lesson.slug, slip.attempt.form, f"question-{question_id}")
    else:
        url = _step_url(slip.attempt, number)
    return HttpResponseRedirect(url, status=303)


@require_POST
def finish_quiz(request: HtmxHttpRequest, slug: str, attempt_id: uuid.UUID) -> HttpResponse:
    lesson, bank = _lesson_and_bank(slug)
    owner = _owner(request, create=True)
    try:
        post = parse_post(FinishPost, request)
        store_planned_attempt(attempt_id=attempt_id, bank=bank, owner=owner)
        attempt = get_owned_attempt(attempt_id=attempt_id, bank=bank, owner=owner)
        if post.confirm is None and not attempt.is_finished:
            context = finish_confirmation_context(attempt, bank, lesson)
            if context["unanswered"]:
                return render(request, "quiz/finish.html", context)
        attempt = finish_attempt(attempt_id=attempt_id, bank=bank, owner=owner)
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
        return redirect(_step_url(attempt, _first_open_number(attempt)))
    return render(request, "quiz/result.html", results_page_context(attempt, bank, lesson))
