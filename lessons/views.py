from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from lessons.content import get_catalogue
from lessons.page import lesson_page_context
from lessons.public_page import is_first_visit, public_page_response


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "lessons/catalogue.html", {"lessons": get_catalogue().lessons})


@require_safe
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue = get_catalogue()
    lesson = catalogue.get(slug)
    if lesson is None:
        raise Http404("No lesson with that address.")
    if is_first_visit(request):
        return public_page_response(
            request,
            key=lesson.slug,
            source=lesson,
            render_html=lambda token: render_to_string(
                "lessons/lesson.html",
                lesson_page_context(lesson=lesson, catalogue=catalogue, csrf_token=token),
                request=request,
            ),
        )
    return render(
        request, "lessons/lesson.html", lesson_page_context(lesson=lesson, catalogue=catalogue)
    )
