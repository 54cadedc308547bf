"""Refunds when a paid dossier is refused, withdrawn or stopped, and the finance page: scoped
lists, counter refunds marked done, receipts cancelled and findings resolved."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.dossiers.closing import dossier_stop
from motcua.dossiers.reception import dossier_accept, dossier_refuse
from motcua.dossiers.services import dossier_withdraw
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage
from motcua.payments.constants import FindingKind, PaymentMethod, PaymentStatus, RefundMethod, RefundStatus
from motcua.payments.counter import counter_payment_record
from motcua.payments.models import Payment, ReconciliationFinding, ReconciliationRun, Refund
from motcua.payments.receipts import FeesForbidden
from motcua.payments.refunds import refund_mark_done, refund_request
from motcua.payments.services import payment_paid
from motcua.payments.tests.helpers import owing, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(hung, birth_version):
    return owing(submitted_dossier(hung, birth_version))


def _paid_online(dossier) -> Payment:
    payment = Payment.objects.create(
        dossier=dossier,
        reference="TTONLINE2345678",
        method=PaymentMethod.GATEWAY,
        gateway="demo",
        amount=dossier.fees_due,
        lines=dossier.fee_lines,
    )
    with transaction.atomic():
        payment_paid(payment=payment, actor="demo", transaction_no="14000001")
    return payment


def test_a_paid_dossier_refused_at_reception_is_refunded_at_the_counter_once(submitted, client, hung) -> None:
    reception = officer("xa.tn")
    receipt = counter_payment_record(dossier=submitted, officer=reception, method=PaymentMethod.CASH, revision=None)
    # The payer hears the money arrived, with the receipt's number.
    received = OutboxMessage.objects.filter(dossier=submitted, event=NotificationEvent.FEES_RECEIVED)
    assert {m.channel for m in received} >= {"email", "sms"}
    assert f"Đã nhận 8.000 đồng phí, lệ phí của hồ sơ {submitted.code}" in received.get(channel="email").body
    assert str(receipt) in received.get(channel="email").body
    slip = dossier_refuse(dossier=submitted, officer=reception, reasons="Không thuộc thẩm quyền", revision=None)
    refund = Refund.objects.get(payment=receipt.payment)
    # The slip and the messages say how and when the fees come back.
    promise = "được hoàn bằng tiền mặt tại Bộ phận Một cửa của UBND phường Tân Lập"
    assert promise in " ".join(pdf_text(slip.file.read()).split())
    told = OutboxMessage.objects.filter(dossier=submitted, event=NotificationEvent.REJECTED)
    assert {m.channel for m in told} >= {"email", "sms"}
    email = told.get(channel="email").body
    assert "Phí, lệ phí đã nộp (8.000 đồng)" in email and promise in email
    # The SMS route carries no diacritics.
    assert "Phi, le phi da nop (8.000 dong) duoc hoan bang tien mat tai Bo phan Mot cua" in told.get(channel="sms").body
    assert (refund.method, refund.status, refund.amount) == (RefundMethod.COUNTER, RefundStatus.REQUESTED, 8000)
    assert "Từ chối tiếp nhận" in refund.reason
    # Asked again (a second event, a double click): the same refund.
    assert refund_request(payment=receipt.payment, reason="Lần nữa", actor=reception) == refund
    assert Refund.objects.filter(payment=receipt.payment).count() == 1

    with pytest.raises(FeesForbidden):
        refund_mark_done(refund=refund, officer=officer("xa.cv", role=Role.SPECIALIST))
    finance = officer("xa.kt", role=Role.FINANCE)
    client.force_login(finance)
    page = client.get("/can-bo/thu-phi/").content.decode()
    assert submitted.code in page and "Đã hoàn tiền" in page
    done = client.post("/can-bo/thu-phi/", {"action": "refund_done", "id": refund.pk}, follow=True).content.decode()
    assert "Đã ghi nhận hoàn tiền." in done
    refund.refresh_from_db()
    assert (refund.status, refund.done_by) == (RefundStatus.DONE, finance)
    refunded = OutboxMessage.objects.filter(dossier=submitted, event=NotificationEvent.REFUNDED)
    assert {m.channel for m in refunded} >= {"email", "sms"}
    assert "Đã hoàn trả 8.000 đồng phí, lệ phí" in refunded.get(channel="email").body
    assert "Hoàn tiền mặt tại Bộ phận Một cửa" in refunded.get(channel="email").body
    with pytest.raises(ApplicationError) as twice:
        refund_mark_done(refund=refund, officer=finance)
    assert twice.value.code == "refund_not_open"

    client.force_login(hung)
    mine = client.get(f"/ho-so/{submitted.pk}/").content.decode()
    assert "Hoàn lại 8.000 đồng" in mine and "Đã hoàn tiền" in mine
    # The receipt's public page: still valid as a record, and the money went back on that day.
    verify = " ".join(Client().get(f"/bien-lai/{receipt.token}/").content.decode().split())
    assert (
        f"Số tiền 8.000 đồng đã được hoàn trả cho người nộp ngày {timezone.localtime(refund.done_at):%d/%m/%Y}."
        in verify
    )
    assert "vẫn có giá trị là chứng từ" in verify and "đang có hiệu lực" not in verify
    # The officer's page of the dossier shows the same refund: amount, method, status and date.
    client.force_login(reception)
    page = client.get(reverse("backoffice:dossier_detail", args=[submitted.pk])).content.decode()
    shown = " ".join(page.split('data-testid="refund"')[1].split("</li>")[0].split())
    assert "Hoàn lại 8.000 đồng" in shown and "Hoàn tiền mặt tại Bộ phận Một cửa" in shown
    assert "Đã hoàn tiền" in shown and f"{timezone.localtime(refund.done_at):%d/%m/%Y}" in shown


def test_a_withdrawn_dossier_paid_online_is_refunded_through_the_gateway(submitted, hung) -> None:
    payment = _paid_online(submitted)
    dossier_withdraw(dossier=submitted, actor=hung, reason="Nộp nhầm thủ tục")
    refund = Refund.objects.get(payment=payment)
    assert (refund.method, refund.status, refund.requested_by) == (RefundMethod.GATEWAY, RefundStatus.REQUESTED, hung)
    with pytest.raises(ApplicationError) as by_hand:
        refund_mark_done(refund=refund, officer=officer("xa.kt", role=Role.FINANCE))
    assert by_hand.value.code == "refund_not_counter"
    # The gateway job sends it; once the gateway confirms, the applicant is told (once).
    from motcua.payments.gateway_refunds import gateway_refunds_due

    gateway_refunds_due()
    gateway_refunds_due()
    refunded = OutboxMessage.objects.filter(dossier=submitted, event=NotificationEvent.REFUNDED)
    assert refunded.filter(channel="sms").count() == 1
    assert "Hoan qua cong thanh toan" in refunded.get(channel="sms").body


def test_a_refused_dossier_paid_online_is_told_of_the_refund_through_the_gateway(submitted) -> None:
    _paid_online(submitted)
    slip = dossier_refuse(dossier=submitted, officer=officer("xa.tn"), reasons="Không thuộc thẩm quyền", revision=None)
    promise = "được hoàn tự động trong ngày qua cổng thanh toán"
    assert promise in " ".join(pdf_text(slip.file.read()).split())
    email = OutboxMessage.objects.get(dossier=submitted, event=NotificationEvent.REJECTED, channel="email")
    assert promise in email.body


def test_a_refused_unpaid_dossier_is_told_of_no_refund(submitted) -> None:
    slip = dossier_refuse(dossier=submitted, officer=officer("xa.tn"), reasons="Không thuộc thẩm quyền", revision=None)
    assert "hoàn" not in pdf_text(slip.file.read())
    email = OutboxMessage.objects.get(dossier=submitted, event=NotificationEvent.REJECTED, channel="email")
    assert "Phí, lệ phí đã nộp" not in email.body and "Lý do:\nKhông thuộc thẩm quyền\n\nTra cứu" in email.body


def test_a_stopped_dossier_is_refunded_and_an_unpaid_one_is_not(submitted, hung, birth_version) -> None:
    reception, leader = officer("xa.tn"), officer("xa.ld", role=Role.LEADER)
    dossier_accept(dossier=submitted, officer=reception, revision=None)
    receipt = counter_payment_record(dossier=submitted, officer=reception, method=PaymentMethod.CARD, revision=None)
    dossier_stop(
        dossier=submitted,
        officer=leader,
        reason="Giấy tờ giả mạo",
        legal_ground="Khoản 2 Điều 18 Nghị định 61/2018/NĐ-CP",
        revision=None,
    )
    assert Refund.objects.get(payment=receipt.payment).method == RefundMethod.COUNTER
    unpaid = submitted_dossier(hung, birth_version)
    dossier_refuse(dossier=unpaid, officer=reception, reasons="Không thuộc thẩm quyền", revision=None)
    assert Refund.objects.count() == 1


def test_the_finance_page_is_scoped_to_the_agency(submitted, client) -> None:
    reception = officer("xa.tn")
    receipt = counter_payment_record(dossier=submitted, officer=reception, method=PaymentMethod.CASH, revision=None)
    client.force_login(reception)
    assert submitted.code in client.get("/can-bo/thu-phi/").content.decode()
    client.force_login(officer("stp.kt", agency="STP", role=Role.FINANCE))
    page = client.get("/can-bo/thu-phi/").content.decode()
    assert submitted.code not in page
    refused = client.post("/can-bo/thu-phi/", {"action": "receipt_cancel", "id": receipt.pk, "reason": "Sai"})
    assert refused.status_code == 403
    client.force_login(officer("xa.cv", role=Role.SPECIALIST))
    assert client.get("/can-bo/thu-phi/").status_code == 403
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    assert submitted.code in client.get("/can-bo/thu-phi/").content.decode()
    # A superuser sees every agency, as on the collections report (not a 403).
    admin = get_user_model().objects.create_superuser(username="sieuquantri", password="x", email="a@b.vn")
    client.force_login(admin)
    assert submitted.code in client.get("/can-bo/thu-phi/").content.decode()

    client.force_login(reception)
    replaced = client.post(
        "/can-bo/thu-phi/", {"action": "receipt_cancel", "id": receipt.pk, "reason": "In sai địa chỉ"}, follow=True
    ).content.decode()
    assert "Đã hủy biên lai và lập biên lai thay thế." in replaced
    assert submitted.receipts.filter(replaces=receipt, number=2).exists()


def test_reconciliation_findings_are_resolved_with_a_note(submitted, client) -> None:
    reception = officer("xa.tn")
    receipt = counter_payment_record(dossier=submitted, officer=reception, method=PaymentMethod.CASH, revision=None)
    run = ReconciliationRun.objects.create(gateway="demo", day=timezone.localdate() - datetime.timedelta(days=1))
    ours = ReconciliationFinding.objects.create(
        run=run, kind=FindingKind.MISSING_THERE, reference=receipt.payment.reference, payment=receipt.payment
    )
    theirs = ReconciliationFinding.objects.create(run=run, kind=FindingKind.MISSING_HERE, reference="TTLA")
    client.force_login(reception)
    page = client.get("/can-bo/thu-phi/").content.decode()
    assert ours.reference in page and "TTLA" not in page
    empty = client.post("/can-bo/thu-phi/", {"action": "finding_resolve", "id": ours.pk, "note": ""}, follow=True)
    assert "Hãy ghi cách xử lý chênh lệch." in empty.content.decode()
    assert (
        client.post("/can-bo/thu-phi/", {"action": "finding_resolve", "id": theirs.pk, "note": "x"}).status_code == 403
    )
    client.post("/can-bo/thu-phi/", {"action": "finding_resolve", "id": ours.pk, "note": "Tiền mặt, không qua cổng"})
    ours.refresh_from_db()
    assert (ours.resolution, ours.resolved_by) == ("Tiền mặt, không qua cổng", reception)
    client.force_login(officer("quantri", agency=None, role=Role.SYSTEM_ADMIN))
    client.post("/can-bo/thu-phi/", {"action": "finding_resolve", "id": theirs.pk, "note": "Giao dịch thử của cổng"})
    theirs.refresh_from_db()
    assert theirs.resolved_at is not None


def test_finance_sees_every_case_unfinished_attempts_and_refused_notices(submitted, client, settings) -> None:  # type: ignore[no-untyped-def]
    from motcua.payments.demo_gateway import demo_notice_params
    from motcua.payments.notices import NoticeSource, notice_apply
    from motcua.payments.online import payment_start

    payment = payment_start(dossier=submitted, user=submitted.applicant, client_ip="203.0.113.7")
    tampered = {**demo_notice_params(payment), "amount": "1000"}  # the signature no longer holds
    notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=tampered)
    forged = {**demo_notice_params(payment), "ref": "TTKHONGCOTHAT01"}
    notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=forged)

    client.force_login(officer("xa.kt", role=Role.FINANCE))
    page = client.get("/can-bo/thu-phi/").content.decode()
    attempts = page.split('data-testid="attempts"')[1].split("</table>")[0]
    assert payment.reference in attempts and "Chờ thanh toán" in attempts
    notices = page.split('data-testid="notices"')[1].split("</table>")[0]
    assert "Sai chữ ký" in notices and payment.reference in notices
    # A notice naming no order of ours belongs to no agency: province-wide roles see it.
    assert "TTKHONGCOTHAT01" not in notices
    client.force_login(officer("giamsat", agency=None, role=Role.SUPERVISOR))
    province = client.get("/can-bo/thu-phi/").content.decode().split('data-testid="notices"')[1]
    assert "TTKHONGCOTHAT01" in province.split("</table>")[0]
    client.force_login(officer("stp.kt", agency="STP", role=Role.FINANCE))
    assert payment.reference not in client.get("/can-bo/thu-phi/").content.decode()


def test_finance_notices_leave_out_normal_returns_and_failed_attempts_and_name_forged_ones_dossier(
    submitted, client
) -> None:
    from motcua.payments.demo_gateway import demo_notice_params
    from motcua.payments.models import PaymentNotice
    from motcua.payments.notices import NoticeSource, notice_apply, return_record
    from motcua.payments.online import payment_start

    failed = payment_start(dossier=submitted, user=submitted.applicant, client_ip=None)
    notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=demo_notice_params(failed, result="24"))
    return_record(gateway_key="demo", params=demo_notice_params(failed, result="24"))
    paid = payment_start(dossier=submitted, user=submitted.applicant, client_ip=None)
    params = demo_notice_params(paid)
    notice_apply(gateway_key="demo", source=NoticeSource.IPN, params=params)
    return_record(gateway_key="demo", params=params)  # the browser back after the IPN: normal
    notice_apply(gateway_key="demo", source=NoticeSource.IPN, params={**params, "sig": "forged"})
    assert PaymentNotice.objects.filter(source=NoticeSource.RETURN).count() == 2  # still logged

    client.force_login(officer("xa.kt", role=Role.FINANCE))
    page = client.get("/can-bo/thu-phi/").content.decode()
    notices = page.split('data-testid="notices"')[1].split("</table>")[0]
    assert notices.count("<tr>") == 2  # the header and the forged notice
    assert "Sai chữ ký" in notices and paid.reference in notices and submitted.code in notices
    assert "Đã ghi nhận trước đó" not in notices and "không thành công" not in notices
    attempts = page.split('data-testid="attempts"')[1].split("</table>")[0]
    assert attempts.count(failed.reference) == 1
    client.force_login(officer("stp.kt", agency="STP", role=Role.FINANCE))
    assert paid.reference not in client.get("/can-bo/thu-phi/").content.decode()


def test_an_online_attempt_closed_by_a_counter_payment_says_so(submitted, client) -> None:
    from motcua.payments.online import payment_start

    attempt = payment_start(dossier=submitted, user=submitted.applicant, client_ip=None)
    counter_payment_record(dossier=submitted, officer=officer("xa.tn"), method=PaymentMethod.CASH, revision=None)
    attempt.refresh_from_db()
    assert attempt.status == PaymentStatus.SUPERSEDED
    client.force_login(officer("xa.kt", role=Role.FINANCE))
    attempts = client.get("/can-bo/thu-phi/").content.decode().split('data-testid="attempts"')[1].split("</table>")[0]
    assert "Đã hủy: đã nộp phí bằng cách khác" in attempts and "Hết hạn" not in attempts
