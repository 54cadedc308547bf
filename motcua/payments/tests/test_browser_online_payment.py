"""Issue 14's "done when": on a phone, Hùng registers his son's birth asking for two copies and
pays 16,000 đ through VNPay's protocol on the simulator's page; he sees "Đã thanh toán" and the
receipt's number. Asking for no copy, he owes nothing and is offered no payment."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from motcua.accounts.testing import CALLBACK_PATH, provider_settings, register_client
from motcua.catalog.constants import FeeBasis, PaymentTiming
from motcua.catalog.fees import version_fee_quote
from motcua.core.testing import small_pdf
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import HUNG_VNEID_CLAIMS, PHONE_VIEWPORT, birth_registration_by_father, vneid_login
from motcua.payments.constants import PaymentStatus
from motcua.payments.models import Payment, Receipt
from motcua.payments.vnpay_simulator import VNPaySimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def per_copy_fee(real_birth_registration: Any) -> Any:
    """The copy fee counted per copy asked for, paid at submission (the "fees" work makes this
    the catalogue's rule; set here so this test stands on its own)."""
    from motcua.catalog.models import Procedure

    version = Procedure.objects.get(code="1.001193").current_version
    version.fees.filter(amount=8000).update(basis=FeeBasis.PER_UNIT, quantity_field="copies")
    version.payment_timing = PaymentTiming.SUBMISSION
    version.save(update_fields=["payment_timing"])
    return version


def _freeze_fees(dossier: Dossier) -> Dossier:
    """What submission does once fees are frozen there (the "fees" work): the quote of the answers."""
    quote = version_fee_quote(version=dossier.procedure_version, answers=dossier.form_data, channel=dossier.channel)
    dossier.fees_due = quote.total
    dossier.fee_lines = quote.as_json()
    dossier.save(update_fields=["fees_due", "fee_lines"])
    return dossier


def _journey(
    page: Page, live_server: Any, oidc_server: Any, settings: Any, sms: Any, tmp_path: Any, copies: int
) -> Dossier:
    page.set_viewport_size(PHONE_VIEWPORT)
    provider = register_client(oidc_server, f"{live_server.url}{CALLBACK_PATH}")
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(provider)
    provider.put_user("vneid-hung", HUNG_VNEID_CLAIMS)
    vneid_login(page, live_server.url, sub="vneid-hung")
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(small_pdf())
    dossier = birth_registration_by_father(page, live_server.url, sms=sms, scan=scan, copies=copies)
    return _freeze_fees(dossier)


def test_citizen_pays_two_copies_through_vnpay_on_a_phone(
    page: Page,
    live_server: Any,
    oidc_server: Any,
    settings: Any,
    sms_simulator: Any,
    population_simulator: Any,
    per_copy_fee: Any,
    tmp_path: Any,
) -> None:
    with VNPaySimulator(ipn_url=live_server.url + reverse("payments:online_ipn_vnpay")) as vnpay:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "payments": "vnpay"}
        settings.MOTCUA_VNPAY_TMN_CODE = vnpay.tmn_code
        settings.MOTCUA_VNPAY_HASH_SECRET = vnpay.hash_secret
        settings.MOTCUA_VNPAY_PAY_URL = vnpay.pay_url
        settings.MOTCUA_VNPAY_API_URL = vnpay.api_url
        dossier = _journey(page, live_server, oidc_server, settings, sms_simulator, tmp_path, copies=2)
        assert dossier.fees_due == 16000

        page.goto(live_server.url + reverse("dossiers:detail", args=[dossier.pk]))
        owed = page.get_by_test_id("fees-owed")
        expect(owed).to_contain_text("16.000")
        owed.get_by_role("button", name="Thanh toán").click()

        # VNPay's page (the simulator), then back to the site.
        expect(page.get_by_text("16.000 VND")).to_be_visible()
        page.get_by_role("button", name="Thanh toán").click()
        expect(page.get_by_test_id("payment-status")).to_have_text("Đã thanh toán")
        receipt = Receipt.objects.get(dossier=dossier)
        expect(page.get_by_test_id("receipt-number")).to_have_text(
            f"ký hiệu {receipt.series.symbol} số {receipt.number:07d}"
        )
        assert receipt.amount == 16000 and receipt.number == 1
        assert Payment.objects.get(dossier=dossier).status == PaymentStatus.PAID
        assert any(answer.get("RspCode") in ("00", "02") for answer in vnpay.ipn_answers) or vnpay.ipn_outbox
        page.goto(live_server.url + reverse("dossiers:detail", args=[dossier.pk]))
        expect(page.get_by_test_id("fees-owed")).to_have_count(0)


def test_no_copy_asked_means_nothing_to_pay(
    page: Page,
    live_server: Any,
    oidc_server: Any,
    settings: Any,
    sms_simulator: Any,
    population_simulator: Any,
    per_copy_fee: Any,
    tmp_path: Any,
) -> None:
    dossier = _journey(page, live_server, oidc_server, settings, sms_simulator, tmp_path, copies=0)
    assert dossier.fees_due == 0
    page.goto(live_server.url + reverse("dossiers:detail", args=[dossier.pk]))
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier.code}")).to_be_visible()
    expect(page.get_by_test_id("fees-owed")).to_have_count(0)
    expect(page.get_by_role("button", name="Thanh toán")).to_have_count(0)
