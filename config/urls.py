"""Root URLs: each app owns its own urls module."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("", include("lessons.urls")),
    path("", include("quiz.urls")),
    path("", include("tutor.urls")),
    path("", include("progress.urls")),
    # Ours first: deleting an account, and permanent redirects from the addresses used before.
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("postmortems.urls")),
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# The site's own 404 says what was not found and leads back to the lesson it was under.
handler404 = "lessons.errors.page_not_found"
