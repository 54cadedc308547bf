"""The one-stop unit's reception check: accept with an appointment, ask for papers, or refuse.

Each action locks the dossier, checks the officer's role in the receiving agency and the
revision the officer was looking at, changes state through the transition service, and issues
the legal slip, all in one transaction: two officers acting at once get one success and one
clear conflict, never a double transition.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import PaymentTiming
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.directory.models import StaffRole
from motcua.dossiers.constants import DossierStatus, SlipKind
from motcua.dossiers.fees import fees_due_record, fees_paid_guard
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.processing import officer_event_fields, processing_start
from motcua.dossiers.services import due_instant
from motcua.dossiers.slips import slip_issue
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.payments.refunds import refund_promise

MIN_REASON_LENGTH = 10


def officer_may_receive(*, officer: Any, dossier: Dossier) -> bool:
    return StaffRole.objects.filter(user=officer, role=Role.RECEPTION, agency_id=dossier.agency_id).exists()


def _check_role(*, officer: Any, dossier: Dossier, action: str) -> None:
    """Refuse an officer outside the receiving agency, and record the attempt.

    Checked before the action's transaction opens, so the audit event of the refused attempt
    is committed on its own instead of being rolled back with the action.
    """
    if officer_may_receive(officer=officer, dossier=dossier):
        return
    with transaction.atomic():
        audit_record(actor=officer, action="dossier.reception_forbidden", obj=dossier, summary={"attempted": action})
    raise ApplicationError(
        _("Chỉ cán bộ tiếp nhận của %(agency)s được xử lý hồ sơ này.") % {"agency": dossier.agency.name},
        code="reception_forbidden",
    )


def _lock_submitted(*, dossier: Dossier, revision: int | None) -> Dossier:
    """The locked dossier, if it still waits for reception and the officer saw its latest state."""
    locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
    if locked.status != DossierStatus.SUBMITTED:
        raise ApplicationError(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không thể tiếp nhận.") % {"status": locked.get_status_display()},
            code="dossier_wrong_state",
        )
    return locked


def _counter_fields(*, officer: Any, dossier: Dossier) -> dict[str, Any]:
    """The counter's decision names the officer and the receiving agency, like a step's event."""
    return officer_event_fields(officer=officer, role=Role.RECEPTION, agency=dossier.agency)


def _papers(dossier: Dossier) -> list[dict[str, Any]]:
    counts: dict[int, int] = {}
    for attachment in dossier.attachments.all():
        counts[attachment.component_id] = counts.get(attachment.component_id, 0) + 1
    return [
        {"name": component.name, "count": counts[component.pk]}
        for component in dossier.procedure_version.components.all()
        if component.pk in counts
    ]


def dossier_accept(*, dossier: Dossier, officer: Any, revision: int | None) -> DossierSlip:
    """Accept a complete dossier: the clock starts now, the receipt gives the appointment and the
    dossier goes on to the first processing step of its process."""
    _check_role(officer=officer, dossier=dossier, action="accept")
    with transaction.atomic():
        locked = _lock_submitted(dossier=dossier, revision=revision)
        fees_paid_guard(locked, before=PaymentTiming.SUBMISSION)
        locked.received_at = timezone.now()
        locked.received_by = officer
        locked.due_at = due_instant(version=locked.procedure_version, start=locked.received_at)
        dossier_transition(
            dossier=locked,
            to_status=DossierStatus.RECEIVED,
            actor=officer,
            summary={"due_at": locked.due_at},
            event_payload=_counter_fields(officer=officer, dossier=locked),
        )
        slip = slip_issue(dossier=locked, kind=SlipKind.RECEIPT, officer=officer, content={"papers": _papers(locked)})
        processing_start(dossier=locked, officer=officer)
        fees_due_record(dossier=locked, actor=officer, on_submission=False)
        return slip


def _reasons(reasons: str) -> str:
    reasons = reasons.strip()
    if len(reasons) < MIN_REASON_LENGTH:
        raise ApplicationError(
            _("Hãy ghi rõ lý do (ít nhất %(n)d ký tự).") % {"n": MIN_REASON_LENGTH}, code="reason_required"
        )
    return reasons[:2000]


def dossier_request_supplement(*, dossier: Dossier, officer: Any, reasons: str, revision: int | None) -> DossierSlip:
    """Ask for missing or corrected papers; the appointment clock has not started and does not."""
    text = _reasons(reasons)
    _check_role(officer=officer, dossier=dossier, action="supplement")
    with transaction.atomic():
        locked = _lock_submitted(dossier=dossier, revision=revision)
        dossier_transition(
            dossier=locked,
            to_status=DossierStatus.SUPPLEMENT_REQUESTED,
            actor=officer,
            note=text,
            event_payload=_counter_fields(officer=officer, dossier=locked),
        )
        lines = [line.strip("-• ").strip() for line in text.splitlines() if line.strip()]
        return slip_issue(
            dossier=locked, kind=SlipKind.SUPPLEMENT, officer=officer, content={"reasons": text, "reason_lines": lines}
        )


def dossier_refuse(*, dossier: Dossier, officer: Any, reasons: str, revision: int | None) -> DossierSlip:
    """Refuse a dossier that cannot be received (not eligible, wrong agency…), with the reason."""
    text = _reasons(reasons)
    _check_role(officer=officer, dossier=dossier, action="refuse")
    with transaction.atomic():
        locked = _lock_submitted(dossier=dossier, revision=revision)
        dossier_transition(
            dossier=locked,
            to_status=DossierStatus.REJECTED,
            actor=officer,
            note=text,
            event_payload=_counter_fields(officer=officer, dossier=locked),
        )
        content = {"reasons": text, "refund": refund_promise(locked)}
        return slip_issue(dossier=locked, kind=SlipKind.REFUSAL, officer=officer, content=content)
