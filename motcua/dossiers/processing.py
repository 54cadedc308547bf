"""Processing a received dossier along its process: steps, hand-overs, opinions, approval,
issuing and return of the result.

Every action locks the dossier row (checking the revision the officer was looking at), checks
the step's state and the officer's part in the dossier (the step's role at the step's agency, the
step being theirs; dossier-wide acts only for the handling agencies, never a consulted one), then
changes steps, status (through the transition service) and the audit trail in one transaction.
Two officers acting on one dossier at once get one success and one clear conflict. Refused
attempts are audited.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import AgencySource, PaymentTiming, ProcedureLevel, StepKind, TimeUnit
from motcua.catalog.models import ProcessStep
from motcua.catalog.processes import process_current
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.directory.constants import OrgUnitKind, Role
from motcua.directory.models import Agency, OrgUnit, StaffRole
from motcua.documents.results import (
    result_number_and_seal,
    result_sign,
    result_signer_name,
    result_store_for_citizen,
)
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, Outcome, SlipKind, StepStatus
from motcua.dossiers.deadlines import allotted_due, paused_working_time, process_step_due, shift
from motcua.dossiers.fees import fees_blocking, fees_paid_guard
from motcua.dossiers.models import Dossier, DossierPause, DossierSlip, DossierStep, DossierStepFile
from motcua.dossiers.slips import slip_issue
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record
from motcua.signatures.services import signing_refusal_recorded
from motcua.signatures.signing import signers

MIN_TEXT_LENGTH = 10
MAX_CONSULT_DAYS = Decimal(10)


# Who does a step.


def processing_agency(dossier: Dossier) -> Agency:
    """The agency that settles the procedure: the commune itself for commune procedures, the
    managing department for provincial ones (received at the service centre or the department)."""
    version = dossier.procedure_version
    if version.level == ProcedureLevel.COMMUNE or version.managing_agency is None:
        return dossier.agency
    return version.managing_agency


def _step_agency(process_step: ProcessStep, dossier: Dossier) -> Agency:
    if process_step.agency_source == AgencySource.FIXED and process_step.agency is not None:
        return process_step.agency
    if process_step.agency_source == AgencySource.RECEIVING:
        return dossier.agency
    return processing_agency(dossier)


def _org_unit(agency: Agency, kind: str) -> OrgUnit | None:
    if not kind:
        return None
    return OrgUnit.objects.filter(agency=agency, kind=kind).order_by("code").first()


def step_candidates(*, agency_id: int, role: str, org_unit_id: int | None) -> QuerySet[StaffRole]:
    """The staff roles allowed to act on a step of `role` at `agency` (and its unit, if any)."""
    roles = StaffRole.objects.filter(role=role, agency_id=agency_id, user__is_active=True)
    if org_unit_id is not None:
        roles = roles.filter(Q(org_unit_id=org_unit_id) | Q(org_unit__isnull=True))
    return roles


def officer_may_act(*, officer: Any, step: DossierStep) -> bool:
    if not getattr(officer, "is_authenticated", False):
        return False
    return (
        step_candidates(agency_id=step.agency_id, role=step.role, org_unit_id=step.org_unit_id)
        .filter(user=officer)
        .exists()
    )


def officer_leads(*, officer: Any, agency_id: int) -> bool:
    return StaffRole.objects.filter(user=officer, role=Role.LEADER, agency_id=agency_id).exists()


# Who may do what: a role alone is not enough, the officer must have a part in this dossier
# (the rule table is in docs/back-office.md).


def officer_holds_step(*, officer: Any, step: DossierStep) -> bool:
    """The officer may act on the step: they hold its role at its agency (and unit), and the step
    is theirs or still waits in the unit's queue (a leader reassigns it, nobody else takes over)."""
    return officer_may_act(officer=officer, step=step) and step.assignee_id in (None, officer.pk)


def handling_agency_ids(dossier: Dossier) -> set[int]:
    """The agencies that settle the dossier: the receiving agency and those of its open process
    steps. An agency only asked for an opinion (a consultation step) is not one of them."""
    open_steps = dossier.steps.filter(status=StepStatus.ACTIVE).exclude(kind=StepKind.CONSULT)
    return {dossier.agency_id, *open_steps.values_list("agency_id", flat=True)}


EXTENDING_ROLES = {Role.LEADER, Role.SPECIALIST, Role.RECEPTION}


