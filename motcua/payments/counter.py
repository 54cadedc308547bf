"""Fees paid at the counter (cash or the card terminal), recorded by the officer who took the
money: the same path and the same receipt as an online payment (services.payment_paid)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import dossier_lock
from motcua.payments.constants import PaymentMethod, PaymentStatus
from motcua.payments.models import Payment, Receipt
from motcua.payments.online import dossier_owed_amount, payment_reference
from motcua.payments.receipts import fees_forbidden, officer_may_handle_fees
from motcua.payments.services import payment_paid

COUNTER_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD)


def counter_payment_record(*, dossier: Dossier, officer: Any, method: str, revision: int | None) -> Receipt:
    """Record what the dossier owes as paid at the counter and issue its receipt."""
    if not officer_may_handle_fees(officer=officer, agency_id=dossier.agency_id):
        raise fees_forbidden(officer=officer, obj=dossier, attempted="counter_payment")
    if method not in COUNTER_METHODS:
        raise ApplicationError(_("Hãy chọn hình thức thu: tiền mặt hoặc thẻ."), code="method_invalid")
    with transaction.atomic():
        # The dossier's lock serialises two officers (or an officer and a gateway notice): the
        # second one finds the fees paid; a resubmitted form fails the revision check first.
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        amount = dossier_owed_amount(locked)
        # An online attempt left open is closed: its late notice is then answered "paid
        # another way" and refunded, never applied twice.
        Payment.objects.filter(dossier=locked, status=PaymentStatus.PENDING).update(status=PaymentStatus.SUPERSEDED)
        payment = Payment.objects.create(
            dossier=locked,
            reference=payment_reference(),
            method=method,
            amount=amount,
            lines=locked.fee_lines,
            recorded_by=officer,
        )
        return payment_paid(payment=payment, actor=officer)
