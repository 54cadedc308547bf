"""The acknowledgement e-mail of a submission is an outbox message: it lands exactly once, with
its PDF receipt, whatever fails between the submission and the SMTP server.

Requirement (issue 11, "nothing lost when a part fails"): every message to a person goes through
the outbox, the acknowledgement too. The row is written in the hand-in's transaction; an SMTP
outage, a task queue that cannot be reached at commit, or a worker dying after it claimed the
message only delay it.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from motcua.dossiers.testing import submitted_dossier
from motcua.notifications import outbox
from motcua.notifications.constants import NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.tasks import outbox_dispatch_due
from motcua.notifications.tests.conftest import EMAIL

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def _acknowledgement(dossier):
    return OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.ACKNOWLEDGEMENT)


def _assert_one_acknowledgement(smtp, dossier):
    [mail] = smtp.to(EMAIL)
    assert dossier.code in mail.subject and "Giấy xác nhận đính kèm" in mail.text
    [receipt] = list(mail.message.iter_attachments())
    assert receipt.get_filename() == f"xac-nhan-{dossier.code}.pdf" and receipt.get_content().startswith(b"%PDF")
    row = _acknowledgement(dossier)
    assert row.status == OutboxStatus.SENT
    assert mail.message_id == f"<{row.provider_ref}@{settings.MOTCUA_EMAIL_MESSAGE_ID_DOMAIN}>"


def test_smtp_down_for_a_while_then_back(hung, birth_version, providers, django_capture_on_commit_callbacks):
    """The SMTP server refuses connections for ten minutes: the acknowledgement waits (a few
    attempts, not one per pass) and goes out once when the server is back."""
    providers.smtp.go_down()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            dossier = submitted_dossier(hung, birth_version)
        row = _acknowledgement(dossier)
        assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1), "tried after commit, kept for later"
        assert "unavailable" in row.last_error

        for _ in range(20):  # ten minutes of passes every 30 s
            clock.shift(datetime.timedelta(seconds=30))
            outbox_dispatch()
        attempts = _acknowledgement(dossier).attempts
        assert 2 <= attempts <= 5, "backing off, not one try per pass"
        assert providers.smtp.received == []

        providers.smtp.come_back()
        clock.shift(datetime.timedelta(hours=1))
        assert outbox_dispatch().sent == 1
        assert outbox_dispatch().sent == 0
    _assert_one_acknowledgement(providers.smtp, dossier)
    assert _acknowledgement(dossier).attempts == attempts + 1


def test_queue_down_at_commit_then_the_periodic_sweep(
    hung, birth_version, providers, queue_down, django_capture_on_commit_callbacks, caplog
):
    """The task queue cannot be reached when the submission commits: the submission stands (no
    error), the job is lost, and the periodic outbox sweep sends the acknowledgement."""
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submitted_dossier(hung, birth_version)
    assert dossier.code, "the submission committed"
    assert "Could not queue" in caplog.text
    assert _acknowledgement(dossier).status == OutboxStatus.PENDING
    assert providers.smtp.received == []

    outbox_dispatch_due.call()  # what each worker enqueues every MOTCUA_OUTBOX_DISPATCH_SECONDS
    outbox_dispatch_due.call()
    _assert_one_acknowledgement(providers.smtp, dossier)
    assert _acknowledgement(dossier).attempts == 1


def test_worker_dies_after_claiming(hung, birth_version, providers, queue_down, monkeypatch):
    """A worker claims the acknowledgement and dies before sending: nobody touches it while its
    lease runs; then the next pass sends it, once."""
    dossier = submitted_dossier(hung, birth_version)

    def die(message):
        raise WorkerKilled

    monkeypatch.setattr(outbox, "_deliver", die)
    with pytest.raises(WorkerKilled):
        outbox_dispatch()
    monkeypatch.undo()
    claimed = _acknowledgement(dossier)
    assert (claimed.status, claimed.attempts) == (OutboxStatus.SENDING, 1)

    outbox_dispatch()
    assert _acknowledgement(dossier).attempts == 1, "not while the lease runs: the worker might be alive"
    assert providers.smtp.received == []

    with time_machine.travel(claimed.locked_until + datetime.timedelta(seconds=1), tick=False):
        outbox_dispatch()
        outbox_dispatch()
    _assert_one_acknowledgement(providers.smtp, dossier)
    assert _acknowledgement(dossier).attempts == 2


def test_recording_the_hand_in_again_gives_one_acknowledgement(hung, birth_version, providers):
    """A retried hand-in (or a sweep recording it again) adds no second acknowledgement."""
    from django.db import transaction

    from motcua.dossiers.acknowledgement import acknowledgement_record

    dossier = submitted_dossier(hung, birth_version)
    with transaction.atomic():
        acknowledgement_record(dossier=dossier)
    assert OutboxMessage.objects.filter(event=NotificationEvent.ACKNOWLEDGEMENT).count() == 1


def test_the_embedded_demo_keeps_a_copy_in_its_mail_folder(hung, birth_version, settings, tmp_path):
    """With the "demo" e-mail plugin nobody is mailed; the embedded profile's file backend still
    shows the acknowledgement and its receipt, as before it went through the outbox."""
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "email": "demo"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    dossier = submitted_dossier(hung, birth_version)
    outbox_dispatch()
    assert _acknowledgement(dossier).status == OutboxStatus.SENT
    [copy] = list((tmp_path / "mail").iterdir())
    text = copy.read_text()
    assert f"xac-nhan-{dossier.code}.pdf" in text and "application/pdf" in text
