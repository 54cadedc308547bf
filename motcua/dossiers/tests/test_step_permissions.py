"""A role is not enough to act on a dossier: the officer must have a part in it.

An agency asked only for its opinion (a consultation step) answers that consultation and nothing
else: it can neither move the citizen's appointment with an apology slip, nor finish, return or
approve the handling agency's steps, nor record fees. The handling agency still can. Within an
agency, a step another officer holds is theirs until a leader reassigns it. Every refusal
changes nothing and is audited."""

import datetime

import pytest
from django.utils import timezone

from motcua.catalog.constants import StepKind
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.dossiers.constants import Outcome, SlipKind, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import (
    consultation_answer,
    dossier_extend,
    step_approve,
    step_assign,
    step_consult,
    step_file_add,
    step_forward,
    step_request_supplement,
    step_return,
    step_take,
)
from motcua.dossiers.testing import consulted_dossier, fees_owed, officer
from motcua.notifications.models import OutboxMessage
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record

pytestmark = pytest.mark.django_db
QUARTER = datetime.timedelta(days=91)


@pytest.fixture
def consulted(hung, birth_version):  # type: ignore[no-untyped-def]
    """A ward dossier whose specialist asked the Department of Justice for an opinion."""
    return consulted_dossier(applicant=hung, version=birth_version)


