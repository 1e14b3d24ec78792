from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm, SignupForm
from allauth.account.utils import get_next_redirect_url
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.services import account_uses_email


class SignInForm(LoginForm):
    """allauth's sign-in form, its field called what the learner types: their email."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["autofocus"] = True
        # allauth puts a "Forgot your password?" link in the password's help text; the page
        # already offers it below the form, once.
        self.fields["password"].help_text = ""


class SignUpForm(SignupForm):
    """allauth's sign-up form, answering a taken address exactly as it answers a new one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email"
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields[
            "email"
        ].help_text = (
            "You sign in with it. We write to it only to confirm it and to reset your password."
        )
        self.fields["password2"].label = "Password again"

    def validate_unique_email(self, value: str) -> str:
        # allauth hides a taken address only when verification is mandatory; ours is optional
        # (a new account is usable at once), where allauth would say "already registered".
        if account_uses_email(email=value):
            self.account_already_exists = True
            return value
        return str(super().validate_unique_email(value))

    def try_save(self, request: HttpRequest) -> tuple[Any, HttpResponse | None]:
        if not self.account_already_exists:
            return super().try_save(request)
        # allauth would show its "verification sent" page here, while a new account (usable at
        # once, verification optional) goes on to `next`: the difference would tell anyone
        # which addresses have accounts. So: the same redirect and the same notice as a new
        # sign-up, and the owner of the address gets allauth's "you already have an account" mail.
        adapter = get_adapter(request)
        email = self.cleaned_data["email"]
        adapter.send_account_already_exists_mail(email)
        adapter.add_message(
            request,
            messages.INFO,
            "account/messages/email_confirmation_sent.txt",
            {"email": email, "login": False, "signup": True},
        )
        target = get_next_redirect_url(request) or adapter.get_signup_redirect_url(request)
        return None, HttpResponseRedirect(target)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To confirm it is you. This cannot be undone.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