def officer_may_extend(*, officer: Any, dossier: Dossier) -> bool:
    """Moving the citizen's appointment is the handling agencies' decision, never a consulted one's."""
    return StaffRole.objects.filter(
        user=officer, role__in=EXTENDING_ROLES, agency_id__in=handling_agency_ids(dossier)
    ).exists()


# Opening steps.


def _step_open(
    *,
    dossier: Dossier,
    kind: str,
    name: str,
    agency: Agency,
    org_unit: OrgUnit | None,
    role: str,
    start: datetime.datetime,
    due_at: datetime.datetime,
    process_step: ProcessStep | None = None,
    requested_by_step: DossierStep | None = None,
    question: str = "",
) -> DossierStep:
    """A new active step; handed straight to the only officer who can do it, if there is one."""
    candidates = list(
        step_candidates(agency_id=agency.pk, role=role, org_unit_id=org_unit.pk if org_unit else None)
        .values_list("user_id", flat=True)
        .distinct()[:2]
    )
    return DossierStep.objects.create(
        dossier=dossier,
        process_step=process_step,
        kind=kind,
        name=name,
        agency=agency,
        org_unit=org_unit,
        role=role,
        assignee_id=candidates[0] if len(candidates) == 1 else None,
        requested_by_step=requested_by_step,
        question=question,
        started_at=start,
        due_at=due_at,
    )


def process_step_place(process_step: ProcessStep, dossier: Dossier) -> tuple[Agency, OrgUnit | None]:
    """The agency and org unit where `process_step` is done for `dossier`."""
    agency = _step_agency(process_step, dossier)
    return agency, _org_unit(agency, process_step.org_unit_kind)


def _process_step_open(*, dossier: Dossier, process_step: ProcessStep, start: datetime.datetime) -> DossierStep:
    agency, org_unit = process_step_place(process_step, dossier)
    return _step_open(
        dossier=dossier,
        kind=process_step.kind,
        name=process_step.name,
        agency=agency,
        org_unit=org_unit,
        role=process_step.role,
        start=start,
        due_at=process_step_due(
            dossier=dossier, start=start, amount=process_step.allotted, unit=process_step.allotted_unit
        ),
        process_step=process_step,
    )


def _position_open(*, dossier: Dossier, after: int, start: datetime.datetime) -> list[DossierStep]:
    """Open every step of the first position after `after` (parallel steps open together)."""
    assert dossier.process is not None
    following = dossier.process.steps.filter(position__gt=after).order_by("position")
    first = following.first()
    if first is None:
        return []
    return [
        _process_step_open(dossier=dossier, process_step=process_step, start=start)
        for process_step in following.filter(position=first.position)
    ]


def processing_start(*, dossier: Dossier, officer: Any) -> None:
    """On acceptance: pin the process, record the reception step as done, open the next one.

    Runs inside the acceptance's transaction on the locked dossier, which it moves to
    "in progress".
    """
    process = process_current(version=dossier.procedure_version)
    dossier.process = process
    now = timezone.now()
    received_at = dossier.received_at or now
    reception = process.steps.filter(kind=StepKind.RECEPTION).order_by("position").first()
    position = 0
    event_payload: dict[str, Any] = {}
    if reception is not None:
        step = _process_step_open(dossier=dossier, process_step=reception, start=received_at)
        step.assignee = officer
        _finish(step, officer=officer, now=now)
        position = reception.position
        event_payload = step_event_payload(step, officer=officer)
    _position_open(dossier=dossier, after=position, start=now)
    dossier_transition(dossier=dossier, to_status=DossierStatus.IN_PROGRESS, actor=officer, event_payload=event_payload)


# Checks shared by the actions.


def _text(value: str, *, what: str) -> str:
    value = value.strip()
    if len(value) < MIN_TEXT_LENGTH:
        raise ApplicationError(
            _("Hãy ghi rõ %(what)s (ít nhất %(n)d ký tự).") % {"what": what, "n": MIN_TEXT_LENGTH},
            code="text_required",
        )
    return value[:4000]


def _refuse(
    *, officer: Any, dossier: Dossier, attempted: str, error: ApplicationError, step: DossierStep | None = None
) -> None:
    """Record a refused attempt in its own transaction (it survives the refusal), then refuse."""
    with transaction.atomic():
        audit_record(
            actor=officer,
            action="dossier.step_forbidden" if step is not None else "dossier.action_forbidden",
            obj=dossier,
            summary={"step": step.pk if step is not None else None, "attempted": attempted, "code": error.code},
        )
    raise error