def _refused(code: str, action, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as refused:
        action(**kwargs)
    assert refused.value.code == code


@pytest.mark.parametrize("who", ["stp_specialist", "stp_leader", "stp_reception"])
def test_a_consulted_agency_cannot_move_the_appointment(consulted, who) -> None:
    dossier = consulted["dossier"]
    before = dossier.due_at
    assert before is not None
    _refused(
        "extend_forbidden",
        dossier_extend,
        dossier=dossier,
        officer=consulted[who],
        reason="Chờ ý kiến của Sở Tư pháp thêm ba tháng",
        new_due=before + QUARTER,
        revision=None,
    )
    dossier.refresh_from_db()
    assert dossier.due_at == before
    assert not dossier.slips.filter(kind=SlipKind.APOLOGY).exists()
    assert not OutboxMessage.objects.filter(dossier=dossier, event="late_apology").exists()
    assert AuditEvent.objects.filter(
        action="dossier.action_forbidden", object_id=str(dossier.pk), actor_id=consulted[who].pk
    ).exists()


@pytest.mark.parametrize("who", ["stp_specialist", "stp_leader"])
def test_a_consulted_agency_cannot_act_on_the_handling_agencys_steps(consulted, who) -> None:
    dossier, main, intruder = consulted["dossier"], consulted["main"], consulted[who]
    _refused("step_forbidden", step_forward, step=main, officer=intruder, note="", draft="", revision=None)
    _refused(
        "step_forbidden",
        step_return,
        step=main,
        officer=intruder,
        to_code="tiep-nhan",
        reason="Trả lại để xem lại giấy tờ",
        revision=None,
    )
    _refused(
        "step_forbidden",
        step_request_supplement,
        step=main,
        officer=intruder,
        reasons="Bổ sung bản sao giấy chứng sinh",
        revision=None,
    )
    _refused("step_forbidden", step_take, step=main, officer=intruder, revision=None)
    _refused("assign_forbidden", step_assign, step=main, leader=intruder, assignee_id=intruder.pk, revision=None)
    _refused(
        "fees_forbidden",
        counter_payment_record,
        dossier=dossier,
        officer=intruder,
        method=PaymentMethod.CASH,
        revision=None,
    )
    assert DossierStep.objects.get(pk=main.pk).status == StepStatus.ACTIVE
    assert Dossier.objects.get(pk=dossier.pk).fees_paid_at is None

    # Once its opinion is given and the ward moves on, approving is still the ward leader's act.
    consultation_answer(
        step=consulted["consultation"],
        officer=consulted["stp_specialist"],
        answer="Ghi quê quán theo quê quán của cha.",
        revision=None,
    )
    step_forward(step=main, officer=consulted["specialist"], note="", draft="", revision=None)
    approval = DossierStep.objects.get(dossier=dossier, kind=StepKind.APPROVE, status=StepStatus.ACTIVE)
    _refused(
        "step_forbidden",
        step_approve,
        step=approval,
        leader=intruder,
        decision=Outcome.GRANTED,
        note="",
        revision=None,
    )
    assert DossierStep.objects.get(pk=approval.pk).status == StepStatus.ACTIVE
    assert Dossier.objects.get(pk=dossier.pk).result_document_id is None


def test_the_consulted_agency_answers_its_own_consultation(consulted) -> None:
    consultation = consulted["consultation"]
    # Its leader hands the consultation to a specialist; that specialist answers.
    step_assign(
        step=consultation, leader=consulted["stp_leader"], assignee_id=consulted["stp_specialist"].pk, revision=None
    )
    answered = consultation_answer(
        step=consultation,
        officer=consulted["stp_specialist"],
        answer="Ghi quê quán theo quê quán của cha.",
        revision=None,
    )
    assert answered.status == StepStatus.DONE and answered.finished_by == consulted["stp_specialist"]
    # The ward cannot answer in the department's name.
    other = step_consult(
        step=consulted["main"],
        officer=consulted["specialist"],
        agency_id=consulted["stp_specialist"].staff_roles.get().agency_id,
        question="Xin ý kiến thêm về việc ghi dân tộc.",
        days=1,
        revision=None,
    )
    _refused(
        "step_forbidden",
        consultation_answer,
        step=other,
        officer=consulted["specialist"],
        answer="Tự trả lời thay Sở Tư pháp.",
        revision=None,
    )


def test_the_handling_agency_still_does_each_dossier_wide_act(consulted) -> None:
    dossier = consulted["dossier"]
    assert dossier.due_at is not None
    new_due = max(dossier.due_at, timezone.now()) + datetime.timedelta(days=3)
    slip = dossier_extend(
        dossier=dossier,
        officer=consulted["specialist"],
        reason="Chờ ý kiến của Sở Tư pháp về quê quán",
        new_due=new_due,
        revision=None,
    )
    assert slip.kind == SlipKind.APOLOGY
    assert Dossier.objects.get(pk=dossier.pk).due_at == new_due
    later = new_due + datetime.timedelta(days=1)
    dossier_extend(
        dossier=dossier,
        officer=consulted["leader"],
        reason="Lãnh đạo hẹn lại thêm một ngày",
        new_due=later,
        revision=None,
    )
    dossier_extend(
        dossier=dossier,
        officer=consulted["reception"],
        reason="Bộ phận một cửa hẹn lại thêm một ngày",
        new_due=later + datetime.timedelta(days=1),
        revision=None,
    )
    fees_owed(dossier, 8000)
    counter_payment_record(dossier=dossier, officer=consulted["reception"], method=PaymentMethod.CASH, revision=None)
    assert Dossier.objects.get(pk=dossier.pk).fees_paid_at is not None


def test_a_step_held_by_a_colleague_is_theirs_until_the_leader_reassigns_it(consulted) -> None:
    colleague = officer("xa.cv2", role=Role.SPECIALIST)
    main = consulted["main"]
    assert main.assignee == consulted["specialist"]
    consultation_answer(
        step=consulted["consultation"],
        officer=consulted["stp_specialist"],
        answer="Ghi quê quán theo quê quán của cha.",
        revision=None,
    )
    _refused("step_held_by_other", step_forward, step=main, officer=colleague, note="", draft="", revision=None)
    _refused("step_held_by_other", step_file_add, step=main, officer=colleague, name="ghi-chu.pdf", data=small_pdf())
    assert AuditEvent.objects.filter(action="dossier.step_forbidden", actor_id=colleague.pk).count() == 2
    step_assign(step=main, leader=consulted["leader"], assignee_id=colleague.pk, revision=None)
    _refused(
        "step_held_by_other",
        step_forward,
        step=main,
        officer=consulted["specialist"],
        note="",
        draft="",
        revision=None,
    )
    step_forward(step=main, officer=colleague, note="Đủ điều kiện", draft="", revision=None)
    assert DossierStep.objects.get(pk=main.pk).finished_by == colleague
