"""The online payment through VNPay's protocol against the simulator, and every bad case of
issue 14: tampered, unknown, replayed, late, early and missing notifications, the gateway down
or slow, double clicks and two tabs, refunds asked twice, and the daily reconciliation."""

import datetime
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

import httpx
import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.payments.constants import FindingKind, NoticeVerdict, PaymentStatus, RefundMethod, RefundStatus
from motcua.payments.gateway_refunds import gateway_refunds_due
from motcua.payments.models import Payment, PaymentNotice, Receipt, ReconciliationFinding, Refund
from motcua.payments.reconciliation import VIETNAM, reconcile_day
from motcua.payments.tasks import payments_settle_and_expire
from motcua.payments.vnpay_simulator import VNPaySimulator
from motcua.payments.vnpay_wire import vnp_sign_query

pytestmark = pytest.mark.django_db(transaction=False)

IPN = "payments:online_ipn_vnpay"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(client: Client, dossier: Any) -> str:
    response = client.post(reverse("payments:online_pay", args=[dossier.pk]))
    assert response.status_code == 200, response
    return str(response.context["checkout_url"])


def _pay_on_simulator(checkout_url: str, *, pay: bool = True) -> str:
    """The citizen on VNPay's page: it is shown, then "Thanh toán" (or "Hủy") is pressed; the
    return URL the browser is sent to."""
    page = httpx.get(checkout_url)
    assert page.status_code == 200, page.text
    assert "Thanh toán" in page.text and "Hủy" in page.text
    reference = dict(parse_qsl(urlsplit(checkout_url).query))["vnp_TxnRef"]
    pressed = httpx.post(checkout_url.split("?")[0], data={"ref": reference, "action": "pay" if pay else "cancel"})
    assert pressed.status_code == 302
    return str(pressed.headers["Location"])


