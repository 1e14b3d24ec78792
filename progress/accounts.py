"""Accounts: a learner signs up with an email address, which is also their username."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

User = get_user_model()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_is_taken(email: str) -> bool:
    return User.objects.filter(username__iexact=normalise_email(email)).exists()


def create_account(*, email: str, password: str) -> AbstractBaseUser:
    """A new learner whose username is their (lower-cased) email address."""
    email = normalise_email(email)
    return User.objects.create_user(username=email, email=email, password=password)


def delete_account(*, user: AbstractBaseUser) -> None:
    """The learner and everything stored for them (their progress record cascades)."""
    with transaction.atomic():
        user.delete()
