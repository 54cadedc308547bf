"""System administrators look after the Zalo Official Account's tokens without seeing them.

Requirement (Zalo access tokens expire after 25 hours): a system administrator sees when the
access token was last renewed and when it expires, and enters a new refresh token when Zalo
refused the stored one; token values are shown masked, never in full; the change is audited.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from motcua.core.models import AuditEvent
from motcua.notifications.models import ZaloOaToken
from motcua.notifications.testing import ZALO_APP_ID
from motcua.notifications.zalo import token_masked

pytestmark = pytest.mark.django_db

ACCESS_TOKEN = "at-Wq3pV9sLk2TnB7yXc4RmZ8dFh1JgA6uE"
REFRESH_TOKEN = "rt-Hn5cQ2wEr8TyU4iOp0AsD6fGj3KlZ9xC"
NEW_REFRESH_TOKEN = "rt-Mb7vN1cX4zL8kJ2hG5fD9sA3pO6iU0yT"
LIST = "/quan-tri/notifications/zalooatoken/"


@pytest.fixture
def stored(settings):
    settings.MOTCUA_ZALO_APP_ID = ZALO_APP_ID
    now = timezone.now()
    return ZaloOaToken.objects.create(
        app_id=ZALO_APP_ID,
        access_token=ACCESS_TOKEN,
        access_token_expires_at=now + datetime.timedelta(hours=20),
        refresh_token=REFRESH_TOKEN,
        refresh_token_issued_at=now - datetime.timedelta(hours=5),
        refreshed_at=now - datetime.timedelta(hours=5),
        refresh_rejected_at=now,
        last_error="token_refresh_rejected: -14014 Invalid refresh token",
        last_error_at=now,
    )


def test_tokens_are_shown_masked(admin_client, stored):
    for path in (LIST, f"{LIST}{stored.pk}/change/"):
        page = admin_client.get(path).content.decode()
        assert ACCESS_TOKEN not in page and REFRESH_TOKEN not in page
        assert token_masked(REFRESH_TOKEN) == "…Z9xC" and "…Z9xC" in page
        assert "Cần nhập refresh token mới" in page
    detail = admin_client.get(f"{LIST}{stored.pk}/change/").content.decode().lower()
    for label in ("access token hết hạn lúc", "làm mới gần nhất lúc", "refresh token hết hạn khoảng"):
        assert label in detail


def test_a_new_refresh_token_replaces_the_refused_one(admin_client, stored):
    response = admin_client.post(f"{LIST}{stored.pk}/change/", {"new_refresh_token": f"  {NEW_REFRESH_TOKEN}\n"})
    assert response.status_code == 302

    stored.refresh_from_db()
    assert stored.refresh_token == NEW_REFRESH_TOKEN
    assert stored.refresh_rejected_at is None and stored.last_error == ""
    assert stored.access_token == "", "renewed with the next message, trying the new refresh token at once"
    event = AuditEvent.objects.get(action="zalo_oa_token.refresh_token_set")
    assert NEW_REFRESH_TOKEN not in str(event.summary) and REFRESH_TOKEN not in str(event.summary)
    page = admin_client.get(f"{LIST}{stored.pk}/change/").content.decode()
    assert NEW_REFRESH_TOKEN not in page and "Hoạt động" in page


def test_a_pasted_token_is_checked_and_never_shown_back(admin_client, stored):
    response = admin_client.post(f"{LIST}{stored.pk}/change/", {"new_refresh_token": "rt-abc def"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Refresh token không hợp lệ" in page and "rt-abc def" not in page
    stored.refresh_from_db()
    assert stored.refresh_token == REFRESH_TOKEN


def test_the_first_refresh_token_can_be_entered_in_the_admin(admin_client, settings):
    settings.MOTCUA_ZALO_APP_ID = ZALO_APP_ID
    assert admin_client.post(f"{LIST}add/", {"new_refresh_token": NEW_REFRESH_TOKEN}).status_code == 302
    row = ZaloOaToken.objects.get()
    assert (row.app_id, row.refresh_token) == (ZALO_APP_ID, NEW_REFRESH_TOKEN)
    assert admin_client.get(f"{LIST}add/").status_code == 403, "one row per app id"


def test_without_an_app_id_there_is_nothing_to_add(admin_client, settings):
    settings.MOTCUA_ZALO_APP_ID = ""
    assert admin_client.get(f"{LIST}add/").status_code == 403


def test_only_system_administrators_see_the_tokens(client, stored, django_user_model):
    staff = django_user_model.objects.create_user(username="quantri-coquan", password="x", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="zalooatoken"))
    client.force_login(staff)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{stored.pk}/change/").status_code == 403
