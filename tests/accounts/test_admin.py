from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from progress.models import ProgressRecord
from tests.conftest import LESSON_SLUG
from tests.progress.conftest import signed_attempt

pytestmark = pytest.mark.django_db
AT = "2025-03-01T12:00:00.000Z"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser(
        email="staff@example.com", password="correct horse battery"
    )


@pytest.fixture
def staff_client(client: Client, staff) -> Client:
    client.force_login(staff)
    return client


@pytest.fixture
def record(client: Client, learner) -> ProgressRecord:
    """A learner's progress, stored the way learners store it: through a sync."""
    learner_client = Client()
    learner_client.force_login(learner)
    body = {
        "version": 1,
        "lessons": {
            LESSON_SLUG: {
                "sections_read": {"premise": AT},
                "checklist": {"apply-postmortem": {"done": True, "at": AT}},
                "attempts": [signed_attempt(user_id=learner.pk, score=8)],
            }
        },
    }
    response = learner_client.post(
        "/api/progress/sync", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    return ProgressRecord.objects.get(user=learner)


def test_staff_see_each_learner_and_their_progress(staff_client: Client, record) -> None:
    learners = staff_client.get("/admin/accounts/user/")
    assert learners.status_code == 200
    assert "ada@example.com" in learners.content.decode()

    learner_page = staff_client.get(f"/admin/accounts/user/{record.user.pk}/change/")
    html = learner_page.content.decode()
    assert learner_page.status_code == 200
    assert LESSON_SLUG in html
    assert "1 section read, 1 checklist item done, 1 quiz attempt, best 8/10" in html

    progress = staff_client.get(f"/admin/progress/progressrecord/{record.pk}/change/")
    assert progress.status_code == 200
    assert "best 8/10" in progress.content.decode()


def test_the_admin_is_read_only(staff_client: Client, record) -> None:
    page = staff_client.get(f"/admin/progress/progressrecord/{record.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "deletelink" not in page
    before = dict(record.document)

    edit = staff_client.post(
        f"/admin/progress/progressrecord/{record.pk}/change/", {"document": "{}"}
    )
    assert edit.status_code == 403
    assert staff_client.get("/admin/progress/progressrecord/add/").status_code == 403
    remove = staff_client.post(
        f"/admin/progress/progressrecord/{record.pk}/delete/", {"post": "yes"}
    )
    assert remove.status_code == 403
    assert staff_client.post(f"/admin/accounts/user/{record.user.pk}/delete/").status_code == 403
    record.refresh_from_db()
    assert record.document == before
    assert get_user_model().objects.filter(pk=record.user.pk).exists()


def test_staff_reach_the_admin_through_the_sites_own_sign_in(client: Client, staff) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    signed_in = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "staff@example.com", "password": "correct horse battery", "next": "/admin/"},
    )
    assert signed_in["Location"] == "/admin/"
    assert "Learners and their progress (read-only)" in client.get("/admin/").content.decode()


def test_learners_who_are_not_staff_are_refused(client: Client, learner) -> None:
    client.force_login(learner)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert client.get("/admin/accounts/user/", follow=True).status_code == 403


def test_the_admin_has_no_sign_in_page_of_its_own(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"


def test_staff_see_whether_an_address_is_confirmed_but_cannot_change_it(
    staff_client: Client, unverified_learner
) -> None:
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.get(user=unverified_learner)
    listing = staff_client.get("/admin/account/emailaddress/")
    assert listing.status_code == 200 and "new@example.com" in listing.content.decode()
    change = staff_client.post(
        f"/admin/account/emailaddress/{address.pk}/change/", {"verified": "on"}
    )
    assert change.status_code == 403
    verify = staff_client.post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    assert verify.status_code in (200, 302)
    address.refresh_from_db()
    assert not address.verified
