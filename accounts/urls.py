"""Our own account pages, and the addresses the site used before allauth, moved permanently."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import path, re_path
from django.views.generic import RedirectView

from accounts import views

app_name = "accounts"


def moved(pattern_name: str) -> Callable[..., HttpResponseBase]:
    return RedirectView.as_view(pattern_name=pattern_name, permanent=True, query_string=True)


urlpatterns = [
    path("delete/", views.delete_account_view, name="delete"),
    path("deleted/", views.account_deleted, name="deleted"),
    path("password_change/", moved("account_change_password")),
    path("password_change/done/", moved("account_change_password")),
    path("password_reset/", moved("account_reset_password")),
    path("password_reset/done/", moved("account_reset_password_done")),
    path("reset/done/", moved("account_reset_password_from_key_done")),
    # A link from the old reset email: its token scheme is not allauth's, so ask for a new one.
    re_path(r"^reset/[0-9A-Za-z_\-]+/[0-9A-Za-z\-]+/$", moved("account_reset_password")),
]
