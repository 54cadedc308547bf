"""Every kind in EventKind is recorded by the service that makes the change: none is dead."""

import pytest

from motcua.catalog.constants import StepKind
from motcua.delivery.services import shipment_send
from motcua.delivery.testing import processed_dossier
from motcua.dossiers import services
from motcua.dossiers.closing import dossier_stop, withdrawal_decide, withdrawal_request_submit
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.processing import (
    consultation_answer,
    dossier_extend,
    step_assign,
    step_forward,
    step_request_supplement,
    step_return,
)
from motcua.dossiers.reception import dossier_refuse, dossier_request_supplement
from motcua.dossiers.testing import consulted_dossier, officer, submitted_dossier
from motcua.events.constants import EventKind as K
from motcua.events.tests.journeys import accepted, active, charged, kinds, later, returned_dossier
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.payments.refunds import refund_mark_done
from motcua.reports.constants import FeedbackCategory, Satisfaction
from motcua.reports.services import feedback_answer, feedback_submit, rating_submit

pytestmark = pytest.mark.django_db

# Which test below proves each kind; the last test checks nothing is missing.
PRODUCED_BY = {
    "test_the_usual_path": {
        K.SUBMITTED, K.ACKNOWLEDGED, K.RECEIVED, K.PROCESSING_STARTED, K.STEP_TAKEN, K.FORWARDED,
        K.APPROVED, K.RESULT_SIGNED, K.RESULT_ISSUED, K.RETURNED, K.RATED, K.FEEDBACK_RECEIVED,
        K.FEEDBACK_ANSWERED,
    },
    "test_reception_supplement_and_refusal": {K.SUPPLEMENT_REQUESTED, K.SUPPLEMENTED, K.REJECTED, K.WITHDRAWN},
    "test_fees_assignment_return_pause_extension": {
        K.FEES_DUE, K.FEES_PAID, K.STEP_ASSIGNED, K.SENT_BACK, K.PAUSED, K.RESUMED, K.EXTENDED,
    },
    "test_consultation": {K.CONSULTED, K.CONSULTATION_ANSWERED},
    "test_withdrawal_refused_then_stopped": {K.WITHDRAWAL_REQUESTED, K.WITHDRAWAL_REFUSED, K.STOPPED, K.REFUNDED},
    "test_result_posted": {K.RESULT_POSTED},
}  # fmt: skip


def test_the_usual_path(hung, birth_version):
    dossier = returned_dossier(hung, birth_version)
    level = Satisfaction.values[0]
    rating_submit(dossier=dossier, actor=hung, agency_level=level, officer_level=level, result_level=level, comment="")
    feedback = feedback_submit(
        author=hung,
        agency_id=dossier.agency_id,
        category=FeedbackCategory.values[0],
        title="Thái độ phục vụ",
        content="Cán bộ hướng dẫn rất tận tình, xin cảm ơn.",
        dossier=dossier,
    )
    feedback_answer(feedback=feedback, officer=officer("xa.tn"), answer="Cảm ơn ông đã phản ánh, chúng tôi ghi nhận.")
    assert PRODUCED_BY["test_the_usual_path"] <= set(kinds(dossier))


def test_reception_supplement_and_refusal(hung, birth_version):
    reception = officer("xa.tn")
    first = submitted_dossier(hung, birth_version)
    dossier_request_supplement(dossier=first, officer=reception, reasons="Thiếu bản sao giấy chứng sinh", revision=None)
    services.dossier_supplement_send(dossier=Dossier.objects.get(pk=first.pk), actor=hung, note="Đã bổ sung")
    dossier_refuse(dossier=first, officer=reception, reasons="Không thuộc thẩm quyền giải quyết", revision=None)
    second = submitted_dossier(hung, birth_version)
    services.dossier_withdraw(dossier=second, actor=hung, reason="Nộp nhầm")
    assert kinds(first)[-3:] == [K.SUPPLEMENT_REQUESTED, K.SUPPLEMENTED, K.REJECTED]
    assert kinds(second)[-1] == K.WITHDRAWN


