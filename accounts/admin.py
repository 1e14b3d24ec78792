"""Learners in the read-only admin: staff look, they never edit."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from accounts.admin_site import LearnerInline, ReadOnlyAdmin, learner_page_inlines
from accounts.models import User


@admin.register(User)
class LearnerAdmin(ReadOnlyAdmin):
    list_display = ("email", "date_joined", "last_login", "is_staff")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email",)
    ordering = ("-date_joined",)
    fields = readonly_fields = ("email", "date_joined", "last_login", "is_active", "is_staff")

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[LearnerInline]:
        # Other apps add theirs (progress/admin.py); accounts does not know them.
        return learner_page_inlines()


# allauth registers an editable list with a "mark as verified" action; here staff only look.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin):
    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("email",)
    fields = readonly_fields = ("email", "user", "primary", "verified")
