"""A provider that is down delays messages; they go out later, in order, and none is lost.

Requirement (issue 6, bad input): "a provider down for an hour (messages wait and go out later,
in order)". Retries back off exponentially (MOTCUA_OUTBOX_BACKOFF_SECONDS, doubling, capped);
after MOTCUA_OUTBOX_MAX_ATTEMPTS a message is "dead", shown in the admin, where "Gửi lại"
sends it again.
"""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.testing import submitted_dossier
from motcua.notifications.constants import NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import backoff, outbox_dispatch
from motcua.notifications.services import notifications_enqueue_for_dossier, outbox_message_resend
from motcua.notifications.tests.conftest import PHONE

pytestmark = pytest.mark.django_db

EVENTS = [NotificationEvent.FEE_DUE, NotificationEvent.LATE_APOLOGY, NotificationEvent.RESULT_READY]


@pytest.fixture
def sms_only(hung, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    return hung


def _record_three(dossier):
    with transaction.atomic():
        for n, event in enumerate(EVENTS):
            notifications_enqueue_for_dossier(dossier=dossier, event=event, ref=f"t{n}")
    return list(OutboxMessage.objects.filter(event__in=EVENTS).order_by("id"))


def test_provider_down_for_an_hour_then_everything_goes_out_in_order(sms_only, birth_version, sms_simulator):
    dossier = submitted_dossier(sms_only, birth_version)
    outbox_dispatch()
    sms_simulator.clear()
    first, second, third = _record_three(dossier)
    sms_simulator.fail(503)

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        report = outbox_dispatch()
        assert (report.retrying, report.waiting) == (1, 2), "one try; the others wait instead of burning attempts"
        first.refresh_from_db()
        assert first.status == OutboxStatus.FAILED and first.attempts == 1
        assert first.next_attempt_at == start + datetime.timedelta(seconds=60)
        assert "unavailable" in first.last_error

        # An hour of outage: each pass tries the oldest message once, backing off 60, 120, 240… s.
        tries = 1
        while timezone.now() < start + datetime.timedelta(hours=1):
            clock.shift(datetime.timedelta(seconds=30))
            tries += outbox_dispatch().retrying
        first.refresh_from_db()
        assert first.attempts == tries and 5 <= tries <= 7, "exponential backoff, not one try every 30 s"
        assert sms_simulator.requests == tries
        assert OutboxMessage.objects.get(pk=second.pk).attempts == 0, "the newer ones waited behind it"

        sms_simulator.recover()
        clock.shift(backoff(first.attempts))
        report = outbox_dispatch()
    assert report.sent == 3
    texts = [m.text for m in sms_simulator.messages_to(PHONE)]
    assert len(texts) == 3
    assert "phi, le phi" in texts[0] and "tre hen" in texts[1] and "da co ket qua" in texts[2], "in order"
    assert {m.status for m in OutboxMessage.objects.filter(pk__in=[first.pk, second.pk, third.pk])} == {
        OutboxStatus.SENT
    }


def test_unreachable_provider_is_retried_like_one_that_is_down(sms_only, birth_version, settings):
    dossier = submitted_dossier(sms_only, birth_version)
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "sms": "http"}
    settings.MOTCUA_SMS_HTTP_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.MOTCUA_SMS_HTTP_TOKEN = "x"
    outbox_dispatch()
    message = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED)
    assert message.status == OutboxStatus.FAILED and "unreachable" in message.last_error


def test_dead_after_the_last_attempt_and_sent_again_from_the_admin(
    sms_only, birth_version, sms_simulator, settings, admin_client
):
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 3
    dossier = submitted_dossier(sms_only, birth_version)
    sms_simulator.fail(503)
    message = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            outbox_dispatch()
            clock.shift(datetime.timedelta(hours=1))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 3)

    listing = admin_client.get("/quan-tri/notifications/outboxmessage/?status__exact=dead")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "091****678" in page and PHONE not in page, "recipients are masked in the admin"

    sms_simulator.recover()
    response = admin_client.post(
        "/quan-tri/notifications/outboxmessage/",
        {"action": "resend", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    outbox_dispatch()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(sms_simulator.messages_to(PHONE)) == 1


def test_a_message_the_provider_refuses_is_dead_at_once(sms_only, birth_version, zalo_simulator, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["zalo"]
    from motcua.accounts.models import CitizenProfile

    CitizenProfile.objects.filter(user=sms_only).update(notify_zalo=True)
    dossier = submitted_dossier(sms_only, birth_version)
    zalo_simulator.fail_with_error(-108)  # phone number invalid: no use trying again
    outbox_dispatch()
    message = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED)
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
    assert "-108" in message.last_error


def test_resend_refuses_a_message_that_is_not_dead(sms_only, birth_version):
    from motcua.core.errors import ApplicationError

    dossier = submitted_dossier(sms_only, birth_version)
    message = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED)
    with pytest.raises(ApplicationError) as refused:
        outbox_message_resend(message=message, actor="test")
    assert refused.value.code == "outbox_not_dead"
