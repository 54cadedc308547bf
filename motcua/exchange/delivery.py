"""Delivering the result pushes recorded by pushes.py: claim, call the sector system, record the outcome."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from motcua.exchange.client import ExchangeError, exchange_transports, invalid_answer
from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose, PushStatus, SubjectKind
from motcua.exchange.models import ResultPush
from motcua.exchange.services import ExchangeContext, exchange_logged
from motcua.notifications.outbox import backoff

logger = logging.getLogger(__name__)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=2 * settings.MOTCUA_HTTP_TIMEOUT_SECONDS + 30)


def _due(now: datetime.datetime) -> Q:
    return Q(status=PushStatus.PENDING, next_attempt_at__lte=now) | Q(status=PushStatus.SENDING, locked_until__lt=now)


def result_pushes_deliver(*, push_ids: Sequence[int] | None = None, limit: int = 100) -> dict[str, int]:
    """Deliver the pushes that are due (only `push_ids` when given); never raises for a failure.

    Each row is claimed by one conditional UPDATE (pending → sending with a lease), so several
    workers may run this at once; the outcome is written only while the claim is still ours.
    """
    report = {"delivered": 0, "retrying": 0}
    now = timezone.now()
    due = ResultPush.objects.filter(_due(now))
    if push_ids is not None:
        due = due.filter(pk__in=list(push_ids))
    for pk in due.order_by("id").values_list("pk", flat=True)[:limit]:
        until = timezone.now() + _lease()
        if not ResultPush.objects.filter(_due(timezone.now()), pk=pk).update(
            status=PushStatus.SENDING, locked_until=until
        ):
            continue  # another worker has it
        push = ResultPush.objects.select_related("dossier__applicant").get(pk=pk)
        delivered = _attempt(push)
        report["delivered" if delivered else "retrying"] += 1
    return report


def _attempt(push: ResultPush) -> bool:
    claim = ResultPush.objects.filter(pk=push.pk, status=PushStatus.SENDING, locked_until=push.locked_until)
    attempts = push.attempts + 1
    applicant = push.dossier.applicant
    id_number = (push.payload.get("applicant") or {}).get("id_number") or ""

    def call() -> tuple[str, str, list[str]]:
        answer = exchange_transports.get().call(push.service, push.payload)
        reference = answer.get("reference")
        if answer.get("accepted") is not True or not isinstance(reference, str) or not reference:
            raise invalid_answer()
        return (
            reference,
            ExchangeOutcome.DELIVERED,
            [name for name in ("accepted", "duplicate", "reference") if name in answer],
        )

    try:
        reference = exchange_logged(
            service=push.service,
            context=ExchangeContext(
                purpose=ExchangePurpose.RESULT_UPDATE, dossier_id=push.dossier_id, subject_user=applicant
            ),
            subject_kind=SubjectKind.PERSON,
            subject=id_number,
            call=call,
        )
    except ExchangeError as error:
        logger.warning("Result push %s failed (attempt %s): %s", push.pk, attempts, error.code)
        claim.update(
            status=PushStatus.PENDING,
            attempts=attempts,
            next_attempt_at=timezone.now() + backoff(attempts),
            locked_until=None,
            last_error=error.message[:255],
        )
        return False
    claim.update(
        status=PushStatus.DELIVERED,
        attempts=attempts,
        delivered_at=timezone.now(),
        locked_until=None,
        last_error="",
        remote_reference=reference[:100],
    )
    return True
