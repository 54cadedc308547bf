"""The audit trail: recording events and verifying the hash chain."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from motcua.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _event_digest(*, previous_hash: str, event: AuditEvent) -> str:
    payload = {
        "previous_hash": previous_hash,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "summary": event.summary,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction.

    Must run in the same transaction as the change it records, so both land or neither.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records.")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    user = actor if getattr(actor, "is_authenticated", False) else None
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS_HASH})
    event = AuditEvent(
        created_at=timezone.now(),
        actor=user,
        actor_label=(user.get_username() if user else str(actor or "system"))[:255],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        summary=json.loads(json.dumps(summary or {}, default=str)),
        previous_hash=head.last_hash,
    )
    event.hash = _event_digest(previous_hash=head.last_hash, event=event)
    event.save()
    AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return not self.reason


def audit_verify_chain() -> ChainReport:
    """Walk the chain in insertion order and name the first link that does not hold."""
    previous_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != previous_hash:
            return ChainReport(checked, event.pk, "previous_hash does not match the preceding event")
        if _event_digest(previous_hash=previous_hash, event=event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash")
        previous_hash = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous_hash:
        return ChainReport(checked, None, "the newest events were removed: the chain head does not match")
    return ChainReport(checked, None)
