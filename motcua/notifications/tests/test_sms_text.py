"""SMS text is folded for GSM-7 routes and its segments are counted and stored.

Requirement (issue 6, "Notifications"): accent-folded text where the route needs it (setting
per route, default fold: brandname routes are commonly GSM-7); segments counted (GSM-7: 160 in
one message, 153 per part; UCS-2: 70, 67 per part).
"""

import pytest
from django.db import transaction

from motcua.dossiers.testing import submitted_dossier
from motcua.notifications.constants import NotificationChannel, NotificationEvent
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import notifications_enqueue_for_dossier
from motcua.notifications.smstext import GSM7, UCS2, sms_fold, sms_segments, sms_text_for_route


def test_fold_keeps_case_and_punctuation():
    assert (
        sms_fold("Hồ sơ ĐÃ được tiếp nhận – hẹn trả: 30/11/2026.") == "Ho so DA duoc tiep nhan - hen tra: 30/11/2026."
    )
    assert sms_fold("Nguyễn Thị Ánh “Đào”…") == 'Nguyen Thi Anh "Dao"...'
    assert sms_fold("Giá 100€ ✓") == "Gia 100€ ?", "outside GSM-7 altogether: a question mark"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, (GSM7, 1)),
        ("a" * 161, (GSM7, 2)),
        ("a" * 306, (GSM7, 2)),
        ("a" * 307, (GSM7, 3)),
        ("[" * 80, (GSM7, 1)),  # extension characters take two septets
        ("[" * 81, (GSM7, 2)),
        ("ư" * 70, (UCS2, 1)),
        ("ư" * 71, (UCS2, 2)),
        ("ư" * 134, (UCS2, 2)),
        ("ư" * 135, (UCS2, 3)),
    ],
)
def test_segments(text, expected):
    assert sms_segments(text) == expected


def test_the_route_decides_whether_accents_are_kept(settings):
    text = "Hồ sơ đã có kết quả"
    assert sms_text_for_route(text).text == "Ho so da co ket qua", "brandname routes are GSM-7 by default"
    assert sms_text_for_route(text, route="unicode").text == text
    settings.MOTCUA_SMS_ROUTES = {"brandname": "ucs2"}
    unicode_sms = sms_text_for_route(text)
    assert (unicode_sms.text, unicode_sms.encoding, unicode_sms.segments) == (text, UCS2, 1)


@pytest.mark.django_db
def test_the_outbox_stores_the_folded_text_and_its_segments(hung, birth_version, settings):
    settings.MOTCUA_NOTIFICATION_CHANNELS = ["sms"]
    dossier = submitted_dossier(hung, birth_version)
    with transaction.atomic():
        [sms] = notifications_enqueue_for_dossier(
            dossier=dossier, event=NotificationEvent.LATE_APOLOGY, ref="slip-9", context={"reason": "x"}
        )
    stored = OutboxMessage.objects.get(pk=sms.pk)
    assert stored.channel == NotificationChannel.SMS
    assert stored.body.startswith("UBND phuong Tan Lap xin loi vi ho so ")
    assert stored.body.isascii()
    assert (stored.sms_encoding, stored.sms_segments) == (GSM7, 1)
