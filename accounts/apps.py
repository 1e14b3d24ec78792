from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"


class TendrilAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site that sends staff to the site's own sign-in page."""

    default = False  # "accounts" alone installs AccountsConfig
    default_site = "accounts.admin_site.TendrilAdminSite"
