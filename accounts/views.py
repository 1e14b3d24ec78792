"""The account pages allauth does not have: deleting an account, and the page after it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import DeleteAccountForm
from accounts.services import delete_account

# Set once an account is deleted, so only the page right after it clears that account's progress
# from the browser: a link to the page alone must not wipe anyone's local progress.
DELETED_ACCOUNT_SESSION_KEY = "accounts.deleted_account"


@login_required
@require_http_methods(["GET", "POST"])
def delete_account_view(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user, account_id = request.user, request.user.pk
        logout(request)
        delete_account(user=user)  # type: ignore[arg-type]
        request.session[DELETED_ACCOUNT_SESSION_KEY] = account_id
        messages.success(request, "Your account and its progress are deleted.")
        return redirect("accounts:deleted")
    return render(request, "accounts/delete_account.html", {"form": form})


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    deleted_account = request.session.pop(DELETED_ACCOUNT_SESSION_KEY, None)
    return render(request, "accounts/account_deleted.html", {"deleted_account": deleted_account})
