"""The pages of a stop of processing and of a withdrawal after acceptance: the leader's panel on
the dossier page, the citizen's request on their dossier page, the decision; officers of a
consulted agency are refused (and audited), other agencies and other citizens do not see the
dossier at all."""

from typing import Any

import pytest

from motcua.core.models import AuditEvent
from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.dossiers.constants import DossierStatus, SlipKind, WithdrawalStatus
from motcua.dossiers.models import Dossier, WithdrawalRequest
from motcua.dossiers.testing import consulted_dossier, officer
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
STOP_BUTTON = "Dừng giải quyết và lập thông báo"
ASK_BUTTON = "Gửi đề nghị rút hồ sơ"
REASON = "Người nộp đã chết trước khi có kết quả giải quyết"
GROUND = "Khoản 3 Điều 20 Nghị định số 118/2025/NĐ-CP"


@pytest.fixture
def hung(db) -> Any:  # type: ignore[no-untyped-def]
    load_catalog(BIRTH)
    return citizen()


@pytest.fixture
def consulted(hung) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from motcua.catalog.models import Procedure

    return consulted_dossier(applicant=hung, version=Procedure.objects.get(code="1.001193").current_version)


def _stop(client, dossier: Dossier, **data: Any) -> str:  # type: ignore[no-untyped-def]
    body = {"reason": REASON, "legal_ground": GROUND, "revision": dossier.revision, **data}
    return client.post(f"/can-bo/ho-so/{dossier.pk}/dung-giai-quyet/", body, follow=True).content.decode()


