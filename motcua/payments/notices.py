"""Applying what a gateway says about a payment (its IPN, or its answer when we ask): verified,
logged with its verdict, applied once. The browser's return is logged but never applied.

A notice changes a payment only while it is pending, under the payment row's lock, and only
through services.payment_paid; a replay, a notice for a paid, failed or expired order, a wrong
amount or signature change nothing and each gets the answer the gateway expects.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from motcua.dossiers.transitions import dossier_lock
from motcua.payments.constants import NoticeVerdict, PaymentStatus
from motcua.payments.gateways import GatewayError, GatewayNotice, NoticeRejected, gateways
from motcua.payments.models import Payment, PaymentNotice
from motcua.payments.services import payment_paid

logger = logging.getLogger(__name__)

# The answers VNPay's IPN specification names; the other gateways map them in notice_answer.
ANSWER_OK = "00"
ANSWER_UNKNOWN_ORDER = "01"
ANSWER_ALREADY_CONFIRMED = "02"
ANSWER_BAD_AMOUNT = "04"


class NoticeSource:
    IPN = "ipn"
    RETURN = "return"
    QUERY = "query"


@dataclass(frozen=True)
class NoticeOutcome:
    verdict: str
    answer: str
    payment: Payment | None


def _log(*, gateway_key: str, source: str, params: dict, reference: str, outcome: NoticeOutcome) -> NoticeOutcome:
    PaymentNotice.objects.create(
        gateway=gateway_key,
        source=source,
        reference=reference[:64],
        payment=outcome.payment,
        params=params,
        verdict=outcome.verdict,
        answer_code=outcome.answer,
    )
    if outcome.verdict not in (NoticeVerdict.APPLIED, NoticeVerdict.FAILED, NoticeVerdict.DUPLICATE):
        logger.warning(
            "Payment notice refused: gateway=%s source=%s reference=%s verdict=%s",
            gateway_key,
            source,
            reference[:64],
            outcome.verdict,
        )
    return outcome


def notice_apply(*, gateway_key: str, source: str, params: dict[str, str]) -> NoticeOutcome:
    """Verify a notice from the gateway (IPN) and apply it to its payment once."""
    try:
        notice = gateways.get(gateway_key).notice_verify(params)
    except NoticeRejected as rejected:
        outcome = NoticeOutcome(rejected.verdict, rejected.answer, None)
        reference = str(params.get("vnp_TxnRef") or params.get("ref") or params.get("reference") or "")
        return _log(gateway_key=gateway_key, source=source, params=params, reference=reference, outcome=outcome)
    return notice_record(gateway_key=gateway_key, source=source, notice=notice)


def notice_record(*, gateway_key: str, source: str, notice: GatewayNotice) -> NoticeOutcome:
    """Apply a verified notice to its payment under the payment's lock, and log it."""
    orders = Payment.objects.filter(reference=notice.reference, gateway=gateway_key)
    with transaction.atomic():
        # The dossier first, then the payment: the order payment_start takes them in, so a
        # click on "Thanh toán" during a notification waits instead of deadlocking.
        dossier_id = orders.values_list("dossier_id", flat=True).first()
        dossier = dossier_lock(dossier_id=dossier_id) if dossier_id is not None else None
        # Only the payment row is locked (the payer is a nullable join PostgreSQL cannot lock).
        payment = orders.select_for_update(of=("self",)).select_related("payer").first()
        outcome = _decide(payment, notice, dossier_paid=dossier is not None and dossier.fees_paid_at is not None)
        if outcome.verdict == NoticeVerdict.APPLIED and payment is not None:
            payment.response_code = notice.response_code
            payment.save(update_fields=["response_code"])
            payment_paid(
                payment=payment,
                actor=payment.payer,
                transaction_no=notice.transaction_no,
                bank_code=notice.bank_code,
            )
        elif outcome.verdict == NoticeVerdict.FAILED and payment is not None:
            payment.status = PaymentStatus.FAILED
            payment.response_code = notice.response_code
            payment.transaction_no = notice.transaction_no
            payment.save(update_fields=["status", "response_code", "transaction_no"])
        return _log(
            gateway_key=gateway_key,
            source=source,
            params=notice.params,
            reference=notice.reference,
            outcome=outcome,
        )


