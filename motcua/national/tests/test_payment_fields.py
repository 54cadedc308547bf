"""The portal learns what the applicant owed (the lines computed from the answers, not every fee
of the procedure) and how it was paid: DuocThanhToanTrucTuyen feeds indicator 3.6."""

import pytest
from django.db import transaction

from motcua.dossiers.testing import submitted_dossier
from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.national.models import SyncItem
from motcua.payments.constants import PaymentMethod
from motcua.payments.models import Payment, ReceiptSeries
from motcua.payments.services import payment_paid

pytestmark = pytest.mark.django_db

COPIES = [
    {"kind": "fee", "name": "Lệ phí đăng ký khai sinh", "amount": 0},
    {"kind": "charge", "name": "Phí cấp bản sao", "quantity": 2, "unit_amount": 8000, "amount": 16000},
]


def _paid(dossier, method: str) -> None:  # type: ignore[no-untyped-def]
    ReceiptSeries.objects.get_or_create(
        agency=dossier.agency, defaults={"template_code": "01BLP0-001", "symbol": "TL-26E"}
    )
    dossier.fee_lines = [{"quantity": 1, "unit_amount": line["amount"], **line} for line in COPIES]
    dossier.fees_due = 16000
    dossier.save(update_fields=["fee_lines", "fees_due"])
    with transaction.atomic():
        payment = Payment.objects.create(
            dossier=dossier, reference=f"TT{dossier.pk:014d}", method=method, amount=16000, lines=dossier.fee_lines
        )
        payment_paid(payment=payment, actor=dossier.applicant, transaction_no="14000001")


@pytest.mark.parametrize(
    ("method", "code"), [(PaymentMethod.GATEWAY, 2), (PaymentMethod.NATIONAL, 1), (PaymentMethod.CASH, 0)]
)
def test_the_paid_record_says_how_it_was_paid_and_lists_only_what_was_owed(hung, birth_version, method, code) -> None:  # type: ignore[no-untyped-def]
    dossier = submitted_dossier(hung, birth_version)
    _paid(dossier, method)

    body = SyncItem.objects.get(event=DomainEvent.objects.get(dossier=dossier, kind=EventKind.FEES_PAID)).body
    record = body["HoSo"]
    assert record["DuocThanhToanTrucTuyen"] == code
    assert record["DaNopPhiLePhi"] == 1
    assert [(fee["LoaiPhiLePhi"], fee["MucPhi"]) for fee in record["DanhSachLePhi"]] == [("fee", 0), ("charge", 16000)]


def test_an_unpaid_dossier_syncs_no_online_payment(hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = submitted_dossier(hung, birth_version)
    body = SyncItem.objects.filter(event__dossier=dossier).latest("pk").body
    assert body["HoSo"]["DuocThanhToanTrucTuyen"] == 0
    assert body["HoSo"]["DaNopPhiLePhi"] == 0