def _ipn(signed_query: str) -> dict:
    response = Client().get(f"{reverse(IPN)}?{signed_query}")
    assert response.status_code == 200
    return dict(response.json())


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_payment_url_is_signed_as_vnpay_specifies(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    url = _start(_client(owed_dossier.applicant), owed_dossier)
    assert url.startswith(vnpay.pay_url + "?")
    query = urlsplit(url).query
    pairs = parse_qsl(query, keep_blank_values=True)
    params = dict(pairs)
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay"
    assert params["vnp_Amount"] == "1600000"  # 16,000 đ × 100
    assert params["vnp_CurrCode"] == "VND" and params["vnp_Locale"] == "vn"
    assert params["vnp_TmnCode"] == "MOTCUA01"
    assert params["vnp_ReturnUrl"].endswith(reverse("payments:online_return_vnpay"))
    created = datetime.datetime.strptime(params["vnp_CreateDate"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    assert abs((created - timezone.now()).total_seconds()) < 60  # GMT+7, not UTC
    expires = datetime.datetime.strptime(params["vnp_ExpireDate"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    assert datetime.timedelta(minutes=14) < expires - created <= datetime.timedelta(minutes=15)
    # Sorted by name, each URL-encoded; the hash is HMAC-SHA512 of that string, computed here anew.
    names = [name for name, _ in pairs if name != "vnp_SecureHash"]
    assert names == sorted(names)
    data = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs if k != "vnp_SecureHash")
    expected = hmac.new(b"test-hash-secret", data.encode(), hashlib.sha512).hexdigest()
    assert params["vnp_SecureHash"] == expected
    assert query.startswith(data)


def test_ipn_pays_once_and_a_replay_changes_nothing(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    client = _client(owed_dossier.applicant)
    return_url = _pay_on_simulator(_start(client, owed_dossier))
    signed = vnpay.ipn_outbox[-1]
    assert _ipn(signed) == {"RspCode": "00", "Message": "Confirm Success"}
    payment = Payment.objects.get(dossier=owed_dossier)
    assert payment.status == PaymentStatus.PAID and payment.transaction_no
    owed_dossier.refresh_from_db()
    assert owed_dossier.fees_paid_at is not None
    assert _ipn(signed)["RspCode"] == "02"  # replayed: already confirmed
    assert Receipt.objects.filter(payment=payment).count() == 1
    verdicts = list(PaymentNotice.objects.filter(source="ipn").order_by("pk").values_list("verdict", flat=True))
    assert verdicts == [NoticeVerdict.APPLIED, NoticeVerdict.DUPLICATE]
    # The browser comes back after the IPN: the page says paid, with the receipt's number.
    page = client.get(_local(return_url))
    assert "Đã thanh toán" in page.content.decode()
    receipt = Receipt.objects.get(payment=payment)
    assert f"{receipt.number:07d}" in page.content.decode()


def test_ipn_sent_twice_by_the_gateway_charges_once(owed_dossier: Any, vnpay: VNPaySimulator, live_server: Any) -> None:
    vnpay.ipn_url = live_server.url + reverse(IPN)
    vnpay.ipn_mode = "twice"
    _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    deadline = timezone.now() + datetime.timedelta(seconds=10)
    while len(vnpay.ipn_answers) < 2 and timezone.now() < deadline:
        import time

        time.sleep(0.05)
    assert sorted(answer["RspCode"] for answer in vnpay.ipn_answers) == ["00", "02"]
    assert Receipt.objects.filter(dossier=owed_dossier).count() == 1


def test_tampered_amount_or_signature_changes_nothing(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    vnpay.ipn_mode = "tampered"
    _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    assert _ipn(vnpay.ipn_outbox[-1])["RspCode"] == "97"
    params = dict(parse_qsl(vnpay.ipn_outbox[-1]))
    params.pop("vnp_SecureHash")
    # Signed with the right key but for another amount (a bug or an insider): 04.
    params["vnp_Amount"] = "100000"
    assert _ipn(vnp_sign_query(params, vnpay.hash_secret))["RspCode"] == "04"
    # Signed by someone else: 97.
    assert _ipn(vnp_sign_query(params, "not-the-secret"))["RspCode"] == "97"
    payment = Payment.objects.get(dossier=owed_dossier)
    assert payment.status == PaymentStatus.PENDING
    assert set(PaymentNotice.objects.values_list("verdict", flat=True)) == {
        NoticeVerdict.BAD_SIGNATURE,
        NoticeVerdict.BAD_AMOUNT,
    }


def test_notice_for_an_unknown_order_or_another_merchant(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    params = dict(parse_qsl(vnpay.ipn_outbox[-1]))
    params.pop("vnp_SecureHash")
    assert _ipn(vnp_sign_query({**params, "vnp_TxnRef": "TTNOSUCHORDER"}, vnpay.hash_secret))["RspCode"] == "01"
    assert _ipn(vnp_sign_query({**params, "vnp_TmnCode": "OTHER"}, vnpay.hash_secret))["RspCode"] == "99"
    assert Payment.objects.get(dossier=owed_dossier).status == PaymentStatus.PENDING


def test_return_before_the_ipn_asks_the_gateway_and_never_trusts_the_browser(
    owed_dossier: Any, vnpay: VNPaySimulator
) -> None:
    vnpay.ipn_mode = "never"
    client = _client(owed_dossier.applicant)
    return_url = _pay_on_simulator(_start(client, owed_dossier))
    # A forged return (the browser's claim with a broken signature) is refused and changes nothing.
    forged = client.get(_local(return_url).replace("vnp_ResponseCode=00", "vnp_ResponseCode=00&vnp_BankCode=X"))
    assert forged.status_code == 400
    # The gateway is down: the genuine return shows "waiting", nothing is marked paid.
    vnpay.fail("down")
    page = client.get(_local(return_url))
    assert "Đang chờ xác nhận từ ngân hàng" in page.content.decode()
    assert Payment.objects.get(dossier=owed_dossier).status == PaymentStatus.PENDING
    # It is back: the return makes us ask (querydr), and VNPay's answer marks it paid.
    vnpay.recover()
    page = client.get(_local(return_url))
    assert "Đã thanh toán" in page.content.decode()
    payment = Payment.objects.get(dossier=owed_dossier)
    assert payment.status == PaymentStatus.PAID
    assert PaymentNotice.objects.filter(source="query", verdict=NoticeVerdict.APPLIED).count() == 1
    # The IPN that finally arrives is answered "already confirmed".
    assert _ipn(vnpay.ipn_outbox[-1])["RspCode"] == "02"


def test_ipn_never_sent_is_settled_by_the_sweep_and_a_down_gateway_only_delays_it(
    owed_dossier: Any, vnpay: VNPaySimulator
) -> None:
    vnpay.ipn_mode = "never"
    _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    payment = Payment.objects.get(dossier=owed_dossier)
    # Long past its time, and the gateway is down: neither paid nor expired.
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1), expires_at=timezone.now() - datetime.timedelta(1)
    )
    vnpay.fail("down")
    assert payments_settle_and_expire() == {"settled": 0, "expired": 0}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    vnpay.recover()
    Payment.objects.filter(pk=payment.pk).update(queried_at=None)
    assert payments_settle_and_expire() == {"settled": 1, "expired": 0}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_slow_gateway_at_query_leaves_the_payment_pending(
    owed_dossier: Any, vnpay: VNPaySimulator, settings: Any
) -> None:
    settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 0.5
    vnpay.ipn_mode = "never"
    _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    Payment.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    vnpay.fail("slow", delay=2)
    assert payments_settle_and_expire() == {"settled": 0, "expired": 0}
    vnpay.fail("error")
    Payment.objects.update(queried_at=None)
    assert payments_settle_and_expire() == {"settled": 0, "expired": 0}
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_abandoned_payment_expires_and_a_new_attempt_is_a_new_order(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    client = _client(owed_dossier.applicant)
    _start(client, owed_dossier)
    payment = Payment.objects.get()
    Payment.objects.update(
        created_at=timezone.now() - datetime.timedelta(hours=1), expires_at=timezone.now() - datetime.timedelta(1)
    )
    # VNPay never saw it (the citizen did not open its page): it expires.
    assert payments_settle_and_expire() == {"settled": 0, "expired": 1}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    # A new attempt gets a new order.
    _start(client, owed_dossier)
    assert Payment.objects.filter(status=PaymentStatus.PENDING).exclude(pk=payment.pk).count() == 1


def test_notice_for_an_expired_order_is_late_and_changes_nothing(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    Payment.objects.update(status=PaymentStatus.EXPIRED)
    assert _ipn(vnpay.ipn_outbox[-1])["RspCode"] == "02"
    assert PaymentNotice.objects.get().verdict == NoticeVerdict.LATE
    owed_dossier.refresh_from_db()
    assert owed_dossier.fees_paid_at is None


def test_cancelled_on_the_gateway_shows_failure_and_allows_a_new_attempt(
    owed_dossier: Any, vnpay: VNPaySimulator
) -> None:
    client = _client(owed_dossier.applicant)
    return_url = _pay_on_simulator(_start(client, owed_dossier), pay=False)
    assert _ipn(vnpay.ipn_outbox[-1])["RspCode"] == "00"  # received, recorded as failed
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert "Không thành công" in client.get(_local(return_url)).content.decode()
    _start(client, owed_dossier)
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1


def test_double_click_and_two_tabs_make_one_payment(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    first_tab, second_tab = _client(owed_dossier.applicant), _client(owed_dossier.applicant)
    urls = {_start(first_tab, owed_dossier), _start(first_tab, owed_dossier), _start(second_tab, owed_dossier)}
    references = {dict(parse_qsl(urlsplit(url).query))["vnp_TxnRef"] for url in urls}
    assert len(references) == 1
    assert Payment.objects.count() == 1


def test_nothing_owed_or_already_paid_offers_no_payment(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    client = _client(owed_dossier.applicant)
    assert "Thanh toán" in client.get(reverse("dossiers:detail", args=[owed_dossier.pk])).content.decode()
    _pay_on_simulator(_start(client, owed_dossier))
    _ipn(vnpay.ipn_outbox[-1])
    page = client.get(reverse("dossiers:detail", args=[owed_dossier.pk])).content.decode()
    assert 'data-testid="fees-owed"' not in page
    response = client.post(reverse("payments:online_pay", args=[owed_dossier.pk]))
    assert response["Location"] == reverse("dossiers:detail", args=[owed_dossier.pk])  # a message, no payment
    assert Payment.objects.count() == 1


def test_another_citizen_cannot_pay_or_see_the_return(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    from motcua.core.testing import citizen

    other = _client(citizen(phone="0987654321", id_number="066094000999"))
    assert other.post(reverse("payments:online_pay", args=[owed_dossier.pk])).status_code == 404
    return_url = _pay_on_simulator(_start(_client(owed_dossier.applicant), owed_dossier))
    # The gateway's signed return is admitted without our session (a mobile app's browser), but
    # only the applicant's own session sees the dossier and the receipt.
    for stranger in (other, Client()):
        page = stranger.get(_local(return_url))
        assert page.status_code == 200, page.content
        assert owed_dossier.code not in page.content.decode() and "Biên lai điện tử" not in page.content.decode()


def _paid(dossier: Any, vnpay: VNPaySimulator) -> Payment:
    _pay_on_simulator(_start(_client(dossier.applicant), dossier))
    _ipn(vnpay.ipn_outbox[-1])
    return Payment.objects.get(dossier=dossier, status=PaymentStatus.PAID)


def test_gateway_refund_asked_twice_is_sent_once(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    payment = _paid(owed_dossier, vnpay)
    Refund.objects.create(
        payment=payment, amount=payment.amount, reason="Hồ sơ bị từ chối", method=RefundMethod.GATEWAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(payment=payment, amount=payment.amount, reason="lần hai", method=RefundMethod.GATEWAY)
    vnpay.fail("down")
    assert gateway_refunds_due() == 0
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.REQUESTED and refund.attempts == 1 and "503" in refund.failure
    vnpay.recover()
    assert gateway_refunds_due() == 1
    assert gateway_refunds_due() == 0
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DONE and refund.gateway_reference == payment.transaction_no
    assert len(vnpay.orders[payment.reference].refunded) == 1


def test_refund_refused_by_the_gateway_is_recorded(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    payment = _paid(owed_dossier, vnpay)
    vnpay.orders[payment.reference].refunded.append("earlier")  # already refunded at VNPay
    Refund.objects.create(payment=payment, amount=payment.amount, reason="Rút hồ sơ", method=RefundMethod.GATEWAY)
    gateway_refunds_due()
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED and refund.failure.startswith("94")


def test_reconciliation_lists_every_difference_once(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    payment = _paid(owed_dossier, vnpay)
    today = timezone.now().astimezone(VIETNAM).date()
    # Paid at VNPay, never confirmed to us (IPN lost, no query yet).
    ghost = vnpay.orders[payment.reference].__class__(
        reference="TTGHOST", amount=500000, return_url="", order_info="", created="", status="paid"
    )
    ghost.pay_date = vnpay.orders[payment.reference].pay_date
    vnpay.orders["TTGHOST"] = ghost
    # Marked paid here, unknown to VNPay.
    from motcua.dossiers.testing import submitted_dossier

    Payment.objects.create(
        dossier=submitted_dossier(owed_dossier.applicant, owed_dossier.procedure_version),
        reference="TTOURSONLY",
        method="gateway",
        gateway="vnpay",
        amount=1000,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
    )
    run = reconcile_day(gateway_key="vnpay", day=today)
    assert run is not None and run.matched == 1
    kinds = dict(ReconciliationFinding.objects.values_list("reference", "kind"))
    assert kinds == {"TTGHOST": FindingKind.MISSING_HERE, "TTOURSONLY": FindingKind.MISSING_THERE}
    assert reconcile_day(gateway_key="vnpay", day=today) is None  # once per day
    assert ReconciliationFinding.objects.count() == 2


def test_reconciliation_with_the_gateway_down_is_tried_again(owed_dossier: Any, vnpay: VNPaySimulator) -> None:
    _paid(owed_dossier, vnpay)
    today = timezone.now().astimezone(VIETNAM).date()
    vnpay.fail("error")
    assert reconcile_day(gateway_key="vnpay", day=today) is None
    vnpay.recover()
    run = reconcile_day(gateway_key="vnpay", day=today)
    assert run is not None and run.matched == 1 and not run.findings.exists()
