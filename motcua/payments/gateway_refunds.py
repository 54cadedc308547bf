"""Executing refunds through the gateway: the Refund rows the receipts side creates (method
gateway, status requested) are sent with the gateway's refund call, one at a time under the
row's lock, so a refund asked twice is sent once; an unreachable gateway is retried by the
sweep, a refusal is recorded for finance."""

import logging

from django.db import transaction
from django.utils import timezone

from motcua.core.audit import audit_record
from motcua.payments.constants import RefundMethod, RefundStatus
from motcua.payments.gateways import GatewayError, gateways
from motcua.payments.models import Refund
from motcua.payments.refunds import refund_done_record

logger = logging.getLogger(__name__)

# After this many unreachable attempts the refund is marked failed for finance to handle.
MAX_ATTEMPTS = 5


def gateway_refund_execute(*, refund_id: int) -> Refund | None:
    """Send one requested gateway refund; None when another worker has it or it is done."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("payment", "requested_by")
            .filter(pk=refund_id, method=RefundMethod.GATEWAY, status=RefundStatus.REQUESTED)
            .first()
        )
        if refund is None:
            return None
        payment = refund.payment
        refund.attempts += 1
        actor_name = refund.requested_by.get_username() if refund.requested_by else "motcua"
        try:
            outcome = gateways.get(payment.gateway).refund(
                payment, amount=refund.amount, reason=refund.reason, actor_name=actor_name
            )
        except GatewayError as error:
            refund.failure = str(error)
            if refund.attempts >= MAX_ATTEMPTS:
                refund.status = RefundStatus.FAILED
            refund.save(update_fields=["attempts", "failure", "status"])
            logger.warning("Gateway refund %s not sent (attempt %s): %s", refund.pk, refund.attempts, error)
            return refund
        if outcome.succeeded:
            refund.status = RefundStatus.DONE
            refund.done_at = timezone.now()
            refund.gateway_reference = outcome.gateway_reference
            refund.failure = ""
        else:
            refund.status = RefundStatus.FAILED
            refund.failure = outcome.message
        refund.save(update_fields=["attempts", "status", "done_at", "gateway_reference", "failure"])
        if refund.status == RefundStatus.DONE:
            refund_done_record(refund=refund, actor=None)
        audit_record(
            actor=None,
            action="refund.gateway",
            obj=refund,
            summary={"status": refund.status, "amount": refund.amount, "message": outcome.message},
        )
        return refund


def gateway_refunds_due() -> int:
    """Send every requested gateway refund; how many were settled (done or failed)."""
    settled = 0
    for refund_id in Refund.objects.filter(method=RefundMethod.GATEWAY, status=RefundStatus.REQUESTED).values_list(
        "pk", flat=True
    ):
        refund = gateway_refund_execute(refund_id=refund_id)
        if refund is not None and refund.status != RefundStatus.REQUESTED:
            settled += 1
    return settled
