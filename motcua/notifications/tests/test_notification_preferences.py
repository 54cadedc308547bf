"""Citizens choose the channels they get news of their dossiers on.

Requirement (issue 6, "Notifications"): citizens choose their channels. By default SMS, and
e-mail when they gave an address; Zalo only if they turn it on. A channel they cannot be
reached on (no e-mail, no verified phone) is not offered. The page is linked from the profile.
"""

import pytest
from django.db import transaction

from motcua.accounts.models import CitizenProfile
from motcua.core.audit import AuditEvent
from motcua.core.testing import citizen
from motcua.dossiers.testing import submitted_dossier
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import notifications_enqueue_for_dossier

pytestmark = pytest.mark.django_db

PAGE = "/tai-khoan/thong-bao/"


def _channels(dossier):
    """The channels of a new event's messages (a new ref each time: not the same event again)."""
    with transaction.atomic():
        ref = f"t{OutboxMessage.objects.count()}"
        messages = notifications_enqueue_for_dossier(dossier=dossier, event=NotificationEvent.RESULT_READY, ref=ref)
    return sorted(m.channel for m in messages)


def test_defaults_sms_and_email_when_there_is_an_address(birth_version):
    with_email = citizen(phone="0912345678", id_number="066094000103", email="a@example.vn")
    without = citizen(phone="0987654321", id_number="066094000104")
    assert _channels(submitted_dossier(with_email, birth_version)) == ["email", "sms"]
    assert _channels(submitted_dossier(without, birth_version)) == ["sms"]


def test_choices_are_respected(hung, birth_version):
    dossier = submitted_dossier(hung, birth_version)
    CitizenProfile.objects.filter(user=hung).update(notify_email=False, notify_sms=False, notify_zalo=True)
    assert _channels(dossier) == ["zalo"]
    CitizenProfile.objects.filter(user=hung).update(notify_zalo=False)
    assert _channels(dossier) == []


def test_no_sms_to_an_unverified_phone(birth_version):
    user = citizen(email="a@example.vn")
    CitizenProfile.objects.filter(user=user).update(phone_verified_at=None)
    user.refresh_from_db()
    assert _channels(submitted_dossier(user, birth_version)) == ["email"]


def test_a_channel_off_for_the_deployment_is_not_used(hung, birth_version, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["email", "sms"]
    assert _channels(submitted_dossier(hung, birth_version)) == ["email", "sms"]


def test_the_citizen_changes_them_on_their_page(client, birth_version):
    user = citizen(email="a@example.vn")
    client.force_login(user)
    profile_page = client.get("/tai-khoan/").content.decode()
    assert f'href="{PAGE}"' in profile_page

    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="email" checked' in html.replace("\n", " ") or 'value="email"' in html
    assert "Zalo" in html

    response = client.post(PAGE, {"channels": ["sms", "zalo"]})
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=user)
    assert (profile.notify_email, profile.notify_sms, profile.notify_zalo) == (False, True, True)
    assert AuditEvent.objects.filter(action="citizen.notification_preferences").count() == 1


def test_channels_that_cannot_reach_the_citizen_are_not_offered(client, birth_version):
    user = citizen()  # no e-mail
    client.force_login(user)
    html = client.get(PAGE).content.decode()
    assert 'value="email"' not in html and "Thêm địa chỉ thư điện tử" in html
    assert client.post(PAGE, {"channels": ["email"]}).status_code == 200, "not a choice: the form says so"
    profile = CitizenProfile.objects.get(user=user)
    assert profile.notify_email is True, "kept for when an address is added"


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
