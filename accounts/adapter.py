"""django-allauth, fitted to this site: our client address, per-device lockout, local redirects."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from config.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address every other per-IP limit of the site counts (trusted proxies only).
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per email alone, so wrong passwords sent from anywhere
        # would lock the learner out of their own device too. Counting per email and address
        # stops guessing from any one address without handing strangers a lockout switch; the
        # per-IP part of the same limit still caps one address trying many accounts.
        per_account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{per_account}:{self.get_client_ip(request)}"

    def is_safe_url(self, url: str | None) -> bool:
        # Only a path on this site: `next=foo` would otherwise "safely" send a freshly signed-up
        # learner to a relative address that does not exist.
        if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
            return False
        return bool(super().is_safe_url(url))
