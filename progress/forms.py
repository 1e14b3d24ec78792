from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from progress.accounts import User, email_is_taken, normalise_email

MAX_EMAIL_LENGTH = 150  # Django's username length: the email is the username


class SignUpForm(forms.Form):
    email = forms.EmailField(
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="You sign in with it. We only write to it to reset your password.",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if email_is_taken(email):
            raise forms.ValidationError("An account with this email already exists. Sign in?")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password, again = cleaned.get("password1"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", "The two passwords differ.")
        elif password:
            email = cleaned.get("email", "")
            try:
                password_validation.validate_password(password, User(username=email, email=email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, asking for the email address (the username) in any case."""

    username = forms.EmailField(
        label="Email",
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
    }

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data["username"])


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
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