def _check_may_act(*, officer: Any, step: DossierStep, action: str) -> None:
    """Refuse an officer without the step's role, or acting on a step another officer holds."""
    if not officer_may_act(officer=officer, step=step):
        error = ApplicationError(
            _("Bạn không có vai trò “%(role)s” tại %(agency)s để thực hiện bước này.")
            % {"role": Role(step.role).label, "agency": step.agency.name},
            code="step_forbidden",
        )
        _refuse(officer=officer, dossier=step.dossier, attempted=action, error=error, step=step)
    # Read the holder again: the page the officer acts from may predate an assignment.
    current = DossierStep.objects.select_related("assignee").get(pk=step.pk)
    if action != "take" and not officer_holds_step(officer=officer, step=current):
        error = ApplicationError(
            _("Bước này đang do %(name)s xử lý; chỉ lãnh đạo đơn vị được phân công lại.")
            % {"name": current.assignee.get_full_name() if current.assignee else ""},
            code="step_held_by_other",
        )
        _refuse(officer=officer, dossier=step.dossier, attempted=action, error=error, step=step)


def _lock(*, step: DossierStep, revision: int | None, kinds: set[str]) -> tuple[Dossier, DossierStep]:
    """The locked dossier and a fresh copy of the step, if the step still waits for this action."""
    dossier = dossier_lock(dossier_id=step.dossier_id, expected_revision=revision)
    fresh = DossierStep.objects.select_related("process_step", "agency").get(pk=step.pk)
    if fresh.status != StepStatus.ACTIVE:
        raise ApplicationError(
            _("Bước “%(step)s” đã được xử lý xong, không thể thao tác lại.") % {"step": fresh.name},
            code="step_not_active",
        )
    if fresh.kind not in kinds:
        raise ApplicationError(
            _("Thao tác này không áp dụng cho bước “%(step)s”.") % {"step": fresh.name}, code="step_wrong_action"
        )
    if dossier.status == DossierStatus.PAUSED:
        raise ApplicationError(_("Hồ sơ đang tạm dừng chờ công dân bổ sung giấy tờ."), code="dossier_paused")
    return dossier, fresh


def _touch(dossier: Dossier) -> None:
    """Record a change that is not a status change, so pages open before it go stale."""
    dossier.revision += 1
    dossier.save(update_fields=["revision", "result_draft", "outcome", "outcome_note", "result_document", "updated_at"])


def _finish(step: DossierStep, *, officer: Any, now: datetime.datetime, note: str = "") -> None:
    step.status = StepStatus.DONE
    step.finished_at = now
    step.finished_by = officer if getattr(officer, "is_authenticated", False) else None
    if note:
        step.note = note
    step.save()


def _advance(*, dossier: Dossier, step: DossierStep, now: datetime.datetime) -> list[DossierStep]:
    """After `step` is done: open the next position once every parallel step of its position is."""
    if step.process_step is None:
        return []
    position = step.process_step.position
    if dossier.steps.filter(status=StepStatus.ACTIVE, process_step__position=position).exists():
        return []
    return _position_open(dossier=dossier, after=position, start=now)


def _audit(*, officer: Any, dossier: Dossier, action: str, step: DossierStep, **summary: Any) -> None:
    audit_record(
        actor=officer,
        action=f"dossier.step_{action}",
        obj=dossier,
        summary={"step": step.pk, "step_name": step.name, **summary},
    )


def officer_event_fields(*, officer: Any, role: str, agency: Any) -> dict[str, Any]:
    """Who acted, in what capacity and where, as an event tells it (the national portal's
    NguoiXuLy, ChucDanh, DonViXuLy): true when replayed, whatever the officer does later."""
    return {
        "agency_code": agency.code,
        "agency_name": agency.name,
        "officer_name": (officer.get_full_name() or officer.get_username())
        if getattr(officer, "is_authenticated", False)
        else str(officer or ""),
        "officer_title": str(Role(role).label),
    }


