"""Delivery receipts arrive through signed webhooks; forged, stale and replayed calls are refused.

Requirement (issue 6, "Notifications" and bad input): delivery receipts through webhooks
(/webhooks/sms/delivery/, /webhooks/zalo/delivery/) signed with HMAC-SHA256 over the raw body
and a timestamp; a forged signature or a call older than five minutes is refused (403), a
replayed event id too (409), each with a Vietnamese JSON error, nothing changed, and logged
without phone numbers. Only these endpoints are exempt from CSRF.
"""

import json
import logging
import time

import pytest
from django.test import Client

from motcua.dossiers.testing import submitted_dossier
from motcua.notifications.constants import NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage, WebhookEvent
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.testing import signed_post
from motcua.notifications.tests.conftest import PHONE
from motcua.notifications.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_headers

pytestmark = pytest.mark.django_db

SMS_DELIVERY = "/webhooks/sms/delivery/"
ZALO_DELIVERY = "/webhooks/zalo/delivery/"


@pytest.fixture
def sent(hung, birth_version, providers):
    """The submission's SMS and Zalo messages, handed to their providers."""
    dossier = submitted_dossier(hung, birth_version)
    outbox_dispatch()
    sms = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED, channel="sms")
    zalo = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED, channel="zalo")
    assert sms.status == zalo.status == OutboxStatus.SENT
    return sms, zalo


@pytest.fixture
def client():
    # The provider has no CSRF token: the webhooks must work with checks enforced.
    return Client(enforce_csrf_checks=True)


def test_a_signed_receipt_marks_the_message_delivered(client, sent):
    sms, zalo = sent
    response = signed_post(
        client, SMS_DELIVERY, channel="sms", payload={"id": "evt-1", "msg_id": sms.provider_id, "status": "delivered"}
    )
    assert response.status_code == 200 and response.json() == {"ok": True, "matched": True}
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.DELIVERED and sms.delivered_at is not None

    response = signed_post(
        client, ZALO_DELIVERY, channel="zalo", payload={"id": "z-1", "msg_id": zalo.provider_id, "status": "delivered"}
    )
    assert response.status_code == 200
    zalo.refresh_from_db()
    assert zalo.status == OutboxStatus.DELIVERED


def test_a_receipt_may_overtake_the_worker_and_is_matched_by_our_reference(client, sent):
    sms, _zalo = sent
    OutboxMessage.objects.filter(pk=sms.pk).update(status=OutboxStatus.SENDING, provider_id="")
    response = signed_post(
        client,
        SMS_DELIVERY,
        channel="sms",
        payload={"id": "evt-2", "msg_id": "sim-77", "status": "delivered", "client_ref": sms.provider_ref},
    )
    assert response.json()["matched"] is True
    sms.refresh_from_db()
    assert (sms.status, sms.provider_id) == (OutboxStatus.DELIVERED, "sim-77")


def test_a_failed_delivery_is_visible_as_dead(client, sent):
    sms, _zalo = sent
    signed_post(
        client, SMS_DELIVERY, channel="sms", payload={"id": "evt-3", "msg_id": sms.provider_id, "status": "failed"}
    )
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.DEAD and "không đến được người nhận" in sms.last_error


SECRET = "test-sms-webhook-secret-0123456789abcdef"


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda body: {}, "bad_signature"),
        (
            lambda body: {**webhook_headers(secret=SECRET, body=body), SIGNATURE_HEADER: "sha256=" + "0" * 64},
            "bad_signature",
        ),
        (lambda body: webhook_headers(secret="the-wrong-secret-0123456789abcdefghij", body=body), "bad_signature"),
        (lambda body: webhook_headers(secret=SECRET, body=body, timestamp=int(time.time()) - 301), "stale"),
    ],
    ids=["unsigned", "forged", "wrong-secret", "stale"],
)
def test_forged_or_stale_calls_are_refused_and_change_nothing(client, sent, forge, reason, caplog):
    sms, _zalo = sent
    body = json.dumps({"id": "evt-4", "msg_id": sms.provider_id, "status": "failed"}).encode()
    with caplog.at_level(logging.WARNING):
        response = client.post(SMS_DELIVERY, data=body, content_type="application/json", headers=forge(body))
    assert response.status_code == 403
    assert response.json()["error"] == reason and response.json()["message"]
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT and not WebhookEvent.objects.exists()
    assert "Webhook refused" in caplog.text and PHONE not in caplog.text


def test_a_tampered_body_fails_the_signature(client, sent):
    sms, _zalo = sent
    body = json.dumps({"id": "evt-5", "msg_id": sms.provider_id, "status": "failed"}).encode()
    headers = webhook_headers(secret=SECRET, body=body)
    tampered = body.replace(b"failed", b"delivered")
    response = client.post(SMS_DELIVERY, data=tampered, content_type="application/json", headers=headers)
    assert response.status_code == 403


def test_a_signature_for_one_channel_is_no_good_on_the_other(client, sent):
    _sms, zalo = sent
    response = signed_post(
        client, ZALO_DELIVERY, channel="sms", payload={"id": "z-2", "msg_id": zalo.provider_id, "status": "delivered"}
    )
    assert response.status_code == 403


def test_a_replayed_event_is_refused(client, sent):
    sms, _zalo = sent
    payload = {"id": "evt-6", "msg_id": sms.provider_id, "status": "delivered"}
    assert signed_post(client, SMS_DELIVERY, channel="sms", payload=payload).status_code == 200
    OutboxMessage.objects.filter(pk=sms.pk).update(status=OutboxStatus.SENT)  # to see that nothing changes
    replay = signed_post(client, SMS_DELIVERY, channel="sms", payload={**payload, "status": "failed"})
    assert replay.status_code == 409
    assert replay.json()["error"] == "webhook_replayed" and "đã được nhận" in replay.json()["message"]
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        {"id": "", "msg_id": "x", "status": "delivered"},
        {"id": "e", "msg_id": "x", "status": "read"},
    ],
)
def test_garbage_is_a_400_with_a_vietnamese_message(client, sent, payload):
    response = signed_post(client, SMS_DELIVERY, channel="sms", payload=payload)
    assert response.status_code == 400 and response.json()["message"]
    assert not WebhookEvent.objects.exists()


def test_an_unknown_message_is_recorded_not_an_error(client, sent):
    response = signed_post(
        client, SMS_DELIVERY, channel="sms", payload={"id": "evt-7", "msg_id": "nope", "status": "delivered"}
    )
    assert response.status_code == 200 and response.json()["matched"] is False
    assert WebhookEvent.objects.get().outcome == "unmatched"


def test_webhooks_are_refused_when_no_secret_is_configured(client, sent, settings):
    settings.MOTCUA_SMS_WEBHOOK_SECRET = ""
    response = client.post(SMS_DELIVERY, data=b"{}", content_type="application/json", headers={TIMESTAMP_HEADER: "1"})
    assert response.status_code == 403 and response.json()["error"] == "not_configured"


def test_only_post(client):
    assert client.get(SMS_DELIVERY).status_code == 405
