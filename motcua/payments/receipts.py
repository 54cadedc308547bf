"""Electronic receipts (biên lai điện tử, docs/receipts.md): numbered without gaps per series
under concurrency, cancelled and replaced with a reason, never deleted."""

import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.directory.models import Agency, StaffRole
from motcua.directory.selectors import agencies_overseen
from motcua.dossiers.slips import applicant_name
from motcua.payments.constants import ReceiptStatus
from motcua.payments.models import Payment, Receipt, ReceiptLine, ReceiptSeries

# Who handles an agency's money: its one-stop officers (they collect at the counter) and its
# finance staff (they keep the series, cancel receipts, refund and reconcile).
FEE_ROLES = (Role.RECEPTION, Role.FINANCE)


def officer_may_handle_fees(*, officer: Any, agency_id: int) -> bool:
    return StaffRole.objects.filter(user=officer, role__in=FEE_ROLES, agency_id=agency_id).exists()


def fee_agencies(officer: Any) -> QuerySet[Agency] | None:
    """The agencies whose payments the officer sees (None: every agency, for superusers and the
    province-wide roles)."""
    return agencies_overseen(user=officer, roles=FEE_ROLES)


class FeesForbidden(ApplicationError):
    """The officer has no part in the agency's money (the views answer 403)."""


def fees_forbidden(*, officer: Any, obj: Any, attempted: str) -> FeesForbidden:
    """Record a refused attempt on its own (outside the refused action's transaction)."""
    with transaction.atomic():
        audit_record(actor=officer, action="payments.forbidden", obj=obj, summary={"attempted": attempted})
    return FeesForbidden(
        _("Chỉ cán bộ một cửa hoặc kế toán thu phí của cơ quan thu được thực hiện thao tác này."),
        code="fees_forbidden",
    )


def receipt_series_ensure(*, agency: Agency, actor: Any) -> ReceiptSeries:
    """The agency's active series, made if it has none (demo and test worlds; a real agency
    declares its registered series in the admin)."""
    with transaction.atomic():
        series = ReceiptSeries.objects.filter(agency=agency, active=True).first()
        if series is None:
            year = timezone.localdate().strftime("%y")
            series = ReceiptSeries.objects.create(agency=agency, template_code="1", symbol=f"K{year}TBL")
            audit_record(actor=actor, action="receipt_series.created", obj=series, summary={"agency": agency.code})
        return series


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


def receipt_issue(
    *, payment: Payment, actor: Any, replaces: Receipt | None = None, payer: str = "", address: str = ""
) -> Receipt:
    """Issue the receipt of a paid payment inside the caller's transaction; a replacement may
    correct the payer's name and address as printed."""
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
        payer_name=payer or (replaces.payer_name if replaces else applicant_name(dossier)),
        payer_address=address or (replaces.payer_address if replaces else ""),
        amount=payment.amount,
        method=payment.method,
        issued_at=timezone.now(),
        # The officer who took the money at the counter; online receipts are the agency's own.
        issued_by=payment.recorded_by,
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


def receipt_cancel_replace(
    *, receipt: Receipt, officer: Any, reason: str, payer: str = "", address: str = ""
) -> Receipt:
    """Cancel an issued receipt with a reason and issue its replacement (a new number, linked
    by `replaces`), with the payer's name or address corrected when given; the cancelled one
    stays, marked, for the books and its QR code."""
    text = reason.strip()
    if not text:
        raise ApplicationError(_("Hãy ghi lý do hủy biên lai."), code="reason_required")
    if not officer_may_handle_fees(officer=officer, agency_id=receipt.agency_id):
        raise fees_forbidden(officer=officer, obj=receipt, attempted="receipt_cancel")
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().select_related("payment").get(pk=receipt.pk)
        if locked.status != ReceiptStatus.ISSUED:
            raise ApplicationError(_("Biên lai này đã bị hủy trước đó."), code="receipt_already_cancelled")
        locked.status = ReceiptStatus.CANCELLED
        locked.cancel_reason = text
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = officer
        locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
        audit_record(actor=officer, action="receipt.cancelled", obj=locked, summary={"reason": text})
        return receipt_issue(
            payment=locked.payment,
            actor=officer,
            replaces=locked,
            payer=payer.strip()[:200],
            address=address.strip()[:500],
        )