def step_event_payload(step: DossierStep, *, officer: Any, role: str | None = None) -> dict[str, Any]:
    """What a step's events tell their consumers: enough for the national portal's progress
    record of the step (who, in what capacity, where, what they did, when, by when), no
    personal data of the applicant. `role` is the capacity the officer acted in (the step's own
    role by default)."""
    process_step = step.process_step
    return {
        "step_id": step.pk,
        "step_code": process_step.code if process_step is not None else "",
        "step_name": step.name,
        "step_kind": step.kind,
        **officer_event_fields(officer=officer, role=role or step.role, agency=step.agency),
        "started_at": step.started_at,
        "finished_at": step.finished_at,
        "due_at": step.due_at,
        "note": step.note,
    }


def _step_event(kind: str, *, dossier: Dossier, step: DossierStep, officer: Any, **extra: Any) -> None:
    domain_event_record(
        dossier=dossier, kind=kind, actor=officer, payload={**step_event_payload(step, officer=officer), **extra}
    )


# Guards: small named checks with a stable code, tested alone.


def consultations_answered_guard(step: DossierStep) -> None:
    """Silence is not consent: a step waits for every opinion it asked for."""
    waiting = step.consultations.filter(status=StepStatus.ACTIVE).select_related("agency").first()
    if waiting is not None:
        raise ApplicationError(
            _("Còn chờ ý kiến của %(agency)s (hạn %(due)s).")
            % {"agency": waiting.agency.name, "due": timezone.localtime(waiting.due_at).strftime("%H:%M %d/%m/%Y")},
            code="consultation_pending",
        )


def result_signed_guard(dossier: Dossier) -> None:
    if dossier.result_document_id is None:
        raise ApplicationError(_("Kết quả chưa được lãnh đạo phê duyệt và ký số."), code="result_unsigned")


# The actions.


def step_take(*, step: DossierStep, officer: Any, revision: int | None) -> DossierStep:
    """An officer who holds the step's role takes an unassigned step from the unit's queue."""
    _check_may_act(officer=officer, step=step, action="take")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds=set(StepKind))
        if fresh.assignee_id not in (None, officer.pk):
            raise ApplicationError(
                _("Bước này đã được giao cho %(name)s.") % {"name": fresh.assignee}, code="step_taken"
            )
        fresh.assignee = officer
        fresh.save(update_fields=["assignee"])
        _touch(dossier)
        _audit(officer=officer, dossier=dossier, action="take", step=fresh)
        _step_event(EventKind.STEP_TAKEN, dossier=dossier, step=fresh, officer=officer)
        return fresh


def step_assign(*, step: DossierStep, leader: Any, assignee_id: int, revision: int | None) -> DossierStep:
    """A leader of the step's agency gives it (again) to an officer who holds its role."""
    if not officer_leads(officer=leader, agency_id=step.agency_id):
        raise ApplicationError(
            _("Chỉ lãnh đạo %(agency)s được phân công bước này.") % {"agency": step.agency.name},
            code="assign_forbidden",
        )
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds=set(StepKind))
        roles = step_candidates(agency_id=fresh.agency_id, role=fresh.role, org_unit_id=fresh.org_unit_id)
        candidate = roles.filter(user_id=assignee_id).select_related("user").first()
        if candidate is None:
            raise ApplicationError(
                _("Cán bộ được chọn không có vai trò “%(role)s” tại đơn vị này.") % {"role": Role(fresh.role).label},
                code="assignee_invalid",
            )
        previous = fresh.assignee_id
        fresh.assignee = candidate.user
        fresh.save(update_fields=["assignee"])
        _touch(dossier)
        _audit(officer=leader, dossier=dossier, action="assign", step=fresh, previous=previous, assignee=assignee_id)
        domain_event_record(
            dossier=dossier,
            kind=EventKind.STEP_ASSIGNED,
            actor=leader,
            payload={
                **step_event_payload(fresh, officer=leader, role=Role.LEADER),
                "assignee_name": candidate.user.get_full_name() or candidate.user.get_username(),
            },
        )
        return fresh


def step_forward(*, step: DossierStep, officer: Any, note: str, draft: str, revision: int | None) -> list[DossierStep]:
    """The specialist finishes processing (notes, draft of the result) and passes the dossier on."""
    _check_may_act(officer=officer, step=step, action="forward")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.PROCESS})
        consultations_answered_guard(fresh)
        now = timezone.now()
        if draft.strip():
            dossier.result_draft = draft.strip()[:8000]
        _finish(fresh, officer=officer, now=now, note=note.strip()[:4000])
        opened = _advance(dossier=dossier, step=fresh, now=now)
        _touch(dossier)
        _audit(officer=officer, dossier=dossier, action="forward", step=fresh, opened=[s.name for s in opened])
        _step_event(EventKind.FORWARDED, dossier=dossier, step=fresh, officer=officer, opened=_next_steps(opened))
        return opened


