"""One blocked channel never holds up another, and one recipient never starves the others.

Requirement (issue 11, "nothing lost when a part fails"): outbox dispatch is fair across
channels and recipients. An outside trial saw 200+ e-mails pending against a refusing SMTP
server hold a due SMS for five minutes. Channels are served in turn, each with its own quota
and time; a channel whose provider is down is paused for every worker (its messages keep their
attempts) and tried again by one message after the pause.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from motcua.notifications.constants import NotificationChannel, NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxChannelPause, OutboxMessage
from motcua.notifications.outbox import outbox_dispatch

pytestmark = pytest.mark.django_db

PHONE = "0912345678"


def _pending(channel, recipient, n):
    key = f"test:{channel}:{recipient}:{n}"
    return OutboxMessage(
        channel=channel,
        event=NotificationEvent.FEE_DUE,
        recipient=recipient,
        subject=f"Thư {n}",
        body=f"Nội dung {n}",
        idempotency_key=key,
        provider_ref=OutboxMessage.reference_for(key),
    )


def _emails(count, *, recipient=None):
    OutboxMessage.objects.bulk_create(
        [_pending(NotificationChannel.EMAIL, recipient or f"nguoi{n}@example.vn", n) for n in range(count)]
    )


def _email_attempts():
    return sum(OutboxMessage.objects.filter(channel=NotificationChannel.EMAIL).values_list("attempts", flat=True))


@pytest.mark.parametrize("refusal", ["connection refused", "every recipient deferred (451)"])
def test_300_emails_against_a_refusing_server_do_not_delay_a_due_sms(refusal, smtp_server, sms_simulator):
    _emails(300)
    sms = _pending(NotificationChannel.SMS, PHONE, 0)
    sms.save()  # recorded last: the old dispatcher's batch of 200 never reached it
    if refusal == "connection refused":
        smtp_server.go_down()
    else:
        smtp_server.fail(451)

    report = outbox_dispatch()

    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT and len(sms_simulator.messages_to(PHONE)) == 1, "in the same round"
    tried = _email_attempts()
    assert 1 <= tried <= 5, "the channel was paused instead of trying every e-mail against the server"
    assert report.channels_paused == 0 and report.waiting == 300 - tried
    pause = OutboxChannelPause.objects.get(channel=NotificationChannel.EMAIL)
    assert pause.trips == 1 and pause.paused_until > timezone.now()

    # Passes during the pause leave the e-mails alone: their attempts are not burned.
    assert outbox_dispatch().channels_paused == 1
    assert _email_attempts() == tried


def test_a_paused_channel_is_probed_then_resumes_and_sends_everything_once(smtp_server, settings):
    settings.MOTCUA_OUTBOX_BATCH_SIZE = 200
    _emails(300)
    smtp_server.go_down()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        outbox_dispatch()
        assert _email_attempts() == 1
        clock.shift(datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_CHANNEL_PAUSE_SECONDS + 1))
        outbox_dispatch()
        assert _email_attempts() == 2, "one message probes the server after the pause"
        pause = OutboxChannelPause.objects.get(channel=NotificationChannel.EMAIL)
        assert pause.trips == 2, "still down: paused again"
        assert pause.paused_until - timezone.now() == datetime.timedelta(
            seconds=2 * settings.MOTCUA_OUTBOX_CHANNEL_PAUSE_SECONDS
        ), "twice as long"

        smtp_server.come_back()
        clock.shift(datetime.timedelta(hours=1))  # past the pause and both messages' backoff
        first = outbox_dispatch()
        assert first.sent == 200, "a channel's quota per pass"
        assert OutboxChannelPause.objects.get(channel=NotificationChannel.EMAIL).trips == 0, "closed again"
        assert outbox_dispatch().sent == 100
        assert outbox_dispatch().sent == 0
    assert len(smtp_server.received) == 300
    assert len({mail.message_id for mail in smtp_server.received}) == 300, "each message once"


def test_one_recipient_with_many_messages_does_not_starve_the_others(smtp_server, settings):
    settings.MOTCUA_OUTBOX_BATCH_SIZE = 10
    _emails(40, recipient="nhieu@example.vn")
    other = _pending(NotificationChannel.EMAIL, "mot@example.vn", 0)
    other.save()

    report = outbox_dispatch()

    assert report.sent == 10
    assert len(smtp_server.to("mot@example.vn")) == 1, "served in the first round, not after the 40"
    many = [mail.subject for mail in smtp_server.to("nhieu@example.vn")]
    assert many == [f"Thư {n}" for n in range(9)], "the busy recipient's messages still go in order"


def test_a_slow_channel_stops_at_its_time_budget(smtp_server, sms_simulator, settings):
    settings.MOTCUA_OUTBOX_CHANNEL_BUDGET_SECONDS = 1
    _emails(50)
    OutboxMessage.objects.bulk_create([_pending(NotificationChannel.SMS, f"09123456{n:02d}", n) for n in range(5)])
    clock_start = timezone.now()
    real_send = smtp_server.handle_DATA

    async def slow_data(server, session, envelope):
        import asyncio

        await asyncio.sleep(0.3)
        return await real_send(server, session, envelope)

    smtp_server.handle_DATA = slow_data  # type: ignore[method-assign]
    report = outbox_dispatch()

    emails_sent = len(smtp_server.received)
    assert 3 <= emails_sent <= 6, "the e-mail lane stopped once it had spent its second"
    assert len(sms_simulator.messages) == 5, "the SMS lane was not held up"
    assert report.sent == emails_sent + 5 and report.waiting == 50 - emails_sent
    assert timezone.now() - clock_start < datetime.timedelta(seconds=10)


def test_an_administrator_lifts_a_pause_once_the_provider_is_back(smtp_server, admin_client):
    from motcua.core.models import AuditEvent

    _emails(3)
    smtp_server.go_down()
    outbox_dispatch()
    pause = OutboxChannelPause.objects.get(channel=NotificationChannel.EMAIL)
    listing = admin_client.get("/quan-tri/notifications/outboxchannelpause/")
    assert listing.status_code == 200 and "unavailable" in listing.content.decode()

    smtp_server.come_back()
    response = admin_client.post(
        "/quan-tri/notifications/outboxchannelpause/", {"action": "lift", "_selected_action": [pause.pk]}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="notification.channel_resume").count() == 1
    # The two messages never tried go at once; the one that failed waits for its own backoff.
    assert outbox_dispatch().sent == 2
    assert len(smtp_server.received) == 2
