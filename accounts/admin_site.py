"""The admin site: staff sign in on the site's own rate-limited sign-in page, not a second.

Other apps build their admin pages from `ReadOnlyAdmin` and add what they keep about a learner
to the learner's page with `show_on_learner_page`, so accounts never imports their admin code.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
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


# A string: django-stubs makes InlineModelAdmin generic, Django itself does not.
LearnerInline: TypeAlias = "type[InlineModelAdmin[Any, Any]]"
_learner_inlines: list[LearnerInline] = []


def show_on_learner_page(inline: LearnerInline) -> LearnerInline:
    """Show an app's inline on every learner's admin page (a class decorator)."""
    if inline not in _learner_inlines:
        _learner_inlines.append(inline)
    return inline


def learner_page_inlines() -> list[LearnerInline]:
    """The inlines apps have added to the learner's admin page, in registration order."""
    return list(_learner_inlines)
