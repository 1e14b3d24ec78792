"""What other apps' pages show about the account, through tags this app owns."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.services import has_verified_email

register = template.Library()


@register.filter
def email_verified(user: Any) -> bool:
    return bool(user.is_authenticated) and has_verified_email(user=user)


@register.inclusion_tag("accounts/_verify_email.html", takes_context=True)
def verify_email_notice(context: template.Context) -> dict[str, Any]:
    """The request to confirm the address, and what waits for it, for an unverified learner."""
    user = context["user"]
    return {"user": user, "show": user.is_authenticated and not has_verified_email(user=user)}
