"""Periodic jobs of online payments (MOTCUA_PERIODIC_TASKS)."""

import datetime

from django.conf import settings
from django.utils import timezone

from motcua.core.tasks import task
from motcua.payments.constants import ONLINE_METHODS, NoticeVerdict, PaymentStatus
from motcua.payments.gateway_refunds import gateway_refunds_due
from motcua.payments.models import Payment
from motcua.payments.notices import payment_settle
from motcua.payments.reconciliation import VIETNAM, reconcile_day

# A pending payment is first asked about this long after it started (the IPN usually comes
# within seconds), then at most once per interval.
QUERY_AFTER = datetime.timedelta(minutes=2)


def payments_settle_and_expire() -> dict[str, int]:
    """Ask the gateway about pending online payments the IPN never confirmed; close those past
    their time that the gateway does not call paid. Each settle takes the payment's lock."""
    now = timezone.now()
    settled = expired = 0
    pending = Payment.objects.filter(
        status=PaymentStatus.PENDING, method__in=ONLINE_METHODS, created_at__lte=now - QUERY_AFTER
    ).exclude(queried_at__gt=now - QUERY_AFTER)
    for payment in pending.order_by("created_at")[:200]:
        outcome = payment_settle(payment=payment)
        if outcome is not None and outcome.payment is not None and outcome.verdict == NoticeVerdict.APPLIED:
            settled += 1
            continue
        # Expire only what the gateway answered about and does not call paid (not when it is down).
        if payment.expires_at is not None and payment.expires_at <= now and outcome is not None:
            expired += Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.EXPIRED
            )
    return {"settled": settled, "expired": expired}


@task()
def payments_sweep_due() -> dict[str, int]:
    return {**payments_settle_and_expire(), "refunds": gateway_refunds_due()}


@task()
def payments_reconcile_yesterday() -> dict[str, object]:
    """Compare yesterday (Vietnam time) with the gateway's report; a no-op once it is done."""
    gateway_key = settings.MOTCUA_PLUGINS.get("payments", "demo")
    day = timezone.now().astimezone(VIETNAM).date() - datetime.timedelta(days=1)
    run = reconcile_day(gateway_key=gateway_key, day=day)
    if run is None:
        return {"reconciliation": f"{day} done or not possible yet"}
    return {"day": str(day), "matched": run.matched, "findings": run.findings.count()}
