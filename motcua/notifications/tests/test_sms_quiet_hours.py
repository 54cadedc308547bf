"""No notification SMS at night: one due in the quiet hours waits for their end.

Requirement (issue 6, "Notifications"): quiet hours for SMS (MOTCUA_SMS_QUIET_HOURS, default
21:00–07:00 local time). E-mail and Zalo are not held back; answers to a text the person just
sent are not either. One-time codes never go through the outbox.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import transaction

from motcua.dossiers.testing import submitted_dossier
from motcua.notifications.constants import NotificationChannel, NotificationEvent, OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.outbox import outbox_dispatch, quiet_hours_end
from motcua.notifications.services import inbound_message_handle, notifications_enqueue_for_dossier
from motcua.notifications.tests.conftest import PHONE

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def quiet_nights(settings):
    settings.MOTCUA_SMS_QUIET_HOURS = "21:00-07:00"


@pytest.mark.parametrize(
    ("local", "end"),
    [
        (datetime.datetime(2026, 11, 26, 22, 15, tzinfo=HCM), datetime.datetime(2026, 11, 27, 7, 0, tzinfo=HCM)),
        (datetime.datetime(2026, 11, 27, 5, 59, tzinfo=HCM), datetime.datetime(2026, 11, 27, 7, 0, tzinfo=HCM)),
        (datetime.datetime(2026, 11, 26, 21, 0, tzinfo=HCM), datetime.datetime(2026, 11, 27, 7, 0, tzinfo=HCM)),
        (datetime.datetime(2026, 11, 27, 7, 0, tzinfo=HCM), None),
        (datetime.datetime(2026, 11, 26, 14, 0, tzinfo=HCM), None),
    ],
)
def test_quiet_period_end(local, end):
    assert quiet_hours_end(local) == end


def test_an_sms_recorded_at_night_goes_out_at_seven(hung, birth_version, providers):
    night = datetime.datetime(2026, 11, 26, 22, 30, tzinfo=HCM)
    with time_machine.travel(night, tick=False) as clock:
        dossier = submitted_dossier(hung, birth_version)
        with transaction.atomic():
            notifications_enqueue_for_dossier(dossier=dossier, event=NotificationEvent.FEE_DUE, ref="fee-1")
        sms = OutboxMessage.objects.get(event=NotificationEvent.FEE_DUE, channel=NotificationChannel.SMS)
        assert sms.next_attempt_at == datetime.datetime(2026, 11, 27, 7, 0, tzinfo=HCM)

        outbox_dispatch()
        assert providers.sms.messages == [], "nothing at night"
        # E-mail: the acknowledgement and the fee; Zalo: the submission and the fee.
        assert len(providers.smtp.received) == 2 and len(providers.zalo.messages) == 2, "other channels are not held"

        clock.move_to(datetime.datetime(2026, 11, 27, 7, 0, 1, tzinfo=HCM))
        outbox_dispatch()
    assert [m.text for m in providers.sms.messages_to(PHONE)][1].startswith("Ho so"), "both SMS in the morning"
    assert len(providers.sms.messages_to(PHONE)) == 2
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT


def test_a_retry_that_would_fall_in_the_night_waits_for_the_morning(hung, birth_version, sms_simulator, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    evening = datetime.datetime(2026, 11, 26, 20, 59, 30, tzinfo=HCM)
    with time_machine.travel(evening, tick=False):
        dossier = submitted_dossier(hung, birth_version)
        sms_simulator.fail(503)
        outbox_dispatch()
    message = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.SUBMITTED)
    assert message.status == OutboxStatus.FAILED
    assert message.next_attempt_at == datetime.datetime(2026, 11, 27, 7, 0, tzinfo=HCM)


def test_an_answer_to_a_text_is_sent_at_night(hung, birth_version, sms_simulator, settings):
    """Someone who just texted "HS <mã>" at 23:00 is awake: the answer is not held back."""
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    with time_machine.travel(datetime.datetime(2026, 11, 26, 23, 0, tzinfo=HCM), tick=False):
        dossier = submitted_dossier(hung, birth_version)
        sms_simulator.clear()
        with transaction.atomic():
            inbound_message_handle(channel="sms", message_id="in-1", sender="0987654321", text=f"HS {dossier.code}")
        outbox_dispatch()
    [reply] = sms_simulator.messages_to("0987654321")
    assert dossier.code in reply.text
