"""The one place a dossier's status changes: lock, check, record history and audit."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.validators import record_id
from motcua.dossiers.constants import DossierStatus as S
from motcua.dossiers.models import Dossier, DossierStatusChange
from motcua.events.constants import EventKind as K
from motcua.events.services import domain_event_record

# Allowed moves. Payment, delivery and sync are separate axes, not states here.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.AWAITING_CONFIRMATION, S.SUBMITTED},
    S.AWAITING_CONFIRMATION: {S.SUBMITTED, S.DRAFT},
    S.SUBMITTED: {S.WITHDRAWN, S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.REJECTED},
    S.SUPPLEMENT_REQUESTED: {S.SUBMITTED, S.WITHDRAWN},
    # After acceptance the agency may stop processing, or grant the citizen's withdrawal.
    S.RECEIVED: {S.IN_PROGRESS, S.STOPPED, S.WITHDRAWN},
    S.IN_PROGRESS: {S.PAUSED, S.PROCESSED, S.STOPPED, S.WITHDRAWN},
    S.PAUSED: {S.IN_PROGRESS, S.STOPPED, S.WITHDRAWN},
    S.PROCESSED: {S.RETURNED},
    S.RETURNED: set(),
    S.WITHDRAWN: set(),
    S.REJECTED: set(),
    S.STOPPED: set(),
}


# The domain event each status reached records; (from, to) pairs override the plain status. Draft
# and confirmation moves happen before the dossier exists for anyone else: no event.
STATUS_EVENT: dict[str, str] = {
    S.SUBMITTED: K.SUBMITTED,
    S.RECEIVED: K.RECEIVED,
    S.SUPPLEMENT_REQUESTED: K.SUPPLEMENT_REQUESTED,
    S.REJECTED: K.REJECTED,
    S.IN_PROGRESS: K.PROCESSING_STARTED,
    S.PAUSED: K.PAUSED,
    S.PROCESSED: K.RESULT_ISSUED,
    S.RETURNED: K.RETURNED,
    S.STOPPED: K.STOPPED,
    S.WITHDRAWN: K.WITHDRAWN,
}
MOVE_EVENT: dict[tuple[str, str], str] = {
    (S.SUPPLEMENT_REQUESTED, S.SUBMITTED): K.SUPPLEMENTED,
    (S.PAUSED, S.IN_PROGRESS): K.RESUMED,
}


def status_event_kind(from_status: str, to_status: str) -> str | None:
    return MOVE_EVENT.get((from_status, to_status), STATUS_EVENT.get(to_status))


class StaleDossier(ApplicationError):
    code = "dossier_stale"


def dossier_lock(*, dossier_id: int, expected_revision: int | None = None) -> Dossier:
    """The dossier row locked for this transaction; refuses a form based on an older revision."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    if expected_revision is not None and dossier.revision != expected_revision:
        raise StaleDossier(
            _(
                "Hồ sơ đã được thay đổi ở một trang khác (hoặc bạn đã bấm hai lần). "
                "Trang đã được tải lại với dữ liệu mới nhất."
            )
        )
    return dossier


def posted_revision(data: Mapping[str, str]) -> int | None:
    """The revision a page's form was drawn at (its "revision" field), for dossier_lock; None,
    as when a client sends none, for anything no dossier can have ("²", 20 digits)."""
    return record_id(data.get("revision", ""))


def dossier_transition(
    *,
    dossier: Dossier,
    to_status: str,
    actor: Any,
    note: str = "",
    summary: dict[str, Any] | None = None,
    event_payload: dict[str, Any] | None = None,
) -> Dossier:
    """Move a locked dossier (from `dossier_lock`) to `to_status`, with history, audit and its
    domain event; `event_payload` adds what the event's consumers need (the step, the officer)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_transition must run inside the transaction that locked the dossier.")
    from_status = dossier.status
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise ApplicationError(
            _("Không thể chuyển hồ sơ từ trạng thái “%(a)s” sang “%(b)s”.")
            % {"a": S(from_status).label, "b": S(to_status).label},
            code="dossier_wrong_state",
        )
    dossier.status = to_status
    dossier.revision += 1
    dossier.save()
    user = actor if getattr(actor, "is_authenticated", False) else None
    DossierStatusChange.objects.create(
        dossier=dossier, from_status=from_status, to_status=to_status, actor=user, note=note
    )
    audit_record(
        actor=actor,
        action=f"dossier.{to_status}",
        obj=dossier,
        summary={"from": from_status, "to": to_status, **(summary or {})},
    )
    kind = status_event_kind(from_status, to_status)
    if kind is not None:
        # The consumers (the applicant's messages among them) react in this transaction.
        domain_event_record(
            dossier=dossier,
            kind=kind,
            actor=actor,
            payload={**(event_payload or {}), "from": from_status, "to": to_status, "note": note},
        )
    return dossier
