from __future__ import annotations

from django.urls import URLPattern, path

from tutor import views

app_name = "tutor"

urlpatterns: list[URLPattern] = [
    path("lessons/<slug:slug>/tutor/", views.ask, name="ask"),
    path("api/lessons/<slug:slug>/tutor", views.api_ask, name="api"),
]
