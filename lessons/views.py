from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from config.shared_pages import is_shared_visit
from lessons.cards import shown_cards
from lessons.catalogue import browse_catalogue
from lessons.content import get_catalogue
from lessons.forms import CatalogueForm
from lessons.page import lesson_page_context, shared_lesson_page
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
        {
            "listing": listing,
            "cards": shown_cards(entries=listing.entries, catalogue=catalogue),
            "form": form,
            "any_lessons": bool(catalogue.lessons),
        },
        status=status,
    )


@require_safe
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue = get_catalogue()
    lesson = catalogue.get(slug)
    if lesson is None:
        raise Http404("No lesson with that address.")
    if is_shared_visit(request):
        response = HttpResponse(shared_lesson_page(request, lesson=lesson, catalogue=catalogue))
        patch_cache_control(response, public=True, max_age=settings.LESSON_PAGE_MAX_AGE)
        return response
    response = render(
        request, "lessons/lesson.html", lesson_page_context(lesson=lesson, catalogue=catalogue)
    )
    patch_cache_control(response, private=True)
    return response