def _next_steps(opened: list[DossierStep]) -> list[dict[str, Any]]:
    """Where the dossier went on to: the steps (maybe at another agency) opened by a hand-over."""
    return [
        {
            "step_id": step.pk,
            "step_code": step.process_step.code if step.process_step is not None else "",
            "step_name": step.name,
            "agency_code": step.agency.code,
            "agency_name": step.agency.name,
            "due_at": step.due_at,
        }
        for step in opened
    ]


def step_return(*, step: DossierStep, officer: Any, to_code: str, reason: str, revision: int | None) -> DossierStep:
    """Send the dossier back to an earlier step the process allows, with the reason."""
    text = _text(reason, what=_("lý do trả lại"))
    _check_may_act(officer=officer, step=step, action="return")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.PROCESS, StepKind.APPROVE})
        allowed = fresh.process_step.return_to if fresh.process_step else []
        target = dossier.process.steps.filter(code=to_code).first() if dossier.process and to_code in allowed else None
        if target is None:
            raise ApplicationError(_("Quy trình không cho phép trả hồ sơ về bước đã chọn."), code="return_not_allowed")
        now = timezone.now()
        # The step, its parallel siblings and its open opinions stop here; the earlier step reopens.
        position = fresh.process_step.position if fresh.process_step else 0
        dossier.steps.filter(status=StepStatus.ACTIVE).filter(
            Q(process_step__position=position) | Q(requested_by_step__process_step__position=position)
        ).exclude(pk=fresh.pk).update(status=StepStatus.CANCELLED, finished_at=now)
        fresh.status = StepStatus.RETURNED
        fresh.finished_at = now
        fresh.finished_by = officer
        fresh.note = text
        fresh.save()
        reopened = _process_step_open(dossier=dossier, process_step=target, start=now)
        previous = dossier.steps.filter(process_step=target, status=StepStatus.DONE).order_by("-finished_at").first()
        if (
            previous is not None
            and previous.finished_by_id
            and officer_may_act(officer=previous.finished_by, step=reopened)
        ):
            reopened.assignee_id = previous.finished_by_id
            reopened.save(update_fields=["assignee"])
        _touch(dossier)
        _audit(officer=officer, dossier=dossier, action="return", step=fresh, to=target.code, reason=text)
        _step_event(EventKind.SENT_BACK, dossier=dossier, step=fresh, officer=officer, reopened=_next_steps([reopened]))
        return reopened


MAX_FILES_PER_STEP = 10


def step_file_add(*, step: DossierStep, officer: Any, name: str, data: Any) -> DossierStepFile:
    """Keep a working paper with an open step (checked by content like any upload)."""
    from motcua.documents.files import inspect_upload

    _check_may_act(officer=officer, step=step, action="file")
    inspected = inspect_upload(name=name, data=data)
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=None, kinds=set(StepKind))
        if fresh.files.count() >= MAX_FILES_PER_STEP:
            raise ApplicationError(
                _("Mỗi bước chỉ đính kèm tối đa %(n)d tệp.") % {"n": MAX_FILES_PER_STEP}, code="step_files_full"
            )
        attached = DossierStepFile(
            step=fresh,
            original_name=inspected.safe_name,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=officer,
        )
        attached.file.save(f"{uuid.uuid4().hex}.{inspected.extension}", ContentFile(inspected.content), save=False)
        attached.save()
        _touch(dossier)
        _audit(
            officer=officer,
            dossier=dossier,
            action="file",
            step=fresh,
            sha256=inspected.sha256,
            removed=list(inspected.removed),
        )
        return attached


