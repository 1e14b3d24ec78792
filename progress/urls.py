from __future__ import annotations

from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("api/progress/sync", views.sync, name="sync"),
    path("progress/", views.progress_page, name="page"),
    path("progress/download", views.download, name="download"),
    path("progress/<slug:slug>/reflection", views.reflection, name="reflection"),
]
