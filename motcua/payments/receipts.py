"""Electronic receipts (biên lai điện tử): numbered without gaps per series under concurrency."""

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.dossiers.slips import applicant_name
from motcua.payments.models import Payment, Receipt, ReceiptLine, ReceiptSeries


def _series_locked(agency_id: int) -> ReceiptSeries:
    """The agency's active series, locked: the next number is taken under the lock, so two
    payments at once get consecutive numbers and a rolled-back one gives its number back."""
    series = ReceiptSeries.objects.select_for_update().filter(agency_id=agency_id, active=True).first()
    if series is None:
        raise ApplicationError(
            _("Cơ quan chưa có quyển biên lai điện tử đang dùng; quản trị cơ quan cần khai báo trước khi thu."),
            code="receipt_series_missing",
        )
    return series


def receipt_issue(*, payment: Payment, actor: Any, replaces: Receipt | None = None) -> Receipt:
    """Issue the receipt of a paid payment inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_issue must run inside the transaction that records the payment.")
    dossier = payment.dossier
    series = _series_locked(dossier.agency_id)
    number = series.next_number
    series.next_number += 1
    series.save(update_fields=["next_number"])
    receipt = Receipt.objects.create(
        series=series,
        number=number,
        payment=payment,
        dossier=dossier,
        agency_id=dossier.agency_id,
        payer_name=applicant_name(dossier),
        amount=payment.amount,
        method=payment.method,
        issued_at=timezone.now(),
        issued_by=actor if getattr(actor, "is_staff", False) else None,
        token=secrets.token_urlsafe(18),
        replaces=replaces,
    )
    ReceiptLine.objects.bulk_create(
        ReceiptLine(
            receipt=receipt,
            kind=line["kind"],
            name=line["name"],
            quantity=line["quantity"],
            unit_amount=line["unit_amount"],
            amount=line["amount"],
        )
        for line in payment.lines
        if line["amount"]
    )
    audit_record(actor=actor, action="receipt.issued", obj=receipt, summary={"number": number, "series": series.pk})
    return receipt
