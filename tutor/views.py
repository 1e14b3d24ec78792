"""The tutor over HTTP: a form (htmx partial or full page) and a JSON API. Logic lives in
tutor.answers; these views parse, limit, call `answer_question`, and render.

A question is a read, so the lesson page's form asks by GET (with or without htmx) and needs no
CSRF token; a POST to the same address is still answered (CSRF-checked like any POST)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from config.htmx import HtmxHttpRequest
from lessons.content import Lesson, get_lesson
from tutor.limits import seconds_until_allowed
from tutor.questions import QuestionProblem, clean_previous, clean_question, question_from_json

if TYPE_CHECKING:
    from tutor.answers import TutorAnswer

SLOW_DOWN = "You’re asking faster than I can keep up — take a breath and try again in {seconds} s."


def _answer(lesson: Lesson, question: str, previous: str = "") -> TutorAnswer:
    # Imported here: retrieval brings numpy, bm25s and simplemma (about 0.3 s and 20 MB), which a
    # worker then loads with its first question rather than with the URLconf, before any page.
    from tutor.answers import answer_question

    return answer_question(lesson=lesson, question=question, previous=previous)


def _lesson_or_404(slug: str) -> Lesson:
    lesson = get_lesson(slug)
    if lesson is None:
        raise Http404("No lesson with that address.")
    return lesson


def _page(request: HttpRequest, lesson: Lesson, *, status: int = 200, **extra: Any) -> HttpResponse:
    from tutor.recent import recent_answers  # it answers them again (see _answer)

    recent = recent_answers(request.session, lesson)
    # The form carries the last question, so that a follow-up is read after it.
    previous = recent[0][0] if recent else ""
    context = {"lesson": lesson, "recent": recent, "previous": previous, **extra}
    return render(request, "tutor/tutor.html", context, status=status)


def _rejected(
    request: HtmxHttpRequest, lesson: Lesson, problem: QuestionProblem, *, question: str
) -> HttpResponse:
    if request.htmx:
        # base.html tells htmx to swap 422 and 429 responses: the message goes to the error slot.
        context = {"error": problem.message, "question": question}
        response = render(request, "tutor/tutor.html#error", context, status=problem.status)
        return reswap(retarget(response, "#tutor-error"), "innerHTML")
    return _page(request, lesson, status=problem.status, error=problem.message, question=question)


def _answered(
    request: HtmxHttpRequest, lesson: Lesson, question: str, previous: str
) -> HttpResponse:
    from tutor.recent import remember_question

    reply = _answer(lesson, question, previous)
    if request.htmx:
        lesson_path = reverse("lessons:detail", args=[lesson.slug])
        on_lesson_page = request.htmx.current_url_abs_path == lesson_path
        context = {"lesson": lesson, "item": (question, reply), "on_lesson_page": on_lesson_page}
        return render(request, "tutor/tutor.html#asked", context)
    # The tutor page lists it first among the recent questions.
    remember_question(request.session, lesson, question, previous=previous)
    if request.method == "GET":
        return _page(request, lesson)
    # Post/redirect/get: reloading the page asks nothing again.
    return redirect("tutor:ask", slug=lesson.slug, permanent=False)


# Answers and recent questions are this visitor's own: never kept by a shared cache.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def ask(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The tutor page; with a `question` (GET from the lesson page's form, or POST), answers it."""
    lesson = _lesson_or_404(slug)
    data: QueryDict = request.POST if request.method == "POST" else request.GET
    if request.method != "POST" and "question" not in data:
        return _page(request, lesson)
    raw_question = data.get("question", "")
    wait = seconds_until_allowed(request)
    if wait is not None:
        problem = QuestionProblem(429, "question", SLOW_DOWN.format(seconds=wait))
        response = _rejected(request, lesson, problem, question=raw_question)
        response["Retry-After"] = str(wait)
        return response
    try:
        question = clean_question(raw_question)
        previous = clean_previous(data.get("previous", ""))
    except QuestionProblem as problem:
        return _rejected(request, lesson, problem, question=raw_question)
    return _answered(request, lesson, question, previous)


def _json_error(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse({"error": message, "field": field}, status=status)


@require_POST
def api_ask(request: HttpRequest, slug: str) -> JsonResponse:
    """`POST {"question": "...", "previous": "..."}` → `{"answer", "grounded", "citations"}`
    (CSRF like any POST; "previous", the question asked before, is optional)."""
    lesson = get_lesson(slug)
    if lesson is None:
        return _json_error(404, "slug", f"No lesson called '{slug}'.")
    wait = seconds_until_allowed(request)
    if wait is not None:
        response = _json_error(429, "question", SLOW_DOWN.format(seconds=wait))
        response["Retry-After"] = str(wait)
        return response
    try:
        asked = question_from_json(request)
    except QuestionProblem as problem:
        return _json_error(problem.status, problem.field, problem.message)
    return JsonResponse(_answer(lesson, asked.question, asked.previous).as_json())
