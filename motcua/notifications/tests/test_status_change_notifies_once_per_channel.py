"""A status change sends the applicant exactly one message on each channel they chose.

Requirement (issue 6, "Notifications", done when): a status change produces exactly one e-mail
received by the SMTP server, one SMS at the SMS provider and one Zalo message at Zalo, recorded
in the outbox in the transaction of the change and sent after its commit.
"""

import pytest
from django.db import transaction

from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.notifications.constants import NotificationChannel, NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.tests.conftest import EMAIL, PHONE

pytestmark = pytest.mark.django_db


def test_acceptance_sends_one_email_one_sms_one_zalo(
    hung, birth_version, providers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submitted_dossier(hung, birth_version)
    providers.smtp.received.clear()
    providers.sms.clear()
    providers.zalo.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_accept(dossier=dossier, officer=officer("tn"), revision=dossier.revision)
    dossier.refresh_from_db()
    due = dossier.due_at.astimezone().strftime("%d/%m/%Y")  # type: ignore[union-attr]

    [mail] = providers.smtp.to(EMAIL)
    assert dossier.code in mail.subject and due in mail.subject
    assert "Ngày hẹn trả kết quả" in mail.text
    [sms] = providers.sms.messages_to(PHONE)
    assert f"Ho so {dossier.code} da duoc tiep nhan" in sms.text, "accents folded for the brandname route"
    assert due in sms.text
    [zns] = providers.zalo.messages_to("84912345678")
    assert zns.template_id == "motcua_accepted"
    assert zns.template_data["ma_ho_so"] == dossier.code and zns.template_data["ngay_hen"] == due

    accepted = OutboxMessage.objects.filter(dossier=dossier, event=NotificationEvent.ACCEPTED)
    assert {m.channel: m.status for m in accepted} == {
        NotificationChannel.EMAIL: OutboxStatus.SENT,
        NotificationChannel.SMS: OutboxStatus.SENT,
        NotificationChannel.ZALO: OutboxStatus.SENT,
    }
    by_channel = {m.channel: m for m in accepted}
    assert mail.message_id == f"<{by_channel['email'].provider_ref}@dichvucong.local>"
    assert sms.client_ref == by_channel["sms"].provider_ref and by_channel["sms"].provider_id == sms.id
    assert zns.tracking_id == by_channel["zalo"].provider_ref and by_channel["zalo"].provider_id == zns.id

    # Another pass (the periodic job) finds nothing left to send.
    assert outbox_dispatch().sent == 0
    assert len(providers.smtp.received) == 1 and len(providers.sms.messages) == 1 and len(providers.zalo.messages) == 1


def test_messages_are_written_with_the_change_and_sent_after_commit(hung, birth_version, providers):
    dossier = submitted_dossier(hung, birth_version)
    before = OutboxMessage.objects.count()
    try:
        with transaction.atomic():
            dossier_accept(dossier=dossier, officer=officer("tn"), revision=dossier.revision)
            assert OutboxMessage.objects.count() == before + 3, "recorded in the same transaction"
            raise RuntimeError("the acceptance fails after all")
    except RuntimeError:
        pass
    assert OutboxMessage.objects.count() == before, "rolled back with the change: nothing to send"
    assert providers.smtp.received == [] and providers.sms.messages == [] and providers.zalo.messages == []


def test_submission_tells_by_sms_and_zalo_the_acknowledgement_is_the_email(
    hung, birth_version, providers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submitted_dossier(hung, birth_version)
    [sms] = providers.sms.messages_to(PHONE)
    assert dossier.code in sms.text and "cho tiep nhan" in sms.text
    assert len(providers.zalo.messages) == 1
    [mail] = providers.smtp.received
    assert mail.subject.strip() == f"Đã nhận hồ sơ {dossier.code}", "the acknowledgement, no second e-mail"
    [receipt] = list(mail.message.iter_attachments())
    assert receipt.get_filename() == f"xac-nhan-{dossier.code}.pdf"
    assert receipt.get_content().startswith(b"%PDF"), "the PDF receipt, rendered when sent"
    acknowledgement = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.ACKNOWLEDGEMENT)
    assert acknowledgement.attachment == "acknowledgement" and b"%PDF" not in acknowledgement.body.encode()


def test_recording_the_same_event_twice_adds_nothing(hung, birth_version, providers):
    from motcua.notifications.services import notifications_enqueue_for_dossier

    dossier = submitted_dossier(hung, birth_version)
    with transaction.atomic():
        first = notifications_enqueue_for_dossier(
            dossier=dossier, event=NotificationEvent.FEE_DUE, ref="fee-1", context={"amount": 100000}
        )
        again = notifications_enqueue_for_dossier(
            dossier=dossier, event=NotificationEvent.FEE_DUE, ref="fee-1", context={"amount": 100000}
        )
    assert [m.pk for m in first] == [m.pk for m in again] and len(first) == 3
    assert "100.000 đồng" in next(m for m in first if m.channel == "email").body