def step_consult(
    *, step: DossierStep, officer: Any, agency_id: int, question: str, days: Decimal, revision: int | None
) -> DossierStep:
    """Ask another agency for its opinion, with a deadline of its own."""
    text = _text(question, what=_("nội dung xin ý kiến"))
    if not Decimal("0.5") <= days <= MAX_CONSULT_DAYS:
        raise ApplicationError(
            _("Thời hạn cho ý kiến phải từ 0,5 đến %(n)s ngày làm việc.") % {"n": MAX_CONSULT_DAYS},
            code="consult_days",
        )
    _check_may_act(officer=officer, step=step, action="consult")
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
    if agency is None or agency.pk == step.agency_id:
        raise ApplicationError(_("Hãy chọn một cơ quan khác để xin ý kiến."), code="consult_agency")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.PROCESS})
        start = timezone.now()
        consultation = _step_open(
            dossier=dossier,
            kind=StepKind.CONSULT,
            name=_("Cho ý kiến: %(agency)s") % {"agency": agency.name},
            agency=agency,
            org_unit=_org_unit(agency, OrgUnitKind.DIVISION),
            role=Role.SPECIALIST,
            start=start,
            due_at=allotted_due(start=start, amount=days, unit=TimeUnit.WORKING_DAY),
            requested_by_step=fresh,
            question=text,
        )
        _touch(dossier)
        _audit(officer=officer, dossier=dossier, action="consult", step=fresh, agency=agency.code, days=str(days))
        _step_event(
            EventKind.CONSULTED,
            dossier=dossier,
            step=fresh,
            officer=officer,
            consultation={**_next_steps([consultation])[0], "question": text},
        )
        return consultation


def consultation_answer(*, step: DossierStep, officer: Any, answer: str, revision: int | None) -> DossierStep:
    """The consulted agency gives its opinion; the asking step may then move on."""
    text = _text(answer, what=_("ý kiến"))
    _check_may_act(officer=officer, step=step, action="answer")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.CONSULT})
        _finish(fresh, officer=officer, now=timezone.now(), note=text)
        _touch(dossier)
        _audit(officer=officer, dossier=dossier, action="answer", step=fresh)
        _step_event(
            EventKind.CONSULTATION_ANSWERED,
            dossier=dossier,
            step=fresh,
            officer=officer,
            requested_by_step_id=fresh.requested_by_step_id,
        )
        return fresh


def step_request_supplement(*, step: DossierStep, officer: Any, reasons: str, revision: int | None) -> DossierSlip:
    """Ask the citizen for papers during processing: the clock stops until they come."""
    text = _text(reasons, what=_("giấy tờ cần bổ sung"))
    _check_may_act(officer=officer, step=step, action="supplement")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.PROCESS})
        DossierPause.objects.create(
            dossier=dossier, step=fresh, reason=text, requested_by=officer, started_at=timezone.now()
        )
        dossier_transition(dossier=dossier, to_status=DossierStatus.PAUSED, actor=officer, note=text)
        lines = [line.strip("-• ").strip() for line in text.splitlines() if line.strip()]
        return slip_issue(
            dossier=dossier, kind=SlipKind.SUPPLEMENT, officer=officer, content={"reasons": text, "reason_lines": lines}
        )


def processing_resume(*, dossier: Dossier, actor: Any, note: str) -> Dossier:
    """The citizen's papers arrived: end the pause and move every open deadline by its length.

    Runs inside the caller's transaction on the locked dossier.
    """
    now = timezone.now()
    pause = dossier.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    if pause is not None:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
        paused = paused_working_time(started_at=pause.started_at, ended_at=now)
        if dossier.due_at is not None:
            dossier.due_at = shift(dossier.due_at, paused)
        for open_step in dossier.steps.filter(status=StepStatus.ACTIVE):
            open_step.due_at = shift(open_step.due_at, paused)
            open_step.save(update_fields=["due_at"])
    return dossier_transition(
        dossier=dossier, to_status=DossierStatus.IN_PROGRESS, actor=actor, note=note, summary={"due_at": dossier.due_at}
    )


def step_signing_code_send(*, step: DossierStep, officer: Any) -> None:
    """Ask the signing service to text the officer the one-time code that confirms their
    signature at approval (their own certificate) or at issue (the agency's), for plugins
    confirmed by a code (`Confirmation.CODE`). Audit `dossier.signing_code_sent`."""
    if step.kind not in {StepKind.APPROVE, StepKind.ISSUE}:
        raise ApplicationError(_("Bước này không ký số văn bản."), code="signing_not_in_step")
    seal = step.kind == StepKind.ISSUE
    _check_may_act(officer=officer, step=step, action="issue" if seal else "approve")
    signer_name = result_signer_name(agency=step.agency, approver=None if seal else officer)
    with signing_refusal_recorded(actor=officer, obj=step.dossier, attempted="signing_code", step=step.pk):
        signers.get().confirmation_send(signer_name=signer_name, seal=seal)
    with transaction.atomic():
        audit_record(actor=officer, action="dossier.signing_code_sent", obj=step.dossier, summary={"step": step.pk})


