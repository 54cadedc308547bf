"""What a dossier owes is computed from its answers and frozen when it is handed in; the
version's payment timing says which step waits for the payment (docs/fees.md)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.constants import FeeBasis, FeeChannel, FeeKind, PaymentTiming, StepKind
from motcua.catalog.models import Fee
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.documents.models import StoredDocument
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, Outcome, StepStatus
from motcua.dossiers.fees import dossier_fee_quote
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_approve, step_forward, step_hand_over, step_issue
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.services import dossier_hand_in_submitted_elsewhere, dossier_start
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.events.constants import EventKind
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(birth_version: Any) -> dict[str, Any]:
    return {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
    }


@pytest.fixture
def per_copy(birth_version: Any) -> Fee:
    """Birth registration as the demo catalogue has it: lệ phí 0 and 8,000 đ per copy asked for."""
    return Fee.objects.create(
        version=birth_version,
        position=1,
        kind=FeeKind.CHARGE,
        name="Phí cấp bản sao Giấy khai sinh",
        amount=8000,
        basis=FeeBasis.PER_UNIT,
        quantity_field="copies",
    )


def _active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def _rev(dossier: Dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).revision


def _timing(version: Any, timing: str) -> None:
    version.payment_timing = timing
    version.save(update_fields=["payment_timing"])


def test_no_copy_asked_for_owes_nothing_and_copies_are_charged_per_copy(
    hung: Any, birth_version: Any, per_copy: Any
) -> None:
    none = submitted_dossier(hung, birth_version, answers={})
    assert none.fees_due == 0
    assert [(line["name"], line["amount"]) for line in none.fee_lines] == [("Lệ phí đăng ký khai sinh", 0)]
    two = submitted_dossier(hung, birth_version, answers={"copies": "2"})
    assert two.fees_due == 16000
    assert two.fee_lines[1]["explanation"] == "8.000 đồng × 2" and two.fee_lines[1]["kind"] == "charge"
    # Frozen: a later change of the catalogue does not change what was owed.
    Fee.objects.filter(pk=per_copy.pk).update(amount=10000)
    assert Dossier.objects.get(pk=two.pk).fees_due == 16000
    assert dossier_fee_quote(Dossier.objects.get(pk=two.pk)).total == 20000


def test_the_counter_and_online_rates_follow_the_dossiers_channel(birth_version: Any) -> None:
    Fee.objects.filter(version=birth_version).delete()
    Fee.objects.create(
        version=birth_version, position=0, kind="fee", name="Trực tiếp", amount=20000, channel=FeeChannel.OFFLINE
    )
    Fee.objects.create(
        version=birth_version, position=1, kind="fee", name="Trực tuyến", amount=10000, channel=FeeChannel.ONLINE
    )
    for channel, total in (("online", 10000), ("national_portal", 10000), ("counter", 20000), ("post_office", 20000)):
        assert dossier_fee_quote(Dossier(procedure_version=birth_version, channel=channel)).total == total


def test_a_dossier_from_the_national_portal_is_frozen_too(hung: Any, birth_version: Any, per_copy: Any) -> None:
    draft = dossier_start(applicant=hung, version=birth_version, unit_code="24121", channel="national_portal")
    Dossier.objects.filter(pk=draft.pk).update(form_data={"copies": 1})
    handed_in = dossier_hand_in_submitted_elsewhere(dossier=draft, actor="national-portal")
    assert (handed_in.status, handed_in.fees_due) == (DossierStatus.SUBMITTED, 8000)


def test_paid_at_submission_the_counter_cannot_accept_until_paid(
    hung: Any, birth_version: Any, per_copy: Any, staff: Any
) -> None:
    _timing(birth_version, PaymentTiming.SUBMISSION)
    dossier = submitted_dossier(hung, birth_version, answers={"copies": "1"})
    due = dossier.events.get(kind=EventKind.FEES_DUE)
    assert due.payload["amount"] == 8000 and due.payload["timing"] == "submission"
    assert [line["amount"] for line in due.payload["lines"]] == [0, 8000]
    email = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.FEE_DUE, channel="email")
    assert "8.000 đồng" in email.body and "chỉ được tiếp nhận khi đã nộp đủ" in email.body
    with pytest.raises(ApplicationError) as unpaid:
        dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    assert unpaid.value.code == "fees_unpaid"
    assert "8.000 đồng" in unpaid.value.message and "chưa thể tiếp nhận" in unpaid.value.message
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED
    counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=_rev(dossier))
    assert dossier.events.filter(kind=EventKind.FEES_DUE).count() == 1, "told once, at submission"


def test_paid_at_submission_with_nothing_owed_is_accepted_at_once(
    hung: Any, birth_version: Any, per_copy: Any, staff: Any
) -> None:
    _timing(birth_version, PaymentTiming.SUBMISSION)
    dossier = submitted_dossier(hung, birth_version, answers={"copies": "0"})
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    assert not dossier.events.filter(kind=EventKind.FEES_DUE).exists()


def _to_issue(dossier: Dossier, staff: dict[str, Any]) -> None:
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    step_forward(step=_active(dossier, StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None)
    step_approve(
        step=_active(dossier, StepKind.APPROVE),
        leader=staff["leader"],
        decision=Outcome.GRANTED,
        note="",
        revision=None,
    )


def test_paid_before_return_only_the_hand_over_waits(hung: Any, birth_version: Any, per_copy: Any, staff: Any) -> None:
    _timing(birth_version, PaymentTiming.RETURN)
    dossier = submitted_dossier(hung, birth_version, answers={"copies": "3"})
    assert not dossier.events.filter(kind=EventKind.FEES_DUE).exists(), "told on acceptance"
    _to_issue(dossier, staff)
    due = dossier.events.get(kind=EventKind.FEES_DUE)
    assert (due.payload["amount"], due.payload["timing"]) == (24000, "return")
    sms = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.FEE_DUE, channel="email")
    assert "24.000 đồng" in sms.body and "trước khi nhận kết quả" in sms.body
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
    assert not StoredDocument.objects.filter(source_dossier=dossier).exists(), "withheld until the return"
    with pytest.raises(ApplicationError) as unpaid:
        step_hand_over(step=_active(dossier, StepKind.RETURN), officer=staff["reception"], note="", revision=None)
    assert unpaid.value.code == "fees_unpaid" and "chưa thể trả kết quả" in unpaid.value.message
    counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED, "handed over at the counter"
    step_hand_over(step=_active(dossier, StepKind.RETURN), officer=staff["reception"], note="", revision=None)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED
    assert StoredDocument.objects.filter(source_dossier=dossier, owner=hung).count() == 1


def test_paid_after_acceptance_the_issue_waits(hung: Any, birth_version: Any, per_copy: Any, staff: Any) -> None:
    dossier = submitted_dossier(hung, birth_version, answers={"copies": "1"})
    _to_issue(dossier, staff)
    assert dossier.events.get(kind=EventKind.FEES_DUE).payload["timing"] == "acceptance"
    with pytest.raises(ApplicationError) as unpaid:
        step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    assert "chưa thể phát hành kết quả" in unpaid.value.message


def test_paid_before_return_an_online_result_is_not_released_while_unpaid(
    hung: Any, birth_version: Any, per_copy: Any, staff: Any
) -> None:
    _timing(birth_version, PaymentTiming.RETURN)
    dossier = submitted_dossier(hung, birth_version, answers={"copies": "1"}, delivery=DeliveryMethod.ONLINE)
    _to_issue(dossier, staff)
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
    assert _active(dossier, StepKind.RETURN) is not None, "the return waits for the payment"
    assert not StoredDocument.objects.filter(source_dossier=dossier).exists(), "withheld until paid"
    # Not returned in the same action: the citizen is told the result waits, and what to pay.
    ready = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.RESULT_READY, channel="email")
    assert "Phí, lệ phí phải nộp: 8.000 đồng" in ready.body and "trước khi nhận kết quả" in ready.body


def _issued_online_owing(hung: Any, birth_version: Any, staff: dict[str, Any]) -> Dossier:
    _timing(birth_version, PaymentTiming.RETURN)
    dossier = submitted_dossier(hung, birth_version, answers={"copies": "1"}, delivery=DeliveryMethod.ONLINE)
    _to_issue(dossier, staff)
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    return dossier


def _returned_into_the_store(dossier: Dossier, hung: Any) -> None:
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED and dossier.returned_at is not None
    assert not dossier.steps.filter(status=StepStatus.ACTIVE).exists()
    ret = dossier.steps.get(kind=StepKind.RETURN)
    assert ret.note == "Trả kết quả trực tuyến vào kho dữ liệu." and ret.finished_by is None
    assert StoredDocument.objects.filter(source_dossier=dossier, owner=hung).count() == 1
    assert dossier.events.filter(kind=EventKind.RETURNED).count() == 1
    assert OutboxMessage.objects.filter(dossier=dossier, event=NotificationEvent.COMPLETED, channel="email").exists()


def test_paid_online_before_return_the_online_result_is_returned(
    hung: Any, birth_version: Any, per_copy: Any, staff: Any
) -> None:
    dossier = _issued_online_owing(hung, birth_version, staff)
    client = Client()
    client.force_login(hung)
    checkout = client.post(reverse("payments:online_pay", args=[dossier.pk])).context["checkout_url"]
    assert client.post(checkout, {"action": "pay"}).status_code == 302
    _returned_into_the_store(dossier, hung)


def test_paid_at_the_counter_before_return_the_online_result_is_returned(
    hung: Any, birth_version: Any, per_copy: Any, staff: Any
) -> None:
    dossier = _issued_online_owing(hung, birth_version, staff)
    counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CARD, revision=None)
    _returned_into_the_store(dossier, hung)


def test_a_result_that_cannot_be_returned_does_not_undo_the_payment(
    hung: Any, birth_version: Any, per_copy: Any, staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = _issued_online_owing(hung, birth_version, staff)

    def broken_store(**_kwargs: Any) -> None:
        raise OSError("result file unreadable")

    monkeypatch.setattr("motcua.dossiers.processing.result_store_for_citizen", broken_store)
    counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    dossier.refresh_from_db()
    assert dossier.fees_paid_at is not None and dossier.receipts.count() == 1, "the money is recorded"
    assert dossier.status == DossierStatus.PROCESSED and _active(dossier, StepKind.RETURN) is not None
