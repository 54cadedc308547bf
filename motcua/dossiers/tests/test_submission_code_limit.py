"""The hourly limit of SMS codes per phone: told before a dossier is started and at the
confirmation page, and a submission refused by it leaves the filled dossier a draft, intact,
with the time it can be submitted."""

import datetime

import pytest
from django.test import override_settings
from django.utils import formats, timezone

from motcua.accounts.constants import OtpPurpose
from motcua.accounts.models import OneTimeCode
from motcua.core.phones import phone_normalize
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_dossier_submission import _ready_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_demo")]

PHONE = "0912345678"
LIMIT = 5


def _codes_sent(count: int, *, minutes_ago: int = 10) -> datetime.datetime:
    """`count` codes sent to the citizen's phone; returns when the oldest leaves the hour."""
    sent_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    codes = [
        OneTimeCode.objects.create(
            purpose=OtpPurpose.CONFIRM_SUBMISSION,
            phone=phone_normalize(PHONE),
            subject=f"dossier:other-{index}",
            code_hash="x",
            expires_at=sent_at,
        )
        for index in range(count)
    ]
    OneTimeCode.objects.filter(pk__in=[code.pk for code in codes]).update(created_at=sent_at)
    return sent_at + datetime.timedelta(hours=1)


def _hhmm(moment: datetime.datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


@override_settings(MOTCUA_OTP_SENDS_PER_HOUR=LIMIT)
def test_starting_a_dossier_at_the_limit_says_when_it_can_be_submitted(client, hung, birth_version) -> None:
    client.force_login(hung)
    assert "codes-allowance" not in client.get("/ho-so/bat-dau/1.001193/").content.decode()
    resets = _codes_sent(LIMIT - 1)
    page = client.get("/ho-so/bat-dau/1.001193/").content.decode()
    assert "chỉ còn nhận được 1 mã xác nhận" in page and _hhmm(resets) in page
    _codes_sent(1)
    page = client.get("/ho-so/bat-dau/1.001193/").content.decode()
    assert f"đã nhận đủ {LIMIT} mã xác nhận" in page and f"chỉ nộp được hồ sơ từ {_hhmm(resets)}" in page


@override_settings(MOTCUA_OTP_SENDS_PER_HOUR=LIMIT)
def test_submission_refused_by_the_limit_keeps_the_draft_intact(client, hung, birth_version) -> None:
    dossier = _ready_dossier(hung, birth_version)
    before = Dossier.objects.get(pk=dossier.pk)
    resets = _codes_sent(LIMIT)
    client.force_login(hung)
    response = client.post(f"/ho-so/{dossier.pk}/kiem-tra/", {"declaration": "1", "revision": dossier.revision})
    assert response.status_code == 200, "the review page again, with the filled dossier"
    page = response.content.decode()
    assert "Hồ sơ vẫn được lưu nguyên ở dạng nháp" in page and f"bạn có thể nộp từ {_hhmm(resets)}" in page
    assert f'href="/ho-so/{dossier.pk}/kiem-tra/"' in page, "a link back to the dossier"
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.status == DossierStatus.DRAFT and after.declaration_accepted_at is None
    assert (after.form_data, after.delivery_method, after.revision) == (
        before.form_data,
        before.delivery_method,
        before.revision,
    )
    assert list(after.attachments.values_list("original_name", flat=True)) == ["to-khai.pdf"]
    assert not OneTimeCode.objects.filter(subject=f"dossier:{dossier.pk}").exists()


@override_settings(MOTCUA_OTP_SENDS_PER_HOUR=LIMIT)
def test_confirmation_page_tells_how_many_codes_are_left(client, hung, birth_version) -> None:
    dossier = _ready_dossier(hung, birth_version)
    _codes_sent(LIMIT - 2)
    client.force_login(hung)
    response = client.post(f"/ho-so/{dossier.pk}/kiem-tra/", {"declaration": "1", "revision": dossier.revision})
    assert response.status_code == 302
    page = client.get(f"/ho-so/{dossier.pk}/xac-nhan/").content.decode()
    assert "chỉ còn nhận được 1 mã xác nhận" in page