def step_approve(
    *, step: DossierStep, leader: Any, decision: str, note: str, revision: int | None, confirmation: str = ""
) -> DossierStep:
    """The leader approves (or refuses, with reasons) and signs the result document with
    their personal signature; it has no number yet (the clerk's issue step gives it one).
    `confirmation` is what the signing plugin needs from the leader (a PIN, a code); a
    signing that fails leaves the dossier as it was."""
    if decision not in Outcome.values:
        raise ApplicationError(_("Hãy chọn phê duyệt hoặc không phê duyệt."), code="decision_required")
    if decision == Outcome.REFUSED:
        note = _text(note, what=_("lý do không giải quyết"))
    _check_may_act(officer=leader, step=step, action="approve")
    with (
        signing_refusal_recorded(actor=leader, obj=step.dossier, attempted="approve", step=step.pk),
        transaction.atomic(),
    ):
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.APPROVE})
        consultations_answered_guard(fresh)
        dossier.outcome = decision
        dossier.outcome_note = note.strip()[:4000]
        now = timezone.now()
        _finish(fresh, officer=leader, now=now, note=dossier.outcome_note)
        _step_event(EventKind.APPROVED, dossier=dossier, step=fresh, officer=leader, decision=decision)
        document = result_sign(
            dossier=dossier,
            agency=fresh.agency,
            approver=leader,
            outcome=decision,
            note=dossier.outcome_note,
            actor=leader,
            confirmation=confirmation,
        )
        dossier.result_document = document
        _advance(dossier=dossier, step=fresh, now=now)
        _touch(dossier)
        _audit(
            officer=leader,
            dossier=dossier,
            action="approve",
            step=fresh,
            decision=decision,
            document=document.verification_code,
        )
        return fresh


def step_issue(*, step: DossierStep, clerk: Any, revision: int | None, confirmation: str = "") -> Dossier:
    """The clerk registers and releases the signed result: numbers and dates it in the
    agency's register and adds the agency's signature (Decree 30/2020/NĐ-CP), then it
    reaches the citizen's store, and the one-stop unit (or, for online delivery, the citizen
    directly) gets it. `confirmation` is what the signing plugin needs from the clerk for the
    agency's certificate; a signing that fails leaves the dossier and the register as they
    were."""
    _check_may_act(officer=clerk, step=step, action="issue")
    with signing_refusal_recorded(actor=clerk, obj=step.dossier, attempted="issue", step=step.pk), transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.ISSUE})
        result_signed_guard(dossier)
        fees_paid_guard(dossier, before=PaymentTiming.ACCEPTANCE)

        assert dossier.result_document is not None
        document = result_number_and_seal(
            document=dossier.result_document, agency=fresh.agency, clerk=clerk, actor=clerk, confirmation=confirmation
        )
        # A result paid for before its return reaches the citizen's store with the return.
        if not fees_blocking(dossier, before=PaymentTiming.RETURN):
            result_store_for_citizen(dossier=dossier, document=document)
        now = timezone.now()
        dossier.processed_at = now
        _finish(fresh, officer=clerk, now=now)
        opened = _advance(dossier=dossier, step=fresh, now=now)
        dossier_transition(
            dossier=dossier,
            to_status=DossierStatus.PROCESSED,
            actor=clerk,
            summary={"number": document.number},
            event_payload={
                **step_event_payload(fresh, officer=clerk),
                "document_number": document.number,
                "verification_code": document.verification_code,
            },
        )
        _return_online(dossier=dossier, open_steps=opened, actor=clerk, now=now)
        return dossier


def _return_online(*, dossier: Dossier, open_steps: list[DossierStep], actor: Any, now: datetime.datetime) -> None:
    """Online delivery: putting the result in the citizen's store is the return, so the open
    return steps close and, when nothing else is open, the dossier is returned. Fees owed
    before the return keep the return step open until they are paid."""
    if dossier.delivery_method != DeliveryMethod.ONLINE or fees_blocking(dossier, before=PaymentTiming.RETURN):
        return
    returns = [s for s in open_steps if s.kind == StepKind.RETURN]
    for return_step in returns:
        _finish(return_step, officer=actor, now=now, note=str(_("Trả kết quả trực tuyến vào kho dữ liệu.")))
    if returns and len(returns) == len(open_steps):
        _returned(dossier=dossier, actor=actor, now=now, note=str(_("Trả kết quả trực tuyến")), step=returns[0])


