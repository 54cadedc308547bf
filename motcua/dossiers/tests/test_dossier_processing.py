"""Processing along the process kept as data: the dossier moves from reception through the
specialist (with another agency's opinion), the leader's signed approval and the clerk's
issuing back to the one-stop unit; each step has a working-day deadline and an early / on time /
late mark; only officers holding the step's role act, and every refusal changes nothing."""

import datetime
import io
import threading

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from motcua.catalog.constants import PaymentTiming, StepKind
from motcua.catalog.models import Fee
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.documents.models import StoredDocument
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, Outcome, SlipKind, StepStatus, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness, step_timeliness
from motcua.dossiers.fees import fees_paid_guard
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import (
    consultation_answer,
    dossier_extend,
    step_approve,
    step_assign,
    step_consult,
    step_forward,
    step_hand_over,
    step_issue,
    step_request_supplement,
    step_return,
    step_take,
)
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.selectors import dossier_get_for_officer
from motcua.dossiers.services import dossier_supplement_send
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.dossiers.transitions import StaleDossier
from motcua.notifications.constants import NotificationEvent
from motcua.notifications.models import OutboxMessage
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.signatures.signing import validate_signed_pdf

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))


def at(day: int, hour: int, month: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def staff(birth_version):  # type: ignore[no-untyped-def]
    return {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
        "stp": officer("stp.cv", agency="STP", role=Role.SPECIALIST),
    }


def _active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def _rev(dossier: Dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).revision


def _received(hung, version, staff, delivery=DeliveryMethod.COUNTER) -> Dossier:  # type: ignore[no-untyped-def]
    dossier = submitted_dossier(hung, version, delivery=delivery)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    return Dossier.objects.get(pk=dossier.pk)


def test_acceptance_pins_the_default_process_and_opens_the_specialist_step(hung, birth_version, staff) -> None:
    with time_machine.travel(at(7, 9), tick=False):
        dossier = _received(hung, birth_version, staff)
    assert dossier.status == DossierStatus.IN_PROGRESS and dossier.process is not None
    reception = DossierStep.objects.get(dossier=dossier, kind=StepKind.RECEPTION)
    assert reception.status == StepStatus.DONE and reception.finished_by == staff["reception"]
    step = _active(dossier, StepKind.PROCESS)
    # The only specialist of the ward gets it straight away; 50 % of one working day is due.
    assert step.assignee == staff["specialist"] and step.agency.code == "UBND-24121"
    assert step.started_at < step.due_at <= dossier.due_at  # type: ignore[operator]


def test_the_whole_journey_with_an_opinion_from_another_agency(hung, birth_version, staff) -> None:
    with time_machine.travel(at(7, 8), tick=False):
        dossier = _received(hung, birth_version, staff)
        step = _active(dossier, StepKind.PROCESS)
        consultation = step_consult(
            step=step,
            officer=staff["specialist"],
            agency_id=staff["stp"].staff_roles.get().agency_id,
            question="Đề nghị Sở Tư pháp cho ý kiến về việc ghi quê quán.",
            days=1,
            revision=_rev(dossier),
        )
        # The department now sees the dossier; silence is not consent.
        assert dossier_get_for_officer(user=staff["stp"], pk=dossier.pk)
        with pytest.raises(ApplicationError) as pending:
            step_forward(step=step, officer=staff["specialist"], note="", draft="", revision=_rev(dossier))
        assert pending.value.code == "consultation_pending"
        consultation_answer(
            step=consultation,
            officer=staff["stp"],
            answer="Ghi quê quán theo quê quán của cha.",
            revision=_rev(dossier),
        )
        step_forward(
            step=step,
            officer=staff["specialist"],
            note="Hồ sơ đủ điều kiện.",
            draft="Đăng ký khai sinh cho cháu.",
            revision=_rev(dossier),
        )
        approval = _active(dossier, StepKind.APPROVE)
        step_approve(step=approval, leader=staff["leader"], decision=Outcome.GRANTED, note="", revision=_rev(dossier))
        issue = _active(dossier, StepKind.ISSUE)
        step_issue(step=issue, clerk=staff["clerk"], revision=_rev(dossier))
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.PROCESSED and dossier.processed_at is not None
        hand_over = _active(dossier, StepKind.RETURN)
        step_hand_over(step=hand_over, officer=staff["reception"], note="Trao tận tay", revision=_rev(dossier))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    document = dossier.result_document
    assert document is not None and document.signed_by_name == staff["leader"].get_full_name()
    with document.file.open("rb") as handle:
        signed = handle.read()
    assert validate_signed_pdf(signed).valid
    assert StoredDocument.objects.filter(owner=hung, source_dossier=dossier).count() == 1
    assert dossier_timeliness(dossier) == Timeliness.EARLY
    assert {step_timeliness(s) for s in dossier.steps.all()} <= {Timeliness.EARLY, Timeliness.ON_TIME}
    statuses = list(dossier.history.values_list("to_status", flat=True))
    assert statuses[-4:] == ["received", "in_progress", "processed", "returned"]


def test_online_delivery_returns_the_result_when_issued(hung, birth_version, staff) -> None:
    dossier = _received(hung, birth_version, staff, delivery=DeliveryMethod.ONLINE)
    step_forward(step=_active(dossier, StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None)
    step_approve(
        step=_active(dossier, StepKind.APPROVE),
        leader=staff["leader"],
        decision=Outcome.GRANTED,
        note="",
        revision=None,
    )
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert not dossier.steps.filter(status=StepStatus.ACTIVE).exists()
    # One message says the result is there and the dossier complete, not a "ready" one besides.

    events = set(OutboxMessage.objects.filter(dossier=dossier).values_list("event", flat=True))
    assert "completed" in events and "result_ready" not in events


def test_only_the_step_role_acts_and_refusals_are_audited(hung, birth_version, staff) -> None:
    dossier = _received(hung, birth_version, staff)
    step = _active(dossier, StepKind.PROCESS)
    for intruder in (staff["reception"], staff["stp"], staff["leader"]):
        with pytest.raises(ApplicationError) as refused:
            step_forward(step=step, officer=intruder, note="", draft="", revision=_rev(dossier))
        assert refused.value.code == "step_forbidden"
    assert _active(dossier, StepKind.PROCESS).pk == step.pk
    assert AuditEvent.objects.filter(action="dossier.step_forbidden", object_id=str(dossier.pk)).count() == 3
    # Approving is a leader's act: a specialist holding the approval step's page gets refused.
    step_forward(step=step, officer=staff["specialist"], note="", draft="", revision=None)
    with pytest.raises(ApplicationError) as refused:
        step_approve(
            step=_active(dossier, StepKind.APPROVE),
            leader=staff["specialist"],
            decision=Outcome.GRANTED,
            note="",
            revision=None,
        )
    assert refused.value.code == "step_forbidden"


def test_wrong_action_done_step_and_stale_page_are_refused(hung, birth_version, staff) -> None:
    dossier = _received(hung, birth_version, staff)
    step = _active(dossier, StepKind.PROCESS)
    stale = _rev(dossier)
    with pytest.raises(ApplicationError) as wrong:
        step_issue(step=step, clerk=staff["specialist"], revision=stale)
    assert wrong.value.code in {"step_forbidden", "step_wrong_action"}
    step_forward(step=step, officer=staff["specialist"], note="", draft="", revision=stale)
    with pytest.raises(StaleDossier):
        step_forward(step=step, officer=staff["specialist"], note="", draft="", revision=stale)
    with pytest.raises(ApplicationError) as done:
        step_forward(step=step, officer=staff["specialist"], note="", draft="", revision=None)
    assert done.value.code == "step_not_active"
    # Skipping a step: the clerk cannot issue before the leader has approved.
    assert not DossierStep.objects.filter(dossier=dossier, kind=StepKind.ISSUE).exists()


def test_leader_returns_to_the_specialist_with_a_reason(hung, birth_version, staff) -> None:
    dossier = _received(hung, birth_version, staff)
    step_forward(step=_active(dossier, StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None)
    approval = _active(dossier, StepKind.APPROVE)
    with pytest.raises(ApplicationError):
        step_return(step=approval, officer=staff["leader"], to_code="tham-dinh", reason="ngắn", revision=None)
    with pytest.raises(ApplicationError) as not_allowed:
        step_return(
            step=approval, officer=staff["leader"], to_code="tiep-nhan", reason="Xem lại giấy tờ", revision=None
        )
    assert not_allowed.value.code == "return_not_allowed"
    reopened = step_return(
        step=approval, officer=staff["leader"], to_code="tham-dinh", reason="Kiểm tra lại tên người mẹ", revision=None
    )
    assert reopened.kind == StepKind.PROCESS and reopened.assignee == staff["specialist"]
    assert DossierStep.objects.get(pk=approval.pk).status == StepStatus.RETURNED


def test_leader_assigns_and_others_may_not(hung, birth_version, staff) -> None:
    second = officer("xa.cv2", role=Role.SPECIALIST)
    dossier = _received(hung, birth_version, staff)
    step = _active(dossier, StepKind.PROCESS)
    assert step.assignee is None  # two specialists now: the step waits in the unit's queue
    step_take(step=step, officer=staff["specialist"], revision=None)
    with pytest.raises(ApplicationError) as taken:
        step_take(step=step, officer=second, revision=None)
    assert taken.value.code == "step_taken"
    with pytest.raises(ApplicationError) as forbidden:
        step_assign(step=step, leader=staff["specialist"], assignee_id=second.pk, revision=None)
    assert forbidden.value.code == "assign_forbidden"
    with pytest.raises(ApplicationError) as invalid:
        step_assign(step=step, leader=staff["leader"], assignee_id=staff["clerk"].pk, revision=None)
    assert invalid.value.code == "assignee_invalid"
    step_assign(step=step, leader=staff["leader"], assignee_id=second.pk, revision=None)
    assert DossierStep.objects.get(pk=step.pk).assignee == second


def test_supplement_during_processing_pauses_the_clock(hung, birth_version, staff) -> None:
    """Week of Monday 7 December 2026 (24 November is a day off since 2025). Asked on Monday
    09:00 and answered Wednesday 09:00: every open deadline moves by the
    two working days the dossier waited."""
    with time_machine.travel(at(7, 8), tick=False):
        dossier = _received(hung, birth_version, staff)
    due_before = dossier.due_at
    step = _active(dossier, StepKind.PROCESS)
    with time_machine.travel(at(7, 9), tick=False):
        slip = step_request_supplement(
            step=step, officer=staff["specialist"], reasons="Bản sao giấy chứng sinh bị mờ", revision=None
        )
    assert slip.kind == SlipKind.SUPPLEMENT and slip.form_number == "02"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PAUSED
    with pytest.raises(ApplicationError) as paused:
        step_forward(step=step, officer=staff["specialist"], note="", draft="", revision=None)
    assert paused.value.code == "dossier_paused"
    with time_machine.travel(at(9, 9), tick=False):
        dossier_supplement_send(dossier=dossier, actor=hung, note="Đã bổ sung bản rõ")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert dossier.due_at is not None and due_before is not None
    assert dossier.due_at.astimezone(VN) - due_before.astimezone(VN) == datetime.timedelta(days=2)
    assert _active(dossier, StepKind.PROCESS).due_at.astimezone(VN).date() == datetime.date(2026, 12, 9)
    assert dossier.pauses.get().ended_at is not None


def test_a_late_dossier_gets_its_apology_slip_and_counts_as_late(hung, birth_version, staff) -> None:
    with time_machine.travel(at(7, 8), tick=False):
        dossier = _received(hung, birth_version, staff)
    with time_machine.travel(at(8, 10), tick=False):
        with pytest.raises(ApplicationError) as past:
            dossier_extend(
                dossier=dossier,
                officer=staff["specialist"],
                reason="Chờ xác minh thông tin",
                new_due=at(8, 9),
                revision=None,
            )
        assert past.value.code == "extend_date"
        slip = dossier_extend(
            dossier=dossier,
            officer=staff["specialist"],
            reason="Chờ xác minh thông tin nơi sinh",
            new_due=at(10, 16),
            revision=None,
        )
    assert slip.kind == SlipKind.APOLOGY
    # The citizen is told, once per slip, on their channels.

    apologies = OutboxMessage.objects.filter(dossier=dossier, event="late_apology")
    assert apologies.exists() and apologies.count() == len({m.channel for m in apologies})
    with slip.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Chờ xác minh thông tin nơi sinh" in text and dossier.code in text  # type: ignore[operator]
    with time_machine.travel(at(9, 9), tick=False):
        step_forward(
            step=_active(dossier, StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None
        )
        step_approve(
            step=_active(dossier, StepKind.APPROVE),
            leader=staff["leader"],
            decision=Outcome.GRANTED,
            note="",
            revision=None,
        )
        step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    dossier.refresh_from_db()
    # Finished before the new appointment, still late: the first appointment was missed.
    assert dossier_timeliness(dossier) == Timeliness.LATE
    late_step = dossier.steps.get(kind=StepKind.PROCESS)
    assert step_timeliness(late_step) == Timeliness.LATE


def test_fees_must_be_paid_before_the_result_is_issued(hung, birth_version, staff) -> None:
    free = _received(hung, birth_version, staff)
    assert not OutboxMessage.objects.filter(dossier=free, event=NotificationEvent.FEE_DUE).exists()
    Fee.objects.filter(version=birth_version).update(amount=8000)
    dossier = _received(hung, birth_version, staff)
    # Acceptance tells the applicant what is owed, once per channel, after the acceptance itself.
    due = OutboxMessage.objects.filter(dossier=dossier, event=NotificationEvent.FEE_DUE)
    assert {m.channel for m in due} == {"email", "sms"}
    assert "8.000 đồng" in due.get(channel="email").body and "Bộ phận Một cửa" in due.get(channel="email").body
    assert "8.000 dong" in due.get(channel="sms").body, "SMS text is accent-folded"
    accepted = OutboxMessage.objects.get(dossier=dossier, event=NotificationEvent.ACCEPTED, channel="sms")
    assert accepted.pk < due.get(channel="sms").pk
    step_forward(step=_active(dossier, StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None)
    step_approve(
        step=_active(dossier, StepKind.APPROVE),
        leader=staff["leader"],
        decision=Outcome.GRANTED,
        note="",
        revision=None,
    )
    with pytest.raises(ApplicationError) as unpaid:
        step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    assert unpaid.value.code == "fees_unpaid" and "8.000" in unpaid.value.message
    with pytest.raises(ApplicationError):
        counter_payment_record(dossier=dossier, officer=staff["clerk"], method=PaymentMethod.CASH, revision=None)
    counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    fees_paid_guard(Dossier.objects.get(pk=dossier.pk), before=PaymentTiming.ACCEPTANCE)
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED


def test_refusal_by_the_leader_is_signed_and_issued_as_a_reply(hung, birth_version, staff) -> None:
    dossier = _received(hung, birth_version, staff)
    step_forward(step=_active(dossier, StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None)
    approval = _active(dossier, StepKind.APPROVE)
    with pytest.raises(ApplicationError):
        step_approve(step=approval, leader=staff["leader"], decision=Outcome.REFUSED, note="", revision=None)
    step_approve(
        step=approval,
        leader=staff["leader"],
        decision=Outcome.REFUSED,
        note="Người yêu cầu không thuộc trường hợp đăng ký khai sinh tại phường.",
        revision=None,
    )
    dossier.refresh_from_db()
    assert dossier.outcome == Outcome.REFUSED and dossier.result_document is not None


@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_get_one_success_and_one_conflict(hung, birth_version, staff) -> None:
    second = officer("xa.cv2", role=Role.SPECIALIST)
    dossier = _received(hung, birth_version, staff)
    step = _active(dossier, StepKind.PROCESS)
    revision = _rev(dossier)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(user) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            step_forward(step=step, officer=user, note="", draft="", revision=revision)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in (staff["specialist"], second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["dossier_stale", "ok"]
    assert DossierStep.objects.filter(dossier=dossier, kind=StepKind.APPROVE).count() == 1


def test_parallel_steps_all_finish_before_the_next_position_opens(hung, birth_version, staff) -> None:
    """A process where the ward and the Department of Justice appraise side by side: approval
    opens only when both are done, and each agency acts only on its own branch."""
    from decimal import Decimal

    from motcua.catalog.constants import AgencySource
    from motcua.catalog.models import Process, ProcessStep
    from motcua.catalog.processes import process_publish
    from motcua.directory.models import Agency

    process = Process.objects.create(version=birth_version, number=1, name="Quy trình phối hợp")
    rows = [
        (1, "tiep-nhan", StepKind.RECEPTION, AgencySource.RECEIVING, None, Role.RECEPTION, "0.5", []),
        (2, "tham-dinh", StepKind.PROCESS, AgencySource.PROCESSING, None, Role.SPECIALIST, "3", []),
        (2, "tham-dinh-so", StepKind.PROCESS, AgencySource.FIXED, "STP", Role.SPECIALIST, "3", []),
        (3, "phe-duyet", StepKind.APPROVE, AgencySource.PROCESSING, None, Role.LEADER, "2", ["tham-dinh"]),
        (4, "phat-hanh", StepKind.ISSUE, AgencySource.PROCESSING, None, Role.CLERK, "1", []),
        (5, "tra-ket-qua", StepKind.RETURN, AgencySource.RECEIVING, None, Role.RECEPTION, "1", []),
    ]
    for position, code, kind, source, agency, role, hours, back in rows:
        ProcessStep.objects.create(
            process=process,
            position=position,
            code=code,
            name=code,
            kind=kind,
            agency_source=source,
            agency=Agency.objects.get(code=agency) if agency else None,
            role=role,
            allotted=Decimal(hours),
            return_to=back,
        )
    process_publish(process=process, actor="test")
    dossier = _received(hung, birth_version, staff)
    assert dossier.process == process
    ward, department = (
        DossierStep.objects.get(dossier=dossier, process_step__code=code) for code in ("tham-dinh", "tham-dinh-so")
    )
    assert (ward.agency.code, department.agency.code) == ("UBND-24121", "STP")
    with pytest.raises(ApplicationError):
        step_forward(step=department, officer=staff["specialist"], note="", draft="", revision=None)
    step_forward(step=ward, officer=staff["specialist"], note="", draft="", revision=None)
    assert not DossierStep.objects.filter(dossier=dossier, kind=StepKind.APPROVE).exists()
    step_forward(step=department, officer=staff["stp"], note="Đồng ý", draft="", revision=None)
    assert _active(dossier, StepKind.APPROVE).agency.code == "UBND-24121"
