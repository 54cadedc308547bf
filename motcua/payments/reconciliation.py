"""The daily comparison of a gateway's transaction report with our payments: every difference
becomes a ReconciliationFinding for finance staff. A day is compared once: the run row is
claimed first (unique per gateway and day) in the transaction that writes the findings, so a
second worker waits and then finds it taken, and a gateway that cannot be reached leaves no run
behind (the next hourly try does it)."""

import datetime
import logging
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction

from motcua.payments.constants import FindingKind, PaymentStatus
from motcua.payments.gateways import GatewayError, ReportedTransaction, gateways
from motcua.payments.models import Payment, ReconciliationFinding, ReconciliationRun

logger = logging.getLogger(__name__)
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _ours(payment: Payment) -> dict[str, Any]:
    return {
        "amount": payment.amount,
        "status": payment.status,
        "transaction_no": payment.transaction_no,
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
    }


def _theirs(line: ReportedTransaction) -> dict[str, Any]:
    return {
        "amount": line.amount,
        "succeeded": line.succeeded,
        "transaction_no": line.transaction_no,
        "paid_at": line.paid_at.isoformat() if line.paid_at else None,
    }


def _findings(run: ReconciliationRun, report: list[ReportedTransaction]) -> list[ReconciliationFinding]:
    start = datetime.datetime.combine(run.day, datetime.time(), tzinfo=VIETNAM)
    paid_that_day = Payment.objects.filter(
        gateway=run.gateway, status=PaymentStatus.PAID, paid_at__gte=start, paid_at__lt=start + datetime.timedelta(1)
    )
    succeeded = {line.reference: line for line in report if line.succeeded}
    ours = {p.reference: p for p in Payment.objects.filter(gateway=run.gateway, reference__in=list(succeeded))}
    findings = []
    for reference, line in succeeded.items():
        payment = ours.get(reference)
        if payment is None:
            kind = FindingKind.MISSING_HERE
        elif payment.amount != line.amount:
            kind = FindingKind.AMOUNT
        elif payment.status != PaymentStatus.PAID:
            kind = FindingKind.STATUS
        else:
            run.matched += 1
            continue
        findings.append(
            ReconciliationFinding(
                run=run,
                kind=kind,
                reference=reference,
                payment=payment,
                ours=_ours(payment) if payment else {},
                theirs=_theirs(line),
            )
        )
    findings.extend(
        ReconciliationFinding(run=run, kind=FindingKind.MISSING_THERE, reference=p.reference, payment=p, ours=_ours(p))
        for p in paid_that_day
        if p.reference not in succeeded
    )
    return findings


def reconcile_day(*, gateway_key: str, day: datetime.date) -> ReconciliationRun | None:
    """Compare `day` (Vietnam time) once; None when it was already done or the report could
    not be fetched."""
    try:
        with transaction.atomic():
            run = ReconciliationRun.objects.create(gateway=gateway_key, day=day)
            report = gateways.get(gateway_key).transactions(day)
            ReconciliationFinding.objects.bulk_create(_findings(run, report))
            run.save(update_fields=["matched", "ran_at"])
            return run
    except IntegrityError:
        return None
    except GatewayError as error:
        logger.warning("Reconciliation of %s for %s not done: %s", gateway_key, day, error)
        return None
