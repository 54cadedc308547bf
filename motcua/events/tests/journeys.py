"""Dossier journeys driven through the real services, shared by the events tests."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from motcua.catalog.constants import StepKind
from motcua.catalog.models import Fee
from motcua.delivery.testing import ward_staff
from motcua.dossiers.constants import Outcome, StepStatus
from motcua.dossiers.fees import fees_unpaid
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import (
    step_approve,
    step_forward,
    step_hand_over,
    step_issue,
    step_take,
)
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import submitted_dossier
from motcua.events.services import domain_events_of
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record


def kinds(dossier: Dossier) -> list[str]:
    return [event.kind for event in domain_events_of(dossier.pk)]


def active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def accepted(applicant: Any, version: Any, **options: Any) -> tuple[Dossier, dict[str, Any]]:
    staff = ward_staff()
    dossier = submitted_dossier(applicant, version, **options)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=None)
    return Dossier.objects.get(pk=dossier.pk), staff


def charged(version: Any) -> None:
    """Give the procedure a fee, so acceptance records what is due."""
    Fee.objects.create(version=version, kind="fee", name="Lệ phí", amount=8000)


def returned_dossier(applicant: Any, version: Any) -> Dossier:
    """Submitted, accepted, taken, forwarded, approved and signed, issued, handed over."""
    dossier, staff = accepted(applicant, version)
    if fees_unpaid(dossier):
        counter_payment_record(dossier=dossier, officer=staff["reception"], method=PaymentMethod.CASH, revision=None)
    process = active(dossier, StepKind.PROCESS)
    DossierStep.objects.filter(pk=process.pk).update(assignee=None)  # in the unit's queue
    step_take(step=process, officer=staff["specialist"], revision=None)
    step_forward(step=process, officer=staff["specialist"], note="Hồ sơ hợp lệ", draft="", revision=None)
    step_approve(
        step=active(dossier, StepKind.APPROVE), leader=staff["leader"], decision=Outcome.GRANTED, note="", revision=None
    )
    step_issue(step=active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    step_hand_over(step=active(dossier, StepKind.RETURN), officer=staff["reception"], note="", revision=None)
    return Dossier.objects.get(pk=dossier.pk)


def later(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


CONSULT_DAYS = Decimal(2)
