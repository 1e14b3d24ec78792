from __future__ import annotations

from django.urls import path

from lessons import views
from lessons.practice_views import practice_coach, practice_export, practice_page

app_name = "lessons"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="detail"),
    path("lessons/<slug:slug>/practice/", practice_page, name="practice"),
    path("lessons/<slug:slug>/practice/coach/", practice_coach, name="practice-coach"),
    path(
        "lessons/<slug:slug>/practice/export/",
        practice_export,
        name="practice-export",
    ),
]
