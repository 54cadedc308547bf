"""The applicant's fees over the API: what is owed, paying online (idempotent), the status and
the receipts; nobody else's dossier answers."""

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, CITIZEN_PASSWORD, citizen, load_catalog
from motcua.directory.models import Agency
from motcua.dossiers.services import dossier_withdraw
from motcua.payments.constants import PaymentMethod
from motcua.payments.demo_gateway import DemoGateway
from motcua.payments.models import Payment
from motcua.payments.services import payment_paid
from motcua.payments.tests.collections_data import owing_dossier, paid
from motcua.payments.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The demo bank's page belongs to the online payment views; its address is all that matters here.
    monkeypatch.setattr(
        DemoGateway,
        "checkout_url",
        lambda self, payment, *, return_url: f"/ngan-hang/{payment.reference}?r={return_url}",
    )
    load_catalog(BIRTH)
    version = Procedure.objects.get(code=BIRTH["code"]).current_version
    hung = citizen()
    ward = Agency.objects.get(code="UBND-24121")
    owing = owing_dossier(hung, version, agency=ward, fee=50_000, charge=8_000)
    free = owing_dossier(hung, version, agency=ward, fee=0, charge=0)
    other = citizen(phone="0987654321", id_number="066181000202")
    return {"hung": hung, "owing": owing, "free": free, "other": other}


def _token_client(user: Any) -> Client:
    """A client holding an API token from the token endpoint, as the mobile app does."""
    answer = Client().post(
        "/api/v1/auth/token/",
        {"phone": user.citizen.phone, "password": CITIZEN_PASSWORD},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return Client(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")


def test_fees_show_the_lines_what_is_owed_and_when(world: dict[str, Any]) -> None:
    api = _token_client(world["hung"])
    fees = api.get(f"/api/v1/dossiers/{world['owing'].pk}/fees/")
    assert fees.status_code == 200, fees.content
    body = fees.json()
    assert [(line["kind"], line["amount"]) for line in body["lines"]] == [("fee", 50_000), ("charge", 8_000)]
    assert (body["total"], body["owed"], body["paid"], body["paid_at"]) == (58_000, 58_000, False, None)
    assert body["timing"] == "acceptance" and body["timing_label"].startswith("Sau khi tiếp nhận")


def test_pay_twice_is_one_payment_then_paid_then_refused(world: dict[str, Any]) -> None:
    api = _token_client(world["hung"])
    base = f"/api/v1/dossiers/{world['owing'].pk}"
    assert api.get(f"{base}/payment/").status_code == 404
    first = api.post(f"{base}/pay/")
    second = api.post(f"{base}/pay/")
    assert first.status_code == second.status_code == 200, first.content
    assert first.json()["reference"] == second.json()["reference"]
    assert first.json()["amount"] == 58_000 and first.json()["status"] == "pending"
    assert first.json()["checkout_url"].startswith(f"http://testserver/ngan-hang/{first.json()['reference']}?r=http")
    assert Payment.objects.filter(dossier=world["owing"]).count() == 1
    assert api.get(f"{base}/payment/").json()["status"] == "pending"

    # The gateway confirms (its notice is the gateway helper's business): the one paid path.
    with transaction.atomic():
        pending = Payment.objects.select_for_update().get(reference=first.json()["reference"])
        receipt = payment_paid(payment=pending, actor=world["hung"], transaction_no="DEMO1")
    status = api.get(f"{base}/payment/").json()
    assert status["status"] == "paid" and status["paid_at"] and status["refund"] is None
    fees = api.get(f"{base}/fees/").json()
    assert (fees["paid"], fees["owed"]) == (True, 0)
    again = api.post(f"{base}/pay/")
    assert again.status_code == 400 and again.json()["code"] == "fees_already_paid"
    assert again["Content-Type"] == "application/problem+json"

    receipts = api.get(f"{base}/receipts/").json()
    assert [(r["id"], r["number"], r["amount"], r["status"]) for r in receipts] == [
        (receipt.pk, receipt.number, 58_000, "issued")
    ]
    assert {line["kind"]: line["amount"] for line in receipts[0]["lines"]} == {"fee": 50_000, "charge": 8_000}
    one = api.get(f"{base}/receipts/{receipt.pk}/").json()
    assert (one["template_code"], one["symbol"], one["agency"]) == (
        receipt.series.template_code,
        receipt.series.symbol,
        "UBND phường Tân Lập",
    )
    assert one["verify_url"].endswith(f"/bien-lai/{receipt.token}/")
    pdf = api.get(f"{base}/receipts/{receipt.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "Năm mươi tám nghìn đồng" in pdf_text(pdf.content)


def test_nothing_owed_cannot_be_paid(world: dict[str, Any]) -> None:
    answer = _token_client(world["hung"]).post(f"/api/v1/dossiers/{world['free'].pk}/pay/")
    assert answer.status_code == 400 and answer.json()["code"] == "fees_none"
    assert not Payment.objects.exists()


def test_only_the_applicant_reaches_the_fees(world: dict[str, Any]) -> None:
    receipt = paid(world["owing"], method=PaymentMethod.CASH, at=timezone.now())
    base = f"/api/v1/dossiers/{world['owing'].pk}"
    paths = ["fees/", "payment/", "receipts/", f"receipts/{receipt.pk}/"]
    stranger = _token_client(world["other"])
    for path in paths:
        answer = stranger.get(f"{base}/{path}")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", path
    assert stranger.post(f"{base}/pay/").status_code == 404
    anonymous = Client()
    for path in paths:
        assert anonymous.get(f"{base}/{path}").status_code == 401
    assert anonymous.post(f"{base}/pay/").status_code == 401
    # A receipt of one's own dossier is not reachable through another of one's dossiers.
    hung = _token_client(world["hung"])
    assert hung.get(f"/api/v1/dossiers/{world['free'].pk}/receipts/{receipt.pk}/").status_code == 404
    assert Payment.objects.count() == 1


def test_fees_report_the_refund_of_a_withdrawn_dossier(world: dict[str, Any]) -> None:
    api = _token_client(world["hung"])
    base = f"/api/v1/dossiers/{world['owing'].pk}"
    assert api.get(f"{base}/fees/").json()["refunds"] == []
    reference = api.post(f"{base}/pay/").json()["reference"]
    with transaction.atomic():
        pending = Payment.objects.select_for_update().get(reference=reference)
        payment_paid(payment=pending, actor=world["hung"], transaction_no="DEMO2")
    dossier_withdraw(dossier=world["owing"], actor=world["hung"], reason="Nộp nhầm thủ tục")
    refunds = api.get(f"{base}/fees/").json()["refunds"]
    assert len(refunds) == 1 and refunds[0]["requested_at"] and refunds[0]["done_at"] is None
    assert {key: refunds[0][key] for key in ("amount", "status", "status_label", "method", "method_label")} == {
        "amount": 58_000,
        "status": "requested",
        "status_label": "Chờ hoàn tiền",
        "method": "gateway",
        "method_label": "Hoàn qua cổng thanh toán",
    }
    # The payment itself says it was refunded, not just "paid".
    status = api.get(f"{base}/payment/").json()
    assert status["status"] == "paid"
    assert {key: status["refund"][key] for key in ("amount", "status", "method")} == {
        "amount": 58_000,
        "status": "requested",
        "method": "gateway",
    }
