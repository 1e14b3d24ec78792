"""The per-device lockout rests on a private allauth hook: these tests fail by name if it goes."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from django.test import Client, RequestFactory

from accounts.adapter import AccountAdapter

pytestmark = pytest.mark.django_db


def test_allauth_still_offers_the_failed_sign_in_key_hook_we_override() -> None:
    hook = getattr(DefaultAccountAdapter, "_get_login_attempts_cache_key", None)
    assert hook is not None, "allauth renamed or removed the failed-sign-in key hook"
    parameters = list(inspect.signature(hook).parameters.values())
    assert [(p.name, p.kind) for p in parameters] == [
        ("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("credentials", inspect.Parameter.VAR_KEYWORD),
    ]
    assert isinstance(get_adapter(), AccountAdapter)


def test_the_failed_sign_in_key_names_the_account_and_the_address() -> None:
    adapter = AccountAdapter()
    key = {
        ip: adapter._get_login_attempts_cache_key(
            RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip), email="Ada@Example.com"
        )
        for ip in ("203.0.113.7", "198.51.100.1")
    }
    assert "ada@example.com" in key["203.0.113.7"]
    assert key["203.0.113.7"].endswith(":203.0.113.7")
    assert key["203.0.113.7"] != key["198.51.100.1"]


def test_a_failed_sign_in_is_counted_under_our_key(
    client: Client, learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys: list[str] = []
    ours = AccountAdapter._get_login_attempts_cache_key

    def spy(self: AccountAdapter, request: Any, **credentials: Any) -> str:
        keys.append(ours(self, request, **credentials))
        return keys[-1]

    monkeypatch.setattr(AccountAdapter, "_get_login_attempts_cache_key", spy)
    client.post(
        "/accounts/login/",
        {"login": "ada@example.com", "password": "not the password"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert keys, "allauth no longer asks the adapter for the failed-sign-in key"
    assert all(key.endswith(":203.0.113.7") for key in keys)
