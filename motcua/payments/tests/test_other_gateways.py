"""The demo gateway of the embedded profile, and the national payment platform's provisional
adapter against its small simulator: the same verification, idempotency and status paths."""

import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.payments.constants import PaymentStatus, RefundMethod, RefundStatus
from motcua.payments.demo_gateway import DemoGateway, demo_checkout_token
from motcua.payments.gateway_refunds import gateway_refunds_due
from motcua.payments.models import Payment, Receipt, Refund
from motcua.payments.national_platform_simulator import NationalPaySimulator
from motcua.payments.online import payment_start
from motcua.payments.reconciliation import reconcile_day

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_demo_gateway_pays_through_its_own_page(owed_dossier: Any) -> None:
    client = _client(owed_dossier.applicant)
    checkout = client.post(reverse("payments:online_pay", args=[owed_dossier.pk])).context["checkout_url"]
    payment = Payment.objects.get(dossier=owed_dossier)
    assert checkout == reverse("payments:demo_checkout", args=[demo_checkout_token(payment)])
    assert "16.000 đồng" in client.get(checkout).content.decode()
    back = client.post(checkout, {"action": "pay"})
    assert back.status_code == 302
    page = client.get(back["Location"]).content.decode()
    assert "Đã thanh toán" in page
    receipt = Receipt.objects.get(dossier=owed_dossier)
    assert f"ký hiệu {receipt.series.symbol} số {receipt.number:07d}" in page
    # A stale tab of the bank page, paid meanwhile, says so.
    stale = client.post(checkout, {"action": "pay"}).content.decode()
    assert "Hồ sơ đã nộp đủ phí, lệ phí: không cần thanh toán nữa." in stale
    # The same signed notice again (a reload of the return, a replay): nothing more.
    query = dict(parse_qsl(urlsplit(back["Location"]).query))
    answer = Client().get(reverse("payments:online_ipn_demo"), query).json()
    assert answer == {"RspCode": "02"}
    assert Receipt.objects.filter(dossier=owed_dossier).count() == 1


def test_demo_gateway_cancel_shows_failure(owed_dossier: Any) -> None:
    client = _client(owed_dossier.applicant)
    checkout = client.post(reverse("payments:online_pay", args=[owed_dossier.pk])).context["checkout_url"]
    back = client.post(checkout, {"action": "cancel"})
    assert "Không thành công" in client.get(back["Location"]).content.decode()
    assert Payment.objects.get().status == PaymentStatus.FAILED


@pytest.fixture
def national(settings: Any) -> Iterator[NationalPaySimulator]:
    with NationalPaySimulator() as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "payments": "national"}
        settings.MOTCUA_NATIONAL_PAY_URL = simulator.url
        settings.MOTCUA_NATIONAL_PAY_MERCHANT = simulator.merchant
        settings.MOTCUA_NATIONAL_PAY_SECRET = simulator.secret
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 2
        yield simulator


def test_national_platform_pays_refunds_and_reconciles(owed_dossier: Any, national: NationalPaySimulator) -> None:
    client = _client(owed_dossier.applicant)
    checkout = client.post(reverse("payments:online_pay", args=[owed_dossier.pk])).context["checkout_url"]
    assert checkout.startswith(national.url + "/pay/")
    back = httpx.post(checkout, data={"action": "pay"})
    notice = national.notices[-1]
    # The browser's return alone asks the platform (query) and so the payment is settled.
    assert "Đã thanh toán" in client.get(urlsplit(back.headers["Location"]).path, notice).content.decode()
    payment = Payment.objects.get(dossier=owed_dossier)
    assert payment.status == PaymentStatus.PAID and payment.method == "national"
    # The notification then comes: already confirmed; tampered: refused.
    ipn = reverse("payments:online_ipn_national")
    assert Client().post(ipn, notice).json() == {"code": "02"}
    assert Client().post(ipn, {**notice, "amount": "1"}).json() == {"code": "97"}
    Refund.objects.create(payment=payment, amount=payment.amount, reason="Từ chối", method=RefundMethod.GATEWAY)
    assert gateway_refunds_due() == 1
    assert Refund.objects.get().status == RefundStatus.DONE and len(national.refunds) == 1
    run = reconcile_day(gateway_key="national", day=timezone.now().astimezone(datetime.UTC).date())
    assert run is not None and run.matched == 1


def test_national_platform_down_at_start_tells_the_citizen(owed_dossier: Any, national: NationalPaySimulator) -> None:
    national.down = True
    response = _client(owed_dossier.applicant).post(reverse("payments:online_pay", args=[owed_dossier.pk]), follow=True)
    assert "Cổng thanh toán đang không phản hồi" in response.content.decode()
    # The attempt stays open and is reused once the platform is back.
    national.down = False
    again = _client(owed_dossier.applicant).post(reverse("payments:online_pay", args=[owed_dossier.pk]))
    assert again.context["checkout_url"].startswith(national.url)
    assert Payment.objects.count() == 1


def test_demo_bank_page_works_from_its_signed_address_alone(owed_dossier: Any) -> None:
    """A mobile app holding only an API token opens the checkout address in a browser with no
    session of ours: the page and the return work; a forged or another payment's address does not."""
    payment = payment_start(dossier=owed_dossier, user=owed_dossier.applicant, client_ip=None)
    checkout = DemoGateway().checkout_url(payment, return_url="")
    browser = Client()  # no session
    page = browser.get(checkout)
    assert page.status_code == 200 and payment.reference in page.content.decode()
    assert owed_dossier.applicant.get_full_name() not in page.content.decode()
    forged = reverse("payments:demo_checkout", args=[f"{payment.reference}-{'0' * 32}"])
    assert browser.get(forged).status_code == 404 and browser.post(forged, {"action": "pay"}).status_code == 404
    back = browser.post(checkout, {"action": "pay"})
    assert back.status_code == 302
    returned = browser.get(back["Location"])
    assert returned.status_code == 200 and "Đã thanh toán" in returned.content.decode()
    # Without the applicant's session the return shows the status, not the dossier or receipt.
    assert owed_dossier.code not in returned.content.decode()
    assert Receipt.objects.filter(dossier=owed_dossier).count() == 1
