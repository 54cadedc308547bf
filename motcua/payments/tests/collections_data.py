"""Known payments for the collections report and the payments API tests: dossiers that owe fees
of both types, paid through `services.payment_paid` (the one real path) at chosen instants."""

import datetime
from typing import Any

import time_machine
from django.db import transaction

from motcua.catalog.constants import FeeKind
from motcua.directory.models import Agency
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import submitted_dossier
from motcua.payments.constants import ONLINE_METHODS, RefundMethod, RefundStatus
from motcua.payments.models import Payment, Receipt, ReceiptSeries, Refund
from motcua.payments.online import payment_reference
from motcua.payments.services import payment_paid


def fee_line(kind: str, amount: int, name: str = "") -> dict[str, Any]:
    return {
        "fee_id": 0,
        "kind": kind,
        "name": name or ("Lệ phí đăng ký" if kind == FeeKind.FEE else "Phí cấp bản sao"),
        "unit_amount": amount,
        "quantity": 1,
        "reduction_percent": 0,
        "reduction_reason": "",
        "amount": amount,
        "explanation": f"{amount} đồng",
    }


def series_for(agency: Agency) -> ReceiptSeries:
    return ReceiptSeries.objects.get_or_create(
        agency=agency, active=True, defaults={"template_code": "01BLP0-001", "symbol": f"{agency.code[:6]}-26E"}
    )[0]


def owing_dossier(applicant: Any, version: Any, *, agency: Agency, fee: int, charge: int) -> Dossier:
    """A handed-in dossier of `agency` that owes `fee` đồng of lệ phí and `charge` of phí."""
    dossier = submitted_dossier(applicant, version)
    lines = [fee_line(kind, amount) for kind, amount in ((FeeKind.FEE, fee), (FeeKind.CHARGE, charge)) if amount]
    Dossier.objects.filter(pk=dossier.pk).update(agency=agency, fees_due=fee + charge, fee_lines=lines)
    series_for(agency)
    return Dossier.objects.get(pk=dossier.pk)


def paid(dossier: Dossier, *, method: str, at: datetime.datetime, actor: Any = None) -> Receipt:
    """Pay the dossier's fees by `method` at the instant `at`, with its receipt."""
    with time_machine.travel(at, tick=False), transaction.atomic():
        payment = Payment.objects.create(
            dossier=dossier,
            reference=payment_reference(),
            method=method,
            gateway="demo" if method in ONLINE_METHODS else "",
            amount=dossier.fees_due,
            lines=dossier.fee_lines,
            payer=dossier.applicant,
        )
        return payment_paid(payment=payment, actor=actor or dossier.applicant)


def refunded(receipt: Receipt, *, at: datetime.datetime) -> Refund:
    return Refund.objects.create(
        payment=receipt.payment,
        amount=receipt.amount,
        reason="Hồ sơ bị từ chối",
        method=RefundMethod.COUNTER,
        status=RefundStatus.DONE,
        done_at=at,
    )
