"""Accounts: Django's auth views, plus sign-up, rate limits and deleting an account."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from progress.accounts import create_account, delete_account
from progress.forms import DeleteAccountForm, EmailAuthenticationForm, SignUpForm
from progress.throttle import minutes_to_wait

# Set once an account is deleted, so only the page right after it clears that account's progress
# from the browser: a link to the page alone must not wipe anyone's local progress.
DELETED_ACCOUNT_SESSION_KEY = "progress.deleted_account"


def _too_many(request: HttpRequest, template: str, form: Form, minutes: int) -> HttpResponse:
    plural = "minute" if minutes == 1 else "minutes"
    context = {"form": form, "throttled": f"Too many attempts — try again in {minutes} {plural}."}
    return render(request, template, context, status=429)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else settings.LOGIN_REDIRECT_URL


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        minutes = minutes_to_wait(request, action="sign_in", account_field="username")
        if minutes:
            # An unbound form: a throttled attempt is never checked against the password.
            initial = {"username": request.POST.get("username", "")}
            form = self.authentication_form(request, initial=initial)
            return _too_many(request, self.template_name, form, minutes)
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    template = "registration/signup.html"
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        minutes = minutes_to_wait(request, action="sign_up", account_field="email")
        if minutes:
            initial = {"email": request.POST.get("email", "")}
            return _too_many(request, template, SignUpForm(initial=initial), minutes)
        if form.is_valid():
            email, password = form.cleaned_data["email"], form.cleaned_data["password1"]
            user = create_account(email=email, password=password)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Your progress on this device now syncs.")
            return redirect(_next_url(request))
    return render(request, template, {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account_view(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user, account_id = request.user, request.user.pk
        logout(request)
        delete_account(user=user)
        request.session[DELETED_ACCOUNT_SESSION_KEY] = account_id
        messages.success(request, "Your account and its progress are deleted.")
        return redirect("progress:account_deleted")
    return render(request, "registration/delete_account.html", {"form": form})


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    deleted_account = request.session.pop(DELETED_ACCOUNT_SESSION_KEY, None)
    return render(
        request, "registration/account_deleted.html", {"deleted_account": deleted_account}
    )


sign_out = auth_views.LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    success_url=reverse_lazy("progress:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    success_url=reverse_lazy("progress:password_reset_done"),
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("progress:password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
