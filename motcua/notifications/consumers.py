"""Notifications as a consumer of the dossiers' domain events (motcua.events).

Each handler runs in the transaction of the change and records the applicant's messages in the
outbox there, so they commit with the change or not at all and are sent after commit. The
dossier code does not know this module exists: it records events, this app subscribes to them
in NotificationsConfig.ready().
"""

import datetime
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.constants import PaymentTiming
from motcua.dossiers.fees import fees_when_text
from motcua.events.constants import EventKind as K
from motcua.events.models import DomainEvent
from motcua.events.services import subscriber
from motcua.notifications.constants import NotificationEvent as E
from motcua.notifications.services import notifications_enqueue_for_dossier, notifications_enqueue_for_transition
from motcua.payments.constants import RefundMethod

# The events a status change records; their payload carries the move ({from, to, note}).
STATUS_KINDS = (
    K.SUBMITTED,
    K.SUPPLEMENTED,
    K.RECEIVED,
    K.SUPPLEMENT_REQUESTED,
    K.REJECTED,
    K.PROCESSING_STARTED,
    K.PAUSED,
    K.RESUMED,
    K.RESULT_ISSUED,
    K.RETURNED,
    K.STOPPED,
    K.WITHDRAWN,
)


@subscriber(*STATUS_KINDS)
def status_changed(event: DomainEvent) -> None:
    payload = event.payload
    notifications_enqueue_for_transition(
        dossier=event.dossier, from_status=payload["from"], to_status=payload["to"], note=payload.get("note", "")
    )
    if event.kind == K.WITHDRAWN and "request_id" in payload:
        # The agency granted the applicant's request (before acceptance nobody decides: no message).
        notifications_enqueue_for_dossier(
            dossier=event.dossier,
            event=E.WITHDRAWAL_ACCEPTED,
            ref=f"withdrawal-{payload['request_id']}",
            context={"reason": payload.get("decision_note", "")},
        )


@subscriber(K.WITHDRAWAL_REFUSED)
def withdrawal_refused(event: DomainEvent) -> None:
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.WITHDRAWAL_REFUSED,
        ref=f"withdrawal-{event.payload['request_id']}",
        context={"reason": event.payload["note"]},
    )


@subscriber(K.ACKNOWLEDGED)
def acknowledged(event: DomainEvent) -> None:
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.ACKNOWLEDGEMENT,
        ref=f"code-{event.payload['code']}",
        context={"linked_dossiers": _linked_lines(event.dossier, codes=event.payload["linked"])},
    )


def _linked_lines(dossier: Any, *, codes: list[str]) -> str:
    """For the lead of an interconnected submission, the lines listing the other dossiers it
    opened, so the citizen gets one mail for the whole submission; empty for a lone dossier."""
    from motcua.dossiers.models import Dossier, DossierGroup

    if not codes:
        return ""
    dossier_group = DossierGroup.objects.get(pk=dossier.group_id)
    others = Dossier.objects.filter(code__in=codes).select_related("procedure_version", "agency").order_by("id")
    lines = [f"Hồ sơ liên thông {dossier_group.code}; các hồ sơ đã được gửi tới cơ quan giải quyết:"]
    lines += [f"- {other.code} – {other.procedure_version.name} – {other.agency.name}" for other in others]
    return "\n".join(lines)


@subscriber(K.FEES_DUE)
def fees_due(event: DomainEvent) -> None:
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.FEE_DUE,
        ref="reception",
        context={
            "amount": event.payload["amount"],
            # Events recorded before payment timing existed were all due after acceptance.
            "reason": fees_when_text(event.payload.get("timing", PaymentTiming.ACCEPTANCE)),
        },
    )


@subscriber(K.FEES_PAID)
def fees_paid(event: DomainEvent) -> None:
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.FEES_RECEIVED,
        ref=f"receipt-{event.payload['receipt']}",
        context={"amount": event.payload["amount"], "receipt": event.payload["receipt"]},
    )


@subscriber(K.REFUNDED)
def refunded(event: DomainEvent) -> None:
    payload = event.payload
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.REFUNDED,
        ref=f"refund-{payload['refund_id']}",
        context={"amount": payload["amount"], "refund_method": RefundMethod(payload["method"]).label},
    )


@subscriber(K.EXTENDED)
def extended(event: DomainEvent) -> None:
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.LATE_APOLOGY,
        ref=f"slip-{event.payload['slip_id']}",
        context={
            "due_date": datetime.datetime.fromisoformat(event.payload["new_due"]),
            "reason": event.payload["note"],
        },
    )


@subscriber(K.RESULT_POSTED)
def result_posted(event: DomainEvent) -> None:
    # The applicant learns the parcel number here (the public tracking page does not show it).
    payload = event.payload
    notifications_enqueue_for_dossier(
        dossier=event.dossier,
        event=E.RESULT_POSTED,
        ref=f"shipment-{payload['shipment_id']}",
        context={
            "shipment": _("%(carrier)s, số hiệu %(number)s")
            % {"carrier": payload["carrier"], "number": payload["tracking_number"]}
        },
    )
