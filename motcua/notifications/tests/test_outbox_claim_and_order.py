"""Two dispatchers never send the same message, and a recipient reads their news in order.

Requirement (issue 6, "Notifications"): each message is claimed with a conditional UPDATE
(pending → sending, with a lease) so two workers never send the same row; a newer message is
not sent to a recipient while an older one on the same channel is unfinished.
"""

import threading

import pytest
from django.db import close_old_connections, transaction

from motcua.dossiers.testing import submitted_dossier
from motcua.notifications import outbox
from motcua.notifications.constants import NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.services import notifications_enqueue_for_dossier
from motcua.notifications.tests.conftest import PHONE


@pytest.mark.django_db
def test_a_claimed_message_cannot_be_claimed_again(hung, birth_version, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    dossier = submitted_dossier(hung, birth_version)
    message = OutboxMessage.objects.get(dossier=dossier)
    first = outbox._claim(message.pk)
    assert first is not None and first.status == OutboxStatus.SENDING and first.attempts == 1
    assert outbox._claim(message.pk) is None, "the second worker updates nothing"


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_send_each_message_once(hung, birth_version, sms_simulator, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    dossier = submitted_dossier(hung, birth_version)
    with transaction.atomic():
        for n in range(10):
            notifications_enqueue_for_dossier(dossier=dossier, event=NotificationEvent.FEE_DUE, ref=f"fee-{n}")
    start = threading.Barrier(4)

    def worker():
        start.wait()
        try:
            for _ in range(5):
                outbox_dispatch()
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    outbox_dispatch()

    assert len(sms_simulator.messages_to(PHONE)) == 11
    assert sms_simulator.requests == 11, "no message was handed to the provider twice"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    sent_order = [m.client_ref for m in sms_simulator.messages]
    assert sent_order == list(OutboxMessage.objects.order_by("id").values_list("provider_ref", flat=True)), "in order"


@pytest.mark.django_db
def test_a_newer_message_waits_behind_an_older_unfinished_one(hung, birth_version, sms_simulator, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    dossier = submitted_dossier(hung, birth_version)
    older = OutboxMessage.objects.get(dossier=dossier)
    with transaction.atomic():
        [newer] = notifications_enqueue_for_dossier(dossier=dossier, event=NotificationEvent.FEE_DUE, ref="fee-1")
    OutboxMessage.objects.filter(pk=older.pk).update(status=OutboxStatus.FAILED, next_attempt_at="2999-01-01T00:00Z")

    report = outbox_dispatch(message_ids=[newer.pk])
    assert (report.sent, report.waiting) == (0, 1)
    assert sms_simulator.messages == []

    OutboxMessage.objects.filter(pk=older.pk).update(status=OutboxStatus.DEAD)
    assert outbox_dispatch().sent == 1, "a dead message does not hold the line forever"
