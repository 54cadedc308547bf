"""No message is lost or sent twice when a worker dies mid-send.

Requirement (issue 6, "Notifications", done when): a status change produces exactly one e-mail,
one SMS and one Zalo message, surviving a worker killed mid-send without loss or duplication.
A message whose worker died stays "sending" until its lease runs out, then goes again with the
same provider reference: the SMS and Zalo providers drop the second copy (client_ref,
tracking_id). For e-mail, a crash before the SMTP transaction completes leaves nothing at the
server, and the retry delivers exactly one (docs/notifications.md explains the residual window
after the server accepted the DATA and how the fixed Message-ID covers it).
"""

import datetime
import signal
import smtplib
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.notifications import outbox
from motcua.notifications.constants import NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.testing import dispatcher_process
from motcua.notifications.tests.conftest import EMAIL, PHONE

ZALO_PHONE = "84912345678"


class WorkerKilled(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def _accepted(dossier, channel):
    return OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.ACCEPTED, channel=channel)


def _received(providers):
    return (
        len(providers.smtp.to(EMAIL)),
        len(providers.sms.messages_to(PHONE)),
        len(providers.zalo.messages_to(ZALO_PHONE)),
    )


def _accept_with_messages_pending(hung, birth_version, providers):
    """A received dossier whose three "accepted" messages wait in the outbox, nothing else pending."""
    dossier = submitted_dossier(hung, birth_version)
    outbox_dispatch()  # the submission's messages (its acknowledgement among them)
    providers.smtp.received.clear()
    providers.sms.clear()
    providers.zalo.messages.clear()
    with transaction.atomic():
        dossier_accept(dossier=dossier, officer=officer("tn"), revision=dossier.revision)
    return dossier


@pytest.fixture
def queue_elsewhere(settings):
    """Enqueued tasks go to a queue no one runs here: the test decides which worker sends."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("channel", ["email", "sms", "zalo"])
def test_worker_process_killed_mid_send(channel, hung, birth_version, providers, queue_elsewhere, settings):
    """A real worker process is killed (SIGKILL) while the provider holds its answer."""
    settings.MOTCUA_OUTBOX_LEASE_SECONDS = 1
    dossier = _accept_with_messages_pending(hung, birth_version, providers)
    held = {"email": providers.smtp, "sms": providers.sms, "zalo": providers.zalo}[channel]
    held.hold()

    worker = dispatcher_process(database_name=connection.settings_dict["NAME"])
    try:
        assert held.held.wait(timeout=60), "the worker reached the provider"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    held.release()

    stuck = _accepted(dossier, channel)
    assert stuck.status == OutboxStatus.SENDING and stuck.attempts == 1, "the crash left it claimed, not lost"
    if channel in ("sms", "zalo"):
        assert _received(providers).count(1) >= 1, "the provider took the message before the crash"
    else:
        assert providers.smtp.received == [], "the SMTP transaction never completed: nothing delivered"

    while timezone.now() <= stuck.locked_until:  # the dead worker's lease runs out
        time.sleep(0.1)
    outbox_dispatch()

    assert _received(providers) == (1, 1, 1), "exactly one message per channel"
    assert {m.status for m in OutboxMessage.objects.filter(dossier=dossier, event=NotificationEvent.ACCEPTED)} == {
        OutboxStatus.SENT
    }
    assert _accepted(dossier, channel).attempts == 2


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["sms", "zalo"])
def test_crash_after_the_provider_accepted_is_not_sent_twice(channel, hung, birth_version, providers, monkeypatch):
    """The provider took the message, the worker died before writing "sent": the retry reuses
    the reference and the provider answers with the first message's id."""
    dossier = _accept_with_messages_pending(hung, birth_version, providers)
    real_mark_sent = outbox.outbox_mark_sent

    def crash_on(message, provider_id):
        if message.channel == channel:
            raise WorkerKilled
        real_mark_sent(message=message, provider_id=provider_id)

    monkeypatch.setattr(outbox, "outbox_mark_sent", lambda *, message, provider_id: crash_on(message, provider_id))
    with pytest.raises(WorkerKilled):
        outbox_dispatch()
    monkeypatch.setattr(outbox, "outbox_mark_sent", real_mark_sent)
    assert _accepted(dossier, channel).status == OutboxStatus.SENDING

    outbox_dispatch()
    assert _accepted(dossier, channel).attempts == 1, "not before the lease runs out: the worker might be alive"
    later = timezone.now() + datetime.timedelta(seconds=settings_lease() + 1)
    with time_machine.travel(later, tick=True):
        outbox_dispatch()

    assert _received(providers) == (1, 1, 1)
    message = _accepted(dossier, channel)
    provider = providers.sms.messages[0].id if channel == "sms" else providers.zalo.messages[0].id
    assert (message.status, message.attempts, message.provider_id) == (OutboxStatus.SENT, 2, provider)


@pytest.mark.django_db
def test_crash_before_the_smtp_transaction_completes(hung, birth_version, providers, monkeypatch):
    """The worker dies after MAIL and RCPT, before the message data: the server has nothing,
    and the retry delivers one e-mail with the same Message-ID."""
    dossier = _accept_with_messages_pending(hung, birth_version, providers)

    def die(self, msg):
        raise WorkerKilled

    monkeypatch.setattr(smtplib.SMTP, "data", die)
    with pytest.raises(WorkerKilled):
        outbox_dispatch()
    monkeypatch.undo()
    assert providers.smtp.received == []
    assert _accepted(dossier, "email").status == OutboxStatus.SENDING

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings_lease() + 1), tick=True):
        outbox_dispatch()
    [mail] = providers.smtp.to(EMAIL)
    assert mail.message_id == f"<{_accepted(dossier, 'email').provider_ref}@dichvucong.local>"
    assert _received(providers) == (1, 1, 1)


def settings_lease() -> int:
    from django.conf import settings

    return int(settings.MOTCUA_OUTBOX_LEASE_SECONDS)