def test_the_leader_stops_from_the_dossier_page(client, consulted) -> None:
    dossier = consulted["dossier"]
    client.force_login(consulted["leader"])
    assert STOP_BUTTON in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    page = _stop(client, dossier)
    assert "Đã dừng giải quyết hồ sơ" in page and "Thông báo dừng giải quyết hồ sơ" in page
    assert STOP_BUTTON not in page
    stopped = Dossier.objects.get(pk=dossier.pk)
    assert stopped.status == DossierStatus.STOPPED
    slip = stopped.slips.get(kind=SlipKind.STOP_NOTICE)
    download = client.get(f"/can-bo/ho-so/{dossier.pk}/phieu/{slip.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # The same form posted again (double click) is refused; nothing is done twice.
    again = _stop(client, dossier)
    assert "Hồ sơ đã được thay đổi ở một trang khác" in again
    assert stopped.slips.filter(kind=SlipKind.STOP_NOTICE).count() == 1


@pytest.mark.parametrize("who", ["specialist", "reception", "stp_leader", "stp_specialist"])
def test_others_with_a_part_are_refused_and_audited(client, consulted, who) -> None:
    dossier = consulted["dossier"]
    client.force_login(consulted[who])
    assert STOP_BUTTON not in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    page = _stop(client, dossier)
    assert "Chỉ lãnh đạo cơ quan đang giải quyết hồ sơ được dừng giải quyết hồ sơ." in page
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(action="dossier.action_forbidden", summary__attempted="stop").count() == 1


def test_an_officer_of_another_agency_does_not_see_the_dossier(client, consulted) -> None:
    dossier = consulted["dossier"]
    client.force_login(officer("hcc.ld", agency="TTPVHCC", role="leader"))
    response = client.post(f"/can-bo/ho-so/{dossier.pk}/dung-giai-quyet/", {"reason": REASON, "legal_ground": GROUND})
    assert response.status_code == 404
    decide = client.post(f"/can-bo/ho-so/{dossier.pk}/de-nghi-rut/", {"decision": "accept"})
    assert decide.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS


def test_empty_reason_is_a_clear_message(client, consulted) -> None:
    dossier = consulted["dossier"]
    client.force_login(consulted["leader"])
    page = _stop(client, dossier, reason="")
    assert "Hãy ghi rõ lý do dừng giải quyết hồ sơ" in page
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS


def test_the_citizen_asks_and_the_leader_grants(client, consulted, hung) -> None:
    dossier = consulted["dossier"]
    client.force_login(hung)
    detail = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert ASK_BUTTON in detail
    empty = client.post(f"/ho-so/{dossier.pk}/de-nghi-rut/", {"reason": ""}, follow=True).content.decode()
    assert "Hãy ghi rõ lý do rút hồ sơ" in empty
    asked = client.post(
        f"/ho-so/{dossier.pk}/de-nghi-rut/",
        {"reason": "Gia đình đã chuyển nơi cư trú", "revision": dossier.revision},
        follow=True,
    ).content.decode()
    assert "Đã gửi đề nghị rút hồ sơ" in asked and "Chờ cơ quan xem xét" in asked and ASK_BUTTON not in asked
    second = client.post(
        f"/ho-so/{dossier.pk}/de-nghi-rut/", {"reason": "Gia đình đã chuyển nơi cư trú"}, follow=True
    ).content.decode()
    assert "đang chờ cơ quan xem xét" in second
    assert WithdrawalRequest.objects.filter(dossier=dossier).count() == 1

    client.force_login(consulted["leader"])
    staff_page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert "Công dân đề nghị rút hồ sơ" in staff_page and "Gia đình đã chuyển nơi cư trú" in staff_page
    revision = Dossier.objects.get(pk=dossier.pk).revision
    granted = client.post(
        f"/can-bo/ho-so/{dossier.pk}/de-nghi-rut/", {"decision": "accept", "revision": revision}, follow=True
    ).content.decode()
    assert "Đã đồng ý cho rút hồ sơ." in granted
    withdrawn = Dossier.objects.get(pk=dossier.pk)
    assert withdrawn.status == DossierStatus.WITHDRAWN
    assert withdrawn.slips.filter(kind=SlipKind.STOP_NOTICE).count() == 1
    assert OutboxMessage.objects.filter(dossier=dossier, event=NotificationEvent.WITHDRAWAL_ACCEPTED).exists()

    client.force_login(hung)
    detail = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Đã rút" in detail and "Thông báo dừng giải quyết hồ sơ" in detail


def test_the_consulted_agency_cannot_decide_and_a_stranger_cannot_ask(client, consulted, hung) -> None:
    dossier = consulted["dossier"]
    stranger = citizen(phone="0987654321", id_number="079099000111")
    client.force_login(stranger)
    response = client.post(f"/ho-so/{dossier.pk}/de-nghi-rut/", {"reason": "Tôi muốn rút hồ sơ này"})
    assert response.status_code == 404
    client.force_login(hung)
    client.post(f"/ho-so/{dossier.pk}/de-nghi-rut/", {"reason": "Gia đình đã chuyển nơi cư trú"})
    client.force_login(consulted["stp_leader"])
    assert "Đồng ý cho rút hồ sơ" not in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    page = client.post(f"/can-bo/ho-so/{dossier.pk}/de-nghi-rut/", {"decision": "accept"}, follow=True)
    assert "được quyết định việc rút hồ sơ" in page.content.decode()
    assert WithdrawalRequest.objects.get(dossier=dossier).status == WithdrawalStatus.PENDING
    client.force_login(consulted["reception"])
    refused = client.post(
        f"/can-bo/ho-so/{dossier.pk}/de-nghi-rut/",
        {"decision": "refuse", "note": "Hồ sơ đã có kết quả, mời nhận kết quả"},
        follow=True,
    ).content.decode()
    assert "Đã trả lời không đồng ý cho rút hồ sơ." in refused
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS


def test_the_work_queue_lists_requests_waiting_for_the_officers_decision(client, consulted, hung) -> None:
    dossier = consulted["dossier"]
    client.force_login(hung)
    client.post(f"/ho-so/{dossier.pk}/de-nghi-rut/", {"reason": "Gia đình đã chuyển nơi cư trú"})
    for who, listed in [("leader", True), ("reception", True), ("specialist", False), ("stp_leader", False)]:
        client.force_login(consulted[who])
        page = client.get("/can-bo/viec/").content.decode()
        assert ("Đề nghị rút hồ sơ chờ quyết định" in page and str(dossier.code) in page) == listed, who
