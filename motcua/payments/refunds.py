"""Refunds of a paid dossier that ends without being handled (refused at reception, withdrawn,
stopped): one refund per payment, through the gateway for online payments (the gateway job
executes it) or at the counter for cash and card, marked done by finance (docs/receipts.md)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.money import format_amount
from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.events.services import domain_event_record
from motcua.payments.constants import ONLINE_METHODS, PaymentStatus, RefundMethod, RefundStatus
from motcua.payments.models import Payment, Refund
from motcua.payments.receipts import fees_forbidden, officer_may_handle_fees

# The events after which the fees paid are given back.
REFUND_EVENTS = (EventKind.REJECTED, EventKind.WITHDRAWN, EventKind.STOPPED)
OPEN_OR_DONE = (RefundStatus.REQUESTED, RefundStatus.DONE)


def refund_promise(dossier: Any) -> str:
    """What the applicant of a dossier refused at reception is told about the fees they paid:
    how and when they get them back ('' when nothing was paid). The refund itself follows from
    the refusal's event (refund_on_dossier_end); this reads the payment it will refund."""
    payment = Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID).first()
    if payment is None:
        return ""
    amount = format_amount(payment.amount)
    if payment.method in ONLINE_METHODS:
        # The sweep job sends gateway refunds within minutes (MOTCUA_PAYMENT_SWEEP_SECONDS).
        return _(
            "Phí, lệ phí đã nộp (%(amount)s) được hoàn tự động trong ngày qua cổng thanh toán về tài khoản, "
            "thẻ đã dùng để thanh toán; thời gian tiền về tài khoản tùy ngân hàng."
        ) % {"amount": amount}
    return _(
        "Phí, lệ phí đã nộp (%(amount)s) được hoàn bằng tiền mặt tại Bộ phận Một cửa của %(agency)s "
        "khi ông/bà đến nhận trong giờ hành chính (mang theo biên lai thu phí)."
    ) % {"amount": amount, "agency": dossier.agency.name}


def refund_request(*, payment: Payment, reason: str, actor: Any) -> Refund:
    """The refund of a paid payment, asked once: asking again returns the same refund (the
    constraint settles two requests at once). Runs in the caller's transaction."""
    existing = Refund.objects.filter(payment=payment, status__in=OPEN_OR_DONE).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                payment=payment,
                amount=payment.amount,
                reason=reason,
                method=RefundMethod.GATEWAY if payment.method in ONLINE_METHODS else RefundMethod.COUNTER,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        return Refund.objects.get(payment=payment, status__in=OPEN_OR_DONE)
    audit_record(actor=actor, action="refund.requested", obj=refund, summary={"amount": refund.amount})
    return refund


def refund_on_dossier_end(event: DomainEvent) -> None:
    """Subscriber: a paid dossier refused, withdrawn or stopped gets its fees back."""
    payment = Payment.objects.filter(dossier_id=event.dossier_id, status=PaymentStatus.PAID).first()
    if payment is None:
        return
    reason = _("Hoàn phí, lệ phí: %(event)s") % {"event": EventKind(event.kind).label}
    refund_request(payment=payment, reason=reason, actor=event.actor or event.actor_label)


def refund_mark_done(*, refund: Refund, officer: Any, note: str = "") -> Refund:
    """Finance records that a counter refund was paid back to the person ("Đã hoàn tiền")."""
    agency_id = refund.payment.dossier.agency_id
    if not officer_may_handle_fees(officer=officer, agency_id=agency_id):
        raise fees_forbidden(officer=officer, obj=refund, attempted="refund_done")
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.method != RefundMethod.COUNTER:
            raise ApplicationError(
                _("Khoản hoàn qua cổng thanh toán do hệ thống tự thực hiện."), code="refund_not_counter"
            )
        if locked.status != RefundStatus.REQUESTED:
            raise ApplicationError(_("Khoản hoàn tiền này đã được xử lý."), code="refund_not_open")
        locked.status = RefundStatus.DONE
        locked.done_at = timezone.now()
        locked.done_by = officer
        locked.failure = ""
        locked.save(update_fields=["status", "done_at", "done_by", "failure"])
        audit_record(actor=officer, action="refund.done", obj=locked, summary={"note": note.strip()})
        refund_done_record(refund=locked, actor=officer)
        return locked


def refund_done_record(*, refund: Refund, actor: Any) -> None:
    """The money went back (at the counter or through the gateway): the dossier's REFUNDED
    event, in the caller's transaction; its subscribers tell the applicant."""
    domain_event_record(
        dossier=refund.payment.dossier,
        kind=EventKind.REFUNDED,
        actor=actor,
        payload={"refund_id": refund.pk, "amount": refund.amount, "method": refund.method, "done_at": refund.done_at},
    )
