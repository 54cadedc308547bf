"""Ending an accepted dossier without a result: the leader of the handling agency stops it with
the stop notice (form 05 of Circular 03/2025), or the applicant asks to withdraw and the agency
decides. Open steps are cancelled, the applicant is told, the register and the transparency
board count it apart; every wrong attempt is refused clearly and changes nothing."""

import datetime
import io

import pytest
import time_machine
from pypdf import PdfReader

from motcua.catalog.constants import StepKind
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import citizen
from motcua.directory.constants import Role
from motcua.dossiers.closing import dossier_stop, withdrawal_decide, withdrawal_request_submit
from motcua.dossiers.constants import DossierStatus, SlipKind, StepStatus, WithdrawalStatus
from motcua.dossiers.models import Dossier, DossierSlip, DossierStep, WithdrawalRequest
from motcua.dossiers.processing import step_request_supplement
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.records import register_rows
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.dossiers.transitions import StaleDossier
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage
from motcua.reports.selectors import board_rows, late_dossiers

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))
REASON = "Người nộp đã chết trước khi có kết quả giải quyết"
GROUND = "Khoản 3 Điều 20 Nghị định số 118/2025/NĐ-CP"


@pytest.fixture
def staff(birth_version):  # type: ignore[no-untyped-def]
    return {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "other_leader": officer("stp.ld", agency="STP", role=Role.LEADER),
    }


@pytest.fixture
def accepted(hung, birth_version, staff) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    return Dossier.objects.get(pk=dossier.pk)


def _pdf_text(slip: DossierSlip) -> str:
    with slip.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    return " ".join(text.split())


def _events(dossier: Dossier) -> set[str]:
    return set(OutboxMessage.objects.filter(dossier=dossier).values_list("event", flat=True))


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


# The agency stops.


def test_the_leader_stops_a_dossier_with_the_stop_notice(accepted, staff) -> None:
    slip = dossier_stop(
        dossier=accepted, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=accepted.revision
    )
    dossier = _fresh(accepted)
    assert dossier.status == DossierStatus.STOPPED
    assert not dossier.steps.filter(status=StepStatus.ACTIVE).exists()
    assert dossier.steps.filter(status=StepStatus.CANCELLED, kind=StepKind.PROCESS).exists()
    assert (slip.kind, slip.form_number) == (SlipKind.STOP_NOTICE, "05")
    assert slip.form_set.startswith("Thông tư số 03/2025/TT-VPCP")
    text = _pdf_text(slip)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Mẫu số 05" in text
    assert dossier.code in text and "Kính gửi: Ông/Bà/Tổ chức Nguyễn Văn Hùng" in text
    assert REASON in text and GROUND in text
    assert "Đại diện UBND phường Tân Lập" in text and "Cán bộ xa.ld" in text
    assert NotificationEvent.STOPPED in _events(dossier)
    message = OutboxMessage.objects.filter(dossier=dossier, event=NotificationEvent.STOPPED, channel="email").get()
    assert REASON in message.body
    change = dossier.history.last()
    assert change is not None and (change.to_status, change.note) == (DossierStatus.STOPPED, REASON)
    assert AuditEvent.objects.filter(action="dossier.stopped", object_id=str(dossier.pk)).exists()


def test_a_paused_dossier_stops_and_its_pause_ends(accepted, staff) -> None:
    step = DossierStep.objects.get(dossier=accepted, kind=StepKind.PROCESS, status=StepStatus.ACTIVE)
    step_request_supplement(
        step=step, officer=staff["specialist"], reasons="Bản sao giấy chứng sinh", revision=accepted.revision
    )
    dossier = _fresh(accepted)
    dossier_stop(dossier=dossier, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=None)
    dossier = _fresh(accepted)
    assert dossier.status == DossierStatus.STOPPED
    assert not dossier.pauses.filter(ended_at__isnull=True).exists()


@pytest.mark.parametrize("who", ["specialist", "reception", "other_leader"])
def test_only_a_leader_of_the_handling_agency_stops(accepted, staff, who) -> None:
    with pytest.raises(ApplicationError) as refused:
        dossier_stop(dossier=accepted, officer=staff[who], reason=REASON, legal_ground=GROUND, revision=None)
    assert refused.value.code == "stop_forbidden"
    assert _fresh(accepted).status == DossierStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(action="dossier.action_forbidden", summary__attempted="stop").exists()