def return_online_when_paid(*, dossier: Dossier, actor: Any) -> None:
    """The fees were just paid (payments.services.payment_paid, on the locked dossier): a result
    issued for online delivery whose return waited only for them is returned now, as
    step_issue would have done."""
    if dossier.status != DossierStatus.PROCESSED:
        return
    open_steps = list(dossier.steps.filter(status=StepStatus.ACTIVE).select_related("process_step"))
    _return_online(dossier=dossier, open_steps=open_steps, actor=actor, now=timezone.now())


def _returned(*, dossier: Dossier, actor: Any, now: datetime.datetime, note: str, step: DossierStep) -> None:
    if dossier.result_document is not None:
        # Withheld at issue while fees were owed; a copy already made is returned as is.
        result_store_for_citizen(dossier=dossier, document=dossier.result_document)
    dossier.returned_at = now
    dossier.returned_note = note[:500]
    dossier_transition(
        dossier=dossier,
        to_status=DossierStatus.RETURNED,
        actor=actor,
        note=note,
        event_payload=step_event_payload(step, officer=actor),
    )


def step_hand_over(*, step: DossierStep, officer: Any, note: str, revision: int | None) -> Dossier:
    """The one-stop unit hands the result to the citizen (at the counter or by post)."""
    _check_may_act(officer=officer, step=step, action="hand_over")
    with transaction.atomic():
        dossier, fresh = _lock(step=step, revision=revision, kinds={StepKind.RETURN})
        if dossier.status != DossierStatus.PROCESSED:
            raise ApplicationError(_("Hồ sơ chưa có kết quả để trả."), code="dossier_wrong_state")
        fees_paid_guard(dossier, before=PaymentTiming.RETURN)
        now = timezone.now()
        text = note.strip() or str(DeliveryMethod(dossier.delivery_method or DeliveryMethod.COUNTER).label)
        _finish(fresh, officer=officer, now=now, note=text)
        _returned(dossier=dossier, actor=officer, now=now, note=text, step=fresh)
        return dossier


def dossier_extend(
    *, dossier: Dossier, officer: Any, reason: str, new_due: datetime.datetime, revision: int | None
) -> DossierSlip:
    """A dossier that will be late: apologise in writing and give a new appointment."""
    text = _text(reason, what=_("lý do chậm trả kết quả"))
    if not officer_may_extend(officer=officer, dossier=dossier):
        error = ApplicationError(
            _(
                "Chỉ cơ quan đang giải quyết hồ sơ được gia hạn và lập phiếu xin lỗi; "
                "cơ quan được xin ý kiến chỉ trả lời phần xin ý kiến của mình."
            ),
            code="extend_forbidden",
        )
        _refuse(officer=officer, dossier=dossier, attempted="extend", error=error)
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk, expected_revision=revision)
        if locked.status not in {DossierStatus.IN_PROGRESS, DossierStatus.PAUSED} or locked.due_at is None:
            raise ApplicationError(_("Chỉ gia hạn được hồ sơ đang giải quyết."), code="dossier_wrong_state")
        if new_due <= max(locked.due_at, timezone.now()):
            raise ApplicationError(
                _("Ngày hẹn mới phải sau ngày hẹn hiện tại (%(due)s).")
                % {"due": timezone.localtime(locked.due_at).strftime("%H:%M %d/%m/%Y")},
                code="extend_date",
            )
        old_due = locked.due_at
        locked.due_at = new_due
        locked.revision += 1
        locked.save(update_fields=["due_at", "revision", "updated_at"])
        audit_record(
            actor=officer, action="dossier.extended", obj=locked, summary={"old_due": old_due, "new_due": new_due}
        )
        content = {
            "reason": text,
            "old_due": old_due,
            "new_due": new_due,
            "agency_name": processing_agency(locked).name,
        }
        slip = slip_issue(dossier=locked, kind=SlipKind.APOLOGY, officer=officer, content=content)
        agency = processing_agency(locked)
        domain_event_record(
            dossier=locked,
            kind=EventKind.EXTENDED,
            actor=officer,
            payload={
                "slip_id": slip.pk,
                "old_due": old_due,
                "new_due": new_due,
                "note": text,
                "agency_code": agency.code,
                "agency_name": agency.name,
            },
        )
        return slip
