from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_email_address_is_the_username() -> None:
    user_model = get_user_model()
    assert user_model.USERNAME_FIELD == "email"
    user = user_model.objects.create_user("Ada@Example.COM", "a long passphrase")
    assert user.email == "ada@example.com"
    assert authenticate(email="ada@example.com", password="a long passphrase") == user


def test_createsuperuser_asks_for_an_email(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase")
    call_command("createsuperuser", "--noinput", "--email", "staff@example.com", verbosity=0)
    staff = get_user_model().objects.get(email="staff@example.com")
    assert staff.is_staff and staff.is_superuser
    assert staff.check_password("a long passphrase")
