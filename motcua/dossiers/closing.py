"""Ending an accepted dossier without a result: the agency stops processing, or grants the
citizen's request to withdraw it.

Both are terminal outcomes the national statistics count apart from results (the 766 document's
"dừng xử lý" and "công dân yêu cầu rút hồ sơ"). Either way the open steps are cancelled, a paused
clock is closed, and the handling agency issues the stop notice (form 05 of Circular
03/2025/TT-VPCP, "Thông báo dừng giải quyết hồ sơ") to the applicant. A withdrawal after
acceptance is a request the agency decides on; until then processing and its clock go on.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import StepKind
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.directory.models import StaffRole
from motcua.dossiers.constants import DossierStatus, SlipKind, StepStatus, WithdrawalStatus
from motcua.dossiers.models import Dossier, DossierSlip, DossierStep, WithdrawalRequest
from motcua.dossiers.processing import _refuse, _text, handling_agency_ids, processing_agency
from motcua.dossiers.slips import slip_issue
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record

# Accepted and not yet settled: what can still be stopped or withdrawn.
CLOSABLE = {DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS, DossierStatus.PAUSED}


# Who decides.


def officer_may_stop(*, officer: Any, dossier: Dossier) -> bool:
    """Stopping is a decision of a leader of an agency settling the dossier, never a consulted one's."""
    return StaffRole.objects.filter(user=officer, role=Role.LEADER, agency_id__in=handling_agency_ids(dossier)).exists()


def officer_may_decide_withdrawal(*, officer: Any, dossier: Dossier) -> bool:
    """A leader of a handling agency, or the one-stop unit of the agency that received the dossier."""
    return StaffRole.objects.filter(
        user=officer, role=Role.LEADER, agency_id__in=handling_agency_ids(dossier)
    ).exists() or (StaffRole.objects.filter(user=officer, role=Role.RECEPTION, agency_id=dossier.agency_id).exists())


def withdrawal_pending(dossier: Dossier) -> WithdrawalRequest | None:
    return dossier.withdrawal_requests.filter(status=WithdrawalStatus.PENDING).first()


def withdrawals_pending_for_officer(officer: Any) -> QuerySet[WithdrawalRequest]:
    """The requests waiting for this officer's decision (officer_may_decide_withdrawal, as a query),
    oldest first: a leader's agency received the dossier or holds one of its open process steps,
    or the officer's counter received it."""
    roles = StaffRole.objects.filter(user=officer)
    leads = roles.filter(role=Role.LEADER).values("agency_id")
    counters = roles.filter(role=Role.RECEPTION).values("agency_id")
    open_step_led = DossierStep.objects.filter(
        dossier=OuterRef("dossier"), status=StepStatus.ACTIVE, agency_id__in=leads
    ).exclude(kind=StepKind.CONSULT)
    return (
        WithdrawalRequest.objects.filter(status=WithdrawalStatus.PENDING)
        .filter(Q(dossier__agency_id__in=leads) | Q(dossier__agency_id__in=counters) | Exists(open_step_led))
        .select_related("dossier", "dossier__procedure_version")
        .order_by("created_at", "id")
    )


# Shared by both ways out.


def _closable_guard(dossier: Dossier, *, message: str) -> None:
    if dossier.status not in CLOSABLE:
        raise ApplicationError(message, code="dossier_wrong_state")


def _processing_end(dossier: Dossier, *, now: datetime.datetime) -> None:
    """Cancel every open step (their clocks and warnings stop) and close a running pause."""
    dossier.steps.filter(status=StepStatus.ACTIVE).update(status=StepStatus.CANCELLED, finished_at=now)
    dossier.pauses.filter(ended_at__isnull=True).update(ended_at=now)


def _stop_notice(
    *, dossier: Dossier, officer: Any, reason: str, legal_ground: str, requested_at: datetime.datetime | None = None
) -> DossierSlip:
    content: dict[str, Any] = {
        "reason": reason,
        "legal_ground": legal_ground,
        "agency_name": processing_agency(dossier).name,
    }
    if requested_at is not None:
        content["requested_at"] = requested_at
    return slip_issue(dossier=dossier, kind=SlipKind.STOP_NOTICE, officer=officer, content=content)


# The agency stops.