def _decide(payment: Payment | None, notice: GatewayNotice, *, dossier_paid: bool) -> NoticeOutcome:
    if payment is None:
        return NoticeOutcome(NoticeVerdict.UNKNOWN_ORDER, ANSWER_UNKNOWN_ORDER, None)
    if notice.amount != payment.amount:
        return NoticeOutcome(NoticeVerdict.BAD_AMOUNT, ANSWER_BAD_AMOUNT, payment)
    if payment.status == PaymentStatus.PAID:
        same = notice.succeeded and notice.transaction_no in ("", payment.transaction_no)
        return NoticeOutcome(NoticeVerdict.DUPLICATE if same else NoticeVerdict.LATE, ANSWER_ALREADY_CONFIRMED, payment)
    if payment.status != PaymentStatus.PENDING:
        # Expired or failed here: money taken now is for finance to give back (reconciliation
        # lists it); the dossier may have been paid another way meanwhile.
        verdict = NoticeVerdict.LATE if notice.succeeded else NoticeVerdict.DUPLICATE
        return NoticeOutcome(verdict, ANSWER_ALREADY_CONFIRMED, payment)
    if dossier_paid and notice.succeeded:
        return NoticeOutcome(NoticeVerdict.LATE, ANSWER_ALREADY_CONFIRMED, payment)
    if not notice.succeeded:
        return NoticeOutcome(NoticeVerdict.FAILED, ANSWER_OK, payment)
    return NoticeOutcome(NoticeVerdict.APPLIED, ANSWER_OK, payment)


def return_record(*, gateway_key: str, params: dict[str, str]) -> Payment | None:
    """The browser came back: check the signature and log it, and if the gateway says the
    payment went through but its IPN has not come, ask the gateway itself (the return alone
    never marks a payment paid). The payment, or None when the return is not genuine."""
    try:
        notice = gateways.get(gateway_key).notice_verify(params)
    except NoticeRejected as rejected:
        reference = str(params.get("vnp_TxnRef") or params.get("ref") or "")
        outcome = NoticeOutcome(rejected.verdict, rejected.answer, None)
        _log(gateway_key=gateway_key, source=NoticeSource.RETURN, params=params, reference=reference, outcome=outcome)
        return None
    payment = Payment.objects.filter(reference=notice.reference, gateway=gateway_key).first()
    PaymentNotice.objects.create(
        gateway=gateway_key,
        source=NoticeSource.RETURN,
        reference=notice.reference[:64],
        payment=payment,
        params=notice.params,
        # Logged as "seen before" whatever the browser claims: only the IPN or our query
        # changes the payment.
        verdict=NoticeVerdict.DUPLICATE if payment is not None else NoticeVerdict.UNKNOWN_ORDER,
    )
    if payment is not None and payment.status == PaymentStatus.PENDING and notice.succeeded:
        payment_settle(payment=payment)
        payment.refresh_from_db()
    return payment


def payment_settle(*, payment: Payment) -> NoticeOutcome | None:
    """Ask the gateway what became of a pending payment and apply its answer; None when the
    gateway cannot be reached (asked again later)."""
    gateway = gateways.get(payment.gateway)
    Payment.objects.filter(pk=payment.pk).update(queried_at=timezone.now())
    try:
        notice = gateway.query(payment)
    except GatewayError as error:
        logger.warning("Payment query failed: reference=%s error=%s", payment.reference, error)
        return None
    if notice is None or notice.reference != payment.reference:
        # The gateway never saw this order (the citizen did not reach its page).
        return _log(
            gateway_key=payment.gateway,
            source=NoticeSource.QUERY,
            params={},
            reference=payment.reference,
            outcome=NoticeOutcome(NoticeVerdict.UNKNOWN_ORDER, "", payment),
        )
    if not notice.succeeded:
        # Still being paid (or abandoned): it expires on its own; nothing is written but the log.
        return _log(
            gateway_key=payment.gateway,
            source=NoticeSource.QUERY,
            params=notice.params,
            reference=notice.reference,
            outcome=NoticeOutcome(NoticeVerdict.FAILED, "", payment),
        )
    return notice_record(gateway_key=payment.gateway, source=NoticeSource.QUERY, notice=notice)
