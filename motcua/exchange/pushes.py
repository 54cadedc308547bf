"""Results pushed to sector systems (civil status, residence): an outbox, delivered after commit.

When a dossier's result is issued (the RESULT_ISSUED event), the subscriber below records a
ResultPush in the same transaction if the procedure's field has a sector system
(MOTCUA_EXCHANGE_RESULT_SERVICES, by field code). After the commit `result_push_send` delivers it
(delivery.py); a failure (the system answers 500, times out, answers garbage) leaves it pending with a backoff,
and the periodic `result_pushes_deliver_due` tries again until the system confirms, so nothing
is lost. Each attempt, failed or not, is one line of the exchange log.

At most once on the receiving side: the idempotency key (dossier code and service) goes with
every attempt, and the sector system answers a key it has already recorded with the same
reference instead of recording the result again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from motcua.core.tasks import enqueue_on_commit
from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent
from motcua.events.services import subscriber
from motcua.exchange.models import ResultPush
from motcua.exchange.tasks import result_push_send


def result_push_service(field_code: str) -> str | None:
    """The service receiving results of a procedure in `field_code`; None for no sector system."""
    return settings.MOTCUA_EXCHANGE_RESULT_SERVICES.get(field_code)


def _payload(dossier: Any, key: str) -> dict[str, Any]:
    """What the sector system needs to record the result: codes, the person, the paper."""
    version = dossier.procedure_version
    profile = getattr(dossier.applicant, "citizen", None)
    document = dossier.result_document
    return {
        "idempotency_key": key,
        "dossier_code": dossier.code,
        "procedure_code": version.procedure.code,
        "field_code": version.field.code,
        "agency_code": dossier.agency.code,
        "outcome": dossier.outcome,
        "processed_at": (dossier.processed_at or timezone.now()).isoformat(),
        "applicant": {
            "id_number": profile.id_number if profile else None,
            "full_name": profile.full_name if profile else dossier.applicant.get_full_name(),
        },
        "result": {
            "title": document.title,
            "number": document.number,
            "issued_at": document.issued_at.isoformat() if document.issued_at else None,
            "verification_code": document.verification_code,
        }
        if document
        else None,
    }


@subscriber(EventKind.RESULT_ISSUED)
def result_push_record(event: DomainEvent) -> None:
    """In the transaction issuing the result: record the push, queue its delivery after commit."""
    dossier: Any = event.dossier
    service = result_push_service(dossier.procedure_version.field.code)
    if service is None:
        return
    key = f"{dossier.code or dossier.pk}:{service}"
    push, created = ResultPush.objects.get_or_create(
        idempotency_key=key, defaults={"dossier": dossier, "service": service, "payload": _payload(dossier, key)}
    )
    if created:
        enqueue_on_commit(result_push_send, push_ids=[push.pk])
