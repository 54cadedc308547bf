"""The audit trail: recording events, reading them on one snapshot, and verifying the hash chain.

The newest event is the chain's head. Appends take turns (a PostgreSQL advisory lock; SQLite has
one writer at a time), so ids follow the chain's order and a verifier walks the chain by id.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from motcua.core.models import AuditEvent

GENESIS_HASH = "0" * 64
# Key of the transaction-scoped advisory lock every append takes on PostgreSQL.
_APPEND_LOCK_KEY = int.from_bytes(hashlib.sha256(b"motcua.audit.append").digest()[:8], "big", signed=True)


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


def _serialize_appends() -> None:
    """Make concurrent appends take turns until their transactions end.

    SQLite already runs one writer at a time (transaction_mode IMMEDIATE). PostgreSQL gets an
    advisory lock rather than a locked row, because the runtime role may not UPDATE (nor SELECT
    ... FOR UPDATE) the audit table. Should two writers still chain onto one predecessor, the
    unique previous_hash refuses the second.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])


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
    _serialize_appends()
    previous_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    event = AuditEvent(
        created_at=timezone.now(),
        actor=user,
        actor_label=(user.get_username() if user else str(actor or "system"))[:255],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        summary=json.loads(json.dumps(summary or {}, default=str)),
        previous_hash=previous_hash,
    )
    event.hash = _event_digest(previous_hash=previous_hash, event=event)
    event.save()
    return event


@contextmanager
def audit_snapshot() -> Iterator[None]:
    """Run the reads inside on one consistent snapshot of the database, without blocking writers.

    Without it, events committed between two reads make a sound chain look cut short. Inside a
    transaction the caller already opened, the reads share that transaction.
    """
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        # SQLite: a DEFERRED transaction reads one snapshot (fixed at its first read; WAL keeps it)
        # and takes no lock that writers wait for, where the profile's IMMEDIATE atomic() would.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")


@dataclass(frozen=True)
class Anchor:
    """The chain's head as signed outside the database (see motcua.core.audit_anchors)."""

    event_id: int
    hash: str
    count: int  # events in the chain up to and including this one
    event_created_at: str
    anchored_at: str
    name: str = ""  # where it is stored


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None
    reason: str = ""
    head: AuditEvent | None = None  # the newest event walked
    anchors_matched: int = 0
    latest_anchor: Anchor | None = None
    rejected_anchors: tuple[str, ...] = ()  # stored anchors whose signature is not the platform's

    @property
    def intact(self) -> bool:
        return not self.reason and not self.rejected_anchors


def _walk(
    events: Iterable[AuditEvent], *, previous_hash: str | None, checked: int, anchors: Sequence[Anchor]
) -> ChainReport:
    """Check each event's link and hash, in id order, and each anchored event against its anchor.

    `previous_hash` None starts mid-chain: the first event's link is taken as it is.
    """
    pending = sorted(anchors, key=lambda anchor: anchor.event_id)
    head: AuditEvent | None = None
    matched: Anchor | None = None
    matched_count = 0
    for event in events:
        if pending and pending[0].event_id < event.pk:
            return ChainReport(checked, pending[0].event_id, f"the event {_signed(pending[0])} is missing")
        if previous_hash is not None and event.previous_hash != previous_hash:
            return ChainReport(checked, event.pk, "previous_hash does not match the preceding event")
        if _event_digest(previous_hash=event.previous_hash, event=event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash")
        checked += 1
        while pending and pending[0].event_id == event.pk:
            anchor = pending.pop(0)
            if anchor.hash != event.hash or anchor.count != checked:
                since = f" (after event {matched.event_id}, the last anchored event that matches)" if matched else ""
                reason = f"it no longer matches its anchor {_signed(anchor)}: the chain was rewritten at or before it"
                return ChainReport(checked - 1, event.pk, reason + since)
            matched, matched_count = anchor, matched_count + 1
        previous_hash, head = event.hash, event
    if pending:
        reason = f"the event {_signed(pending[0])} is missing: the newest events were removed"
        return ChainReport(checked, pending[0].event_id, reason)
    return ChainReport(checked, None, head=head, anchors_matched=matched_count, latest_anchor=matched)


def _signed(anchor: Anchor) -> str:
    return f"signed in anchor {anchor.name} at {anchor.anchored_at}"


def audit_verify_chain(*, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Walk the whole chain on one snapshot and name the first link that does not hold.

    `anchors` must have been read before this call: an anchor written later may sign events
    this snapshot cannot see.
    """
    with audit_snapshot():
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
        return _walk(events, previous_hash=GENESIS_HASH, checked=0, anchors=anchors)


def audit_verify_since(anchor: Anchor | None) -> ChainReport:
    """Check the events after `anchor` (all when None), and that its event still holds its hash."""
    if anchor is None:
        return audit_verify_chain()
    with audit_snapshot():
        events = AuditEvent.objects.filter(pk__gte=anchor.event_id).order_by("id").iterator(chunk_size=2000)
        return _walk(events, previous_hash=None, checked=anchor.count - 1, anchors=[anchor])
