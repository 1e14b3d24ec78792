from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from lessons.catalogue import browse_catalogue
from lessons.content import get_catalogue
from lessons.forms import CatalogueForm
from lessons.page import lesson_page_context
from lessons.public_page import is_first_visit, public_page_response
from lessons.search import parse_query


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueForm(request.GET)
    catalogue = get_catalogue()
    listing = browse_catalogue(
        catalogue=catalogue,
        query=parse_query(raw=form.value("q")),
        track=form.value("track"),
        category=form.value("category"),
        page=form.cleaned_page(),
    )
    status = 200
    if not form.is_valid():
        status = 400
    return render(
        request,
        "lessons/catalogue.html",
        {"listing": listing, "form": form, "any_lessons": bool(catalogue.lessons)},
        status=status,
    )


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
