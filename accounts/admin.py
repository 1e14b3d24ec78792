"""Learners in the read-only admin: staff look, they never edit."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import admin

from accounts.admin_site import ReadOnlyAdmin
from accounts.models import User
from progress.admin import ProgressInline


@admin.register(User)
class LearnerAdmin(ReadOnlyAdmin):
    list_display = ("email", "date_joined", "last_login", "is_staff")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email",)
    ordering = ("-date_joined",)
    fields = readonly_fields = ("email", "date_joined", "last_login", "is_active", "is_staff")
    inlines = (ProgressInline,)


# allauth registers an editable list with a "mark as verified" action; here staff only look.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin):
    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("email",)
    fields = readonly_fields = ("email", "user", "primary", "verified")
