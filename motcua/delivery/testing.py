"""Helpers for tests of delivery: a dossier whose result is issued and waits at the counter."""

from typing import Any

from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.dossiers.constants import DeliveryMethod, Outcome, StepStatus
from motcua.dossiers.fees import fees_unpaid
from motcua.dossiers.models import Dossier
from motcua.dossiers.processing import step_approve, step_forward, step_issue
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record


def ward_staff() -> dict[str, Any]:
    """The ward's officers of every part (created once; `officer` is idempotent)."""
    return {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
    }


def processed_dossier(applicant: Any, version: Any, *, delivery: str = DeliveryMethod.COUNTER) -> Dossier:
    """A ward dossier accepted (fees paid), examined, approved and issued: processed, its return
    step open."""
    staff = ward_staff()
    dossier = submitted_dossier(applicant, version, delivery=delivery)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=None)
    if fees_unpaid(dossier):  # paid at the counter, or the clerk could not issue
        counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    return accepted_dossier_processed(dossier)


def accepted_dossier_processed(dossier: Dossier) -> Dossier:
    """An accepted ward dossier examined, approved and issued by the ward's staff."""
    staff = ward_staff()

    def active(kind: str) -> Any:
        return dossier.steps.get(kind=kind, status=StepStatus.ACTIVE)

    step_forward(step=active(StepKind.PROCESS), officer=staff["specialist"], note="", draft="", revision=None)
    step_approve(
        step=active(StepKind.APPROVE), leader=staff["leader"], decision=Outcome.GRANTED, note="", revision=None
    )
    step_issue(step=active(StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    return Dossier.objects.get(pk=dossier.pk)
