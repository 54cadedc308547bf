"""Administrators see the outbox, inbound texts and webhook events, never a phone in clear.

Requirement (issue 6, "Notifications"): failures are visible in the admin (outbox list with
masked recipients, filters by status, channel and event); inbound messages are handled visibly.
"""

import pytest
from django.db import transaction

from motcua.notifications.services import inbound_message_handle
from motcua.notifications.tests.conftest import PHONE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/quan-tri/notifications/outboxmessage/",
        "/quan-tri/notifications/outboxmessage/?status__exact=failed&channel__exact=sms&event__exact=status_reply",
        "/quan-tri/notifications/inboundmessage/",
        "/quan-tri/notifications/webhookevent/",
        "/quan-tri/notifications/notificationtemplate/",
    ],
)
def test_lists_show_masked_numbers(admin_client, birth_version, path):
    with transaction.atomic():
        inbound = inbound_message_handle(channel="sms", message_id="in-1", sender=PHONE, text="xin chào")
    response = admin_client.get(path)
    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    detail = admin_client.get(f"/quan-tri/notifications/inboundmessage/{inbound.pk}/change/")
    assert (
        detail.status_code == 200 and PHONE not in detail.content.decode() and "091****678" in detail.content.decode()
    )
