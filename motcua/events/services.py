"""Writing domain events and handing them to the consumers that react inside the transaction.

A consumer (notifications, the national portal sync, reports…) subscribes with `subscriber` in
its AppConfig.ready(). Its handler runs in the transaction of the change, so what it records (an
outbox row, a counter) commits with the change or not at all; anything that talks to the outside
world runs later from that record, never from the handler. The dossier code therefore never
imports a consumer, and a new consumer needs no change to `dossiers`.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from motcua.events.constants import EventKind
from motcua.events.models import DomainEvent

Handler = Callable[[DomainEvent], None]
# kind -> handlers, in subscription order; the key "*" receives every kind.
_handlers: dict[str, list[Handler]] = defaultdict(list)
ANY_KIND = "*"


def subscriber(*kinds: str) -> Callable[[Handler], Handler]:
    """Register a handler for `kinds` (none: every kind). Idempotent per handler and kind."""

    def decorator(handler: Handler) -> Handler:
        for kind in kinds or (ANY_KIND,):
            if kind != ANY_KIND and kind not in EventKind.values:
                raise ValueError(f"Unknown domain event kind {kind!r}")
            if handler not in _handlers[kind]:
                _handlers[kind].append(handler)
        return handler

    return decorator


def handlers_for(kind: str) -> list[Handler]:
    return [*_handlers.get(kind, ()), *_handlers.get(ANY_KIND, ())]


def _actor_fields(actor: Any) -> tuple[Any, str]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None:
        return user, (user.get_full_name() or user.get_username())[:200]
    return None, str(actor or "")[:200]


def domain_event_record(
    *, dossier: models.Model, kind: str, actor: Any = None, payload: dict[str, Any] | None = None
) -> DomainEvent:
    """Append `kind` to `dossier`'s stream in the caller's transaction and run the subscribers.

    Locks the dossier row (already locked by a transition; a no-op then), so the per-dossier
    sequence has no gaps and no twins. A subscriber's error rolls the whole change back: an
    event nobody could record is a change that did not happen.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("domain_event_record must run inside the transaction of the change.")
    if kind not in EventKind.values:
        raise ValueError(f"Unknown domain event kind {kind!r}")
    type(dossier)._default_manager.select_for_update().filter(pk=dossier.pk).values_list("pk").get()
    last = DomainEvent.objects.filter(dossier_id=dossier.pk).aggregate(last=Max("seq"))["last"] or 0
    user, label = _actor_fields(actor)
    event = DomainEvent.objects.create(
        dossier_id=dossier.pk,
        seq=last + 1,
        kind=kind,
        actor=user,
        actor_label=label,
        # Instants as ISO 8601 text, amounts and labels as plain JSON: what a consumer replays.
        payload=json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder)),
        occurred_at=timezone.now(),
    )
    # Consumers get the dossier object the caller holds (fresh, locked), not a second query.
    event.dossier = dossier  # type: ignore[assignment]
    for handler in handlers_for(kind):
        handler(event)
    return event


def domain_events_of(dossier_id: int, *, kinds: Iterable[str] | None = None) -> models.QuerySet[DomainEvent]:
    """A dossier's stream in order."""
    events = DomainEvent.objects.filter(dossier_id=dossier_id).order_by("seq")
    return events.filter(kind__in=list(kinds)) if kinds is not None else events