def test_a_stop_needs_reason_and_ground_and_is_not_done_twice(accepted, staff) -> None:
    with pytest.raises(ApplicationError) as empty:
        dossier_stop(dossier=accepted, officer=staff["leader"], reason="  ", legal_ground=GROUND, revision=None)
    assert empty.value.code == "text_required" and "lý do dừng giải quyết" in empty.value.message
    with pytest.raises(ApplicationError) as no_ground:
        dossier_stop(dossier=accepted, officer=staff["leader"], reason=REASON, legal_ground="", revision=None)
    assert "căn cứ pháp lý" in no_ground.value.message
    revision = accepted.revision
    dossier_stop(dossier=accepted, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=revision)
    with pytest.raises(StaleDossier):  # the same form posted twice
        dossier_stop(dossier=accepted, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=revision)
    with pytest.raises(ApplicationError) as again:  # from a fresh page: wrong state
        dossier_stop(dossier=accepted, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=None)
    assert again.value.code == "dossier_wrong_state"
    assert DossierSlip.objects.filter(dossier=accepted, kind=SlipKind.STOP_NOTICE).count() == 1


def test_a_dossier_not_yet_accepted_cannot_be_stopped(hung, birth_version, staff) -> None:
    dossier = submitted_dossier(hung, birth_version)
    with pytest.raises(ApplicationError) as refused:
        dossier_stop(dossier=dossier, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=None)
    assert refused.value.code == "dossier_wrong_state"


def test_a_stop_before_1_july_2025_reception_uses_the_2025_form(accepted, staff) -> None:
    Dossier.objects.filter(pk=accepted.pk).update(received_at=datetime.datetime(2025, 5, 5, 9, 0, tzinfo=VN))
    slip = dossier_stop(
        dossier=_fresh(accepted), officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=None
    )
    assert (slip.form_number, slip.form_set.startswith("Thông tư số 03/2025")) == ("05", True)


# The citizen asks to withdraw; the agency decides.


def test_the_applicant_asks_and_the_leader_grants_the_withdrawal(accepted, staff, hung) -> None:
    request = withdrawal_request_submit(
        dossier=accepted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=accepted.revision
    )
    dossier = _fresh(accepted)
    assert dossier.status == DossierStatus.IN_PROGRESS  # processing and its clock go on meanwhile
    assert dossier.steps.filter(status=StepStatus.ACTIVE).exists()
    decided = withdrawal_decide(
        dossier=dossier, officer=staff["leader"], accept=True, note="", revision=dossier.revision
    )
    assert decided.pk == request.pk and decided.status == WithdrawalStatus.ACCEPTED
    dossier = _fresh(accepted)
    assert dossier.status == DossierStatus.WITHDRAWN
    assert not dossier.steps.filter(status=StepStatus.ACTIVE).exists()
    slip = dossier.slips.get(kind=SlipKind.STOP_NOTICE)
    text = _pdf_text(slip)
    assert "Gia đình đã chuyển nơi cư trú" in text and "đề nghị rút hồ sơ" in text
    assert NotificationEvent.WITHDRAWAL_ACCEPTED in _events(dossier)


def test_the_one_stop_unit_refuses_the_withdrawal_with_a_reason(accepted, staff, hung) -> None:
    withdrawal_request_submit(dossier=accepted, actor=hung, reason="Không muốn tiếp tục nữa", revision=None)
    with pytest.raises(ApplicationError) as empty:
        withdrawal_decide(dossier=accepted, officer=staff["reception"], accept=False, note="", revision=None)
    assert empty.value.code == "text_required"
    withdrawal_decide(
        dossier=accepted,
        officer=staff["reception"],
        accept=False,
        note="Hồ sơ đã được ký kết quả, đề nghị nhận kết quả",
        revision=None,
    )
    dossier = _fresh(accepted)
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert dossier.withdrawal_requests.get().status == WithdrawalStatus.REFUSED
    assert NotificationEvent.WITHDRAWAL_REFUSED in _events(dossier)
    assert not dossier.slips.filter(kind=SlipKind.STOP_NOTICE).exists()
    # Once refused, a new request may be made.
    withdrawal_request_submit(dossier=dossier, actor=hung, reason="Đề nghị xem xét lại việc rút", revision=None)