def test_fees_assignment_return_pause_extension(hung, birth_version):
    charged(birth_version)
    dossier, staff = accepted(hung, birth_version)
    counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    process = active(dossier, StepKind.PROCESS)
    step_assign(step=process, leader=staff["leader"], assignee_id=staff["specialist"].pk, revision=None)
    step_request_supplement(
        step=process, officer=staff["specialist"], reasons="Bổ sung bản sao giấy đăng ký kết hôn", revision=None
    )
    services.dossier_supplement_send(dossier=Dossier.objects.get(pk=dossier.pk), actor=hung, note="Đã bổ sung")
    dossier_extend(
        dossier=dossier,
        officer=staff["specialist"],
        reason="Chờ xác minh thông tin hộ tịch",
        new_due=later(30),
        revision=None,
    )
    step_forward(step=process, officer=staff["specialist"], note="", draft="", revision=None)
    approval = active(dossier, StepKind.APPROVE)
    step_return(
        step=approval,
        officer=staff["leader"],
        to_code=process.process_step.code,
        reason="Kiểm tra lại tên người mẹ",
        revision=None,
    )
    recorded = kinds(dossier)
    assert recorded.index(K.FEES_DUE) < recorded.index(K.FEES_PAID)
    assert PRODUCED_BY["test_fees_assignment_return_pause_extension"] <= set(recorded)
    due = dossier.events.get(kind=K.FEES_DUE)
    assert due.payload["amount"] == 8000


def test_consultation(hung, birth_version):
    case = consulted_dossier(applicant=hung, version=birth_version)
    consultation_answer(
        step=case["consultation"], officer=case["stp_specialist"], answer="Đồng ý ghi quê quán theo cha.", revision=None
    )
    recorded = kinds(case["dossier"])
    assert recorded[-2:] == [K.CONSULTED, K.CONSULTATION_ANSWERED]
    asked = case["dossier"].events.get(kind=K.CONSULTED).payload
    assert asked["consultation"]["agency_code"] == "STP"


def test_withdrawal_refused_then_stopped(hung, birth_version):
    charged(birth_version)
    dossier, staff = accepted(hung, birth_version)
    receipt = counter_payment_record(
        dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None
    )
    withdrawal_request_submit(dossier=dossier, actor=hung, reason="Gia đình muốn nộp lại sau", revision=None)
    withdrawal_decide(
        dossier=dossier, officer=staff["leader"], accept=False, note="Hồ sơ đã được xử lý gần xong", revision=None
    )
    dossier_stop(
        dossier=dossier,
        officer=staff["leader"],
        reason="Phát hiện giấy tờ không hợp lệ",
        legal_ground="Điều 18 Nghị định 61/2018/NĐ-CP",
        revision=None,
    )
    assert kinds(dossier)[-3:] == [K.WITHDRAWAL_REQUESTED, K.WITHDRAWAL_REFUSED, K.STOPPED]
    # The fees paid go back at the counter once stopped.
    refund_mark_done(refund=receipt.payment.refunds.get(), officer=staff["reception"])
    assert kinds(dossier)[-1] == K.REFUNDED


def test_result_posted(hung, birth_version):
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    shipment_send(
        dossier=dossier,
        officer=officer("xa.tn"),
        carrier="VNPost",
        tracking_number="EB123456789VN",
        sent_on=later(0).date(),
        revision=None,
    )
    posted = dossier.events.get(kind=K.RESULT_POSTED)
    assert posted.payload["tracking_number"] == "EB123456789VN"
    assert "address" not in posted.payload


def test_every_kind_has_a_producer():
    """A kind nobody records would be a promise to the consumers that is never kept."""
    assert set().union(*PRODUCED_BY.values()) == set(K.values)
    assert set(PRODUCED_BY) <= set(globals()), "every producer named is a test of this module"