def dossier_stop(
    *, dossier: Dossier, officer: Any, reason: str, legal_ground: str, revision: int | None
) -> DossierSlip:
    """A leader of the handling agency stops processing, with the reason and its legal ground."""
    text = _text(reason, what=_("lý do dừng giải quyết hồ sơ"))
    ground = _text(legal_ground, what=_("căn cứ pháp lý"))
    if not officer_may_stop(officer=officer, dossier=dossier):
        error = ApplicationError(
            _("Chỉ lãnh đạo cơ quan đang giải quyết hồ sơ được dừng giải quyết hồ sơ."), code="stop_forbidden"
        )
        _refuse(officer=officer, dossier=dossier, attempted="stop", error=error)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        _closable_guard(locked, message=_("Chỉ dừng được hồ sơ đã tiếp nhận và đang giải quyết."))
        now = timezone.now()
        _processing_end(locked, now=now)
        # A withdrawal still waiting has nothing left to decide.
        locked.withdrawal_requests.filter(status=WithdrawalStatus.PENDING).update(
            status=WithdrawalStatus.LAPSED, decided_by=officer, decided_at=now
        )
        dossier_transition(
            dossier=locked, to_status=DossierStatus.STOPPED, actor=officer, note=text, summary={"legal_ground": ground}
        )
        return _stop_notice(dossier=locked, officer=officer, reason=text, legal_ground=ground)


# The citizen asks to withdraw; the agency decides.


def withdrawal_request_submit(*, dossier: Dossier, actor: Any, reason: str, revision: int | None) -> WithdrawalRequest:
    """The applicant asks to withdraw an accepted dossier; it waits for the agency's decision."""
    if dossier.applicant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("Chỉ người nộp hồ sơ được đề nghị rút hồ sơ."), code="withdrawal_forbidden")
    text = _text(reason, what=_("lý do rút hồ sơ"))
    try:
        with transaction.atomic():
            locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
            _closable_guard(locked, message=_("Chỉ đề nghị rút được hồ sơ đã tiếp nhận và đang giải quyết."))
            if withdrawal_pending(locked) is not None:
                raise ApplicationError(
                    _("Đề nghị rút hồ sơ trước đó của ông/bà đang chờ cơ quan xem xét."), code="withdrawal_pending"
                )
            request = WithdrawalRequest.objects.create(dossier=locked, requested_by=actor, reason=text)
            locked.revision += 1
            locked.save(update_fields=["revision", "updated_at"])
            audit_record(
                actor=actor, action="dossier.withdrawal_requested", obj=locked, summary={"request": request.pk}
            )
            domain_event_record(
                dossier=locked,
                kind=EventKind.WITHDRAWAL_REQUESTED,
                actor=actor,
                payload={"request_id": request.pk, "note": text},
            )
            return request
    except IntegrityError:  # a second request racing the first past the check
        raise ApplicationError(
            _("Đề nghị rút hồ sơ trước đó của ông/bà đang chờ cơ quan xem xét."), code="withdrawal_pending"
        ) from None


def withdrawal_decide(
    *, dossier: Dossier, officer: Any, accept: bool, note: str, revision: int | None
) -> WithdrawalRequest:
    """Grant the pending request (the dossier is withdrawn, with the stop notice) or refuse it
    with the reason (processing goes on); the applicant is told either way."""
    note = note.strip()[:4000] if accept else _text(note, what=_("lý do không đồng ý cho rút hồ sơ"))
    if not officer_may_decide_withdrawal(officer=officer, dossier=dossier):
        error = ApplicationError(
            _(
                "Chỉ lãnh đạo cơ quan đang giải quyết hoặc Bộ phận Một cửa nơi tiếp nhận "
                "được quyết định việc rút hồ sơ."
            ),
            code="withdrawal_decide_forbidden",
        )
        _refuse(officer=officer, dossier=dossier, attempted="withdrawal", error=error)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        request = withdrawal_pending(locked)
        if request is None:
            raise ApplicationError(_("Không có đề nghị rút hồ sơ nào đang chờ xem xét."), code="withdrawal_none")
        now = timezone.now()
        request.status = WithdrawalStatus.ACCEPTED if accept else WithdrawalStatus.REFUSED
        request.decided_by = officer
        request.decided_at = now
        request.decision_note = note
        request.save()
        if accept:
            _closable_guard(locked, message=_("Hồ sơ đã có kết quả, không thể rút."))
            _processing_end(locked, now=now)
            dossier_transition(
                dossier=locked,
                to_status=DossierStatus.WITHDRAWN,
                actor=officer,
                note=request.reason,
                summary={"request": request.pk},
                event_payload={"request_id": request.pk, "decision_note": note},
            )
            _stop_notice(
                dossier=locked,
                officer=officer,
                reason=request.reason,
                legal_ground=note or _("Đề nghị rút hồ sơ của người nộp hồ sơ."),
                requested_at=request.created_at,
            )
        else:
            locked.revision += 1
            locked.save(update_fields=["revision", "updated_at"])
            audit_record(
                actor=officer, action="dossier.withdrawal_refused", obj=locked, summary={"request": request.pk}
            )
            domain_event_record(
                dossier=locked,
                kind=EventKind.WITHDRAWAL_REFUSED,
                actor=officer,
                payload={"request_id": request.pk, "note": note},
            )
        return request
