"""The admin site: staff sign in on the site's own rate-limited sign-in page, not a second."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class TendrilAdminSite(admin.AdminSite):
    site_header = site_title = "Tendril Learn admin"
    index_title = "Learners and their progress (read-only)"

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied("The admin is for staff.")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(next_url)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """View permission only, even for superusers."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