def test_wrong_withdrawal_requests_are_refused(accepted, staff, hung, birth_version) -> None:
    stranger = citizen(phone="0987654321", id_number="079099000111")
    with pytest.raises(ApplicationError) as not_owner:
        withdrawal_request_submit(dossier=accepted, actor=stranger, reason="Tôi muốn rút hồ sơ này", revision=None)
    assert not_owner.value.code == "withdrawal_forbidden"
    with pytest.raises(ApplicationError) as empty:
        withdrawal_request_submit(dossier=accepted, actor=hung, reason=" ", revision=None)
    assert empty.value.code == "text_required"
    withdrawal_request_submit(dossier=accepted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
    with pytest.raises(ApplicationError) as second:
        withdrawal_request_submit(dossier=accepted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
    assert second.value.code == "withdrawal_pending"
    assert WithdrawalRequest.objects.filter(dossier=accepted).count() == 1
    submitted = submitted_dossier(hung, birth_version)
    with pytest.raises(ApplicationError) as too_early:
        withdrawal_request_submit(dossier=submitted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
    assert too_early.value.code == "dossier_wrong_state"


def test_wrong_withdrawal_decisions_are_refused(accepted, staff, hung) -> None:
    with pytest.raises(ApplicationError) as nothing:
        withdrawal_decide(dossier=accepted, officer=staff["leader"], accept=True, note="", revision=None)
    assert nothing.value.code == "withdrawal_none"
    withdrawal_request_submit(dossier=accepted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
    for who in ("specialist", "other_leader"):
        with pytest.raises(ApplicationError) as forbidden:
            withdrawal_decide(dossier=accepted, officer=staff[who], accept=True, note="", revision=None)
        assert forbidden.value.code == "withdrawal_decide_forbidden"
    assert AuditEvent.objects.filter(action="dossier.action_forbidden", summary__attempted="withdrawal").count() == 2
    revision = _fresh(accepted).revision
    withdrawal_decide(dossier=accepted, officer=staff["leader"], accept=True, note="", revision=revision)
    with pytest.raises(StaleDossier):
        withdrawal_decide(dossier=accepted, officer=staff["leader"], accept=True, note="", revision=revision)
    assert DossierSlip.objects.filter(dossier=accepted, kind=SlipKind.STOP_NOTICE).count() == 1


def test_a_stop_lapses_a_pending_withdrawal(accepted, staff, hung) -> None:
    withdrawal_request_submit(dossier=accepted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
    dossier_stop(dossier=accepted, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=None)
    assert WithdrawalRequest.objects.get(dossier=accepted).status == WithdrawalStatus.LAPSED


# Register and transparency board.


def test_register_and_board_count_them_apart(hung, birth_version, staff) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=VN), tick=False):
        dossiers = []
        for _ in range(3):
            dossier = submitted_dossier(hung, birth_version)
            dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
            dossiers.append(_fresh(dossier))
        stopped, withdrawn, running = dossiers
        dossier_stop(dossier=stopped, officer=staff["leader"], reason=REASON, legal_ground=GROUND, revision=None)
        withdrawal_request_submit(dossier=withdrawn, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
        withdrawal_decide(dossier=withdrawn, officer=staff["leader"], accept=True, note="", revision=None)
    # Long after every appointment: neither ended dossier counts as open, overdue or late.
    now = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=VN)
    (row,) = board_rows(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31), now=now)
    assert (row.received, row.open, row.overdue_open, row.finished, row.late) == (3, 1, 1, 0, 0)
    assert (row.stopped, row.withdrawn) == (1, 1)
    late = [
        line["code"]
        for line in late_dossiers(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31), now=now)
    ]
    assert late == [running.code]
    notes = {row["code"]: row["note"] for row in register_rows(dossiers=Dossier.objects.all())}
    assert notes[stopped.code] == "Dừng xử lý" and notes[withdrawn.code] == "Đã rút"


# The API, as a mobile client asks.


def test_the_api_takes_a_withdrawal_request_once(client, accepted, hung) -> None:
    client.force_login(hung)
    url = f"/api/v1/dossiers/{accepted.pk}/withdrawal-request/"
    empty = client.post(url, {"reason": ""}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "text_required"
    stale = client.post(
        url, {"reason": "Gia đình đã chuyển nơi cư trú", "revision": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    created = client.post(
        url, {"reason": "Gia đình đã chuyển nơi cư trú", "revision": accepted.revision}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == WithdrawalStatus.PENDING
    second = client.post(url, {"reason": "Gia đình đã chuyển nơi cư trú"}, content_type="application/json")
    assert second.status_code == 400 and second.json()["code"] == "withdrawal_pending"
    client.force_login(citizen(phone="0987654321", id_number="079099000111"))
    assert client.post(url, {"reason": "Tôi muốn rút hồ sơ này"}, content_type="application/json").status_code == 404
    assert WithdrawalRequest.objects.filter(dossier=accepted).count() == 1


def test_a_request_left_when_the_result_is_issued_can_only_be_refused(accepted, staff, hung) -> None:
    withdrawal_request_submit(dossier=accepted, actor=hung, reason="Gia đình đã chuyển nơi cư trú", revision=None)
    Dossier.objects.filter(pk=accepted.pk).update(status=DossierStatus.PROCESSED)
    with pytest.raises(ApplicationError) as too_late:
        withdrawal_decide(dossier=accepted, officer=staff["leader"], accept=True, note="", revision=None)
    assert too_late.value.code == "dossier_wrong_state"
    assert WithdrawalRequest.objects.get(dossier=accepted).status == WithdrawalStatus.PENDING  # nothing half-done
    withdrawal_decide(
        dossier=accepted, officer=staff["leader"], accept=False, note="Đã có kết quả, mời nhận kết quả", revision=None
    )
    assert WithdrawalRequest.objects.get(dossier=accepted).status == WithdrawalStatus.REFUSED
