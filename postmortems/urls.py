"""The builder lives under its lesson's address, as it always has."""

from __future__ import annotations

from django.urls import path

from postmortems import views

app_name = "postmortems"

urlpatterns = [
    path("lessons/<slug:slug>/practice/", views.builder_page, name="builder"),
    path("lessons/<slug:slug>/practice/coach/", views.coach, name="coach"),
    path("lessons/<slug:slug>/practice/export/", views.export, name="export"),
]
