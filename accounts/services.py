"""What an account can do, as plain functions the views and other apps call."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User


def delete_account(*, user: User) -> None:
    """The learner and everything stored for them (progress, attempts, addresses cascade)."""
    with transaction.atomic():
        user.delete()


def has_verified_email(*, user: User) -> bool:
    """Whether the learner has confirmed they receive mail at their sign-in address."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def account_uses_email(*, email: str) -> bool:
    """Whether an account signs in with this address or has it among its addresses."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )
