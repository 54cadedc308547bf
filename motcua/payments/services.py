"""Recording that a dossier's fees are paid: the one path every channel ends in."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.audit import audit_record
from motcua.dossiers.processing import return_online_when_paid
from motcua.dossiers.transitions import dossier_lock
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record
from motcua.payments.constants import ONLINE_METHODS, PaymentStatus
from motcua.payments.models import Payment, Receipt
from motcua.payments.receipts import receipt_issue

logger = logging.getLogger(__name__)


def payment_paid(*, payment: Payment, actor: Any, transaction_no: str = "", bank_code: str = "") -> Receipt:
    """Mark a locked pending payment paid, issue its receipt and record FEES_PAID, in the
    caller's transaction (the dossier row is locked first, as every dossier change does).
    A result issued for online delivery that waited only for the fees is then returned."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("payment_paid must run inside the transaction that locked the payment.")
    dossier = dossier_lock(dossier_id=payment.dossier_id)
    now = timezone.now()
    payment.status = PaymentStatus.PAID
    payment.paid_at = now
    payment.transaction_no = transaction_no or payment.transaction_no
    payment.bank_code = bank_code or payment.bank_code
    payment.save(update_fields=["status", "paid_at", "transaction_no", "bank_code"])
    dossier.fees_paid_at = now
    dossier.revision += 1
    dossier.save(update_fields=["fees_paid_at", "revision", "updated_at"])
    receipt = receipt_issue(payment=payment, actor=actor)
    audit_record(actor=actor, action="payment.paid", obj=payment, summary={"amount": payment.amount})
    domain_event_record(
        dossier=dossier,
        kind=EventKind.FEES_PAID,
        actor=actor,
        payload={
            "amount": payment.amount,
            "paid_at": now,
            "method": payment.method,
            "online": payment.method in ONLINE_METHODS,
            "agency_code": dossier.agency.code,
            "receipt": str(receipt),
        },
    )
    # The system delivers it, as at issue; the payer (or the cashier) did not return a result.
    # In a savepoint: the money arrived whatever happens to the delivery, and a gateway notice
    # must not be refused because a result file could not be copied (the step stays open).
    try:
        with transaction.atomic():
            return_online_when_paid(dossier=dossier, actor="system")
    except Exception:
        logger.exception("dossier %s paid, but its online result could not be returned", dossier.pk)
    return receipt
