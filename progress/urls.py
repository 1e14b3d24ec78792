from __future__ import annotations

from django.urls import path

from progress import account_views, views

app_name = "progress"

urlpatterns = [
    path("api/progress/sync", views.sync, name="sync"),
    path("progress/", views.progress_page, name="page"),
    path("progress/download", views.download, name="download"),
    path("progress/<slug:slug>/reflection", views.reflection, name="reflection"),
    path("accounts/signup/", account_views.sign_up, name="sign_up"),
    path("accounts/login/", account_views.SignInView.as_view(), name="sign_in"),
    path("accounts/logout/", account_views.sign_out, name="sign_out"),
    path("accounts/delete/", account_views.delete_account_view, name="delete_account"),
    path("accounts/deleted/", account_views.account_deleted, name="account_deleted"),
    path("accounts/password_change/", account_views.password_change, name="password_change"),
    path(
        "accounts/password_change/done/",
        account_views.password_change_done,
        name="password_change_done",
    ),
    path("accounts/password_reset/", account_views.password_reset, name="password_reset"),
    path(
        "accounts/password_reset/done/",
        account_views.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        account_views.password_reset_complete,
        name="password_reset_complete",
    ),
]
