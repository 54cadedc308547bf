"""Helpers for tests of dossiers: a dossier handed in without the SMS step, and staff."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import dossier_lock, dossier_transition


def submitted_dossier(
    applicant: Any, version: Any, *, unit_code: str = "24121", delivery: str = DeliveryMethod.COUNTER
) -> Dossier:
    """A dossier with its paper attached, handed in to the receiving agency's queue."""
    dossier = services.dossier_start(applicant=applicant, version=version, unit_code=unit_code)
    for component in version.components.all():
        services.dossier_attach(
            dossier=dossier, actor=applicant, component_id=component.pk, name="giay-to.pdf", data=small_pdf()
        )
    dossier.refresh_from_db()
    address = "Số 1 Lê Duẩn, phường Tân Lập" if delivery == DeliveryMethod.POST else ""
    services.dossier_set_delivery(
        dossier=dossier, actor=applicant, method=delivery, address=address, revision=dossier.revision
    )
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status=DossierStatus.AWAITING_CONFIRMATION, actor=applicant)
        services._dossier_hand_in(dossier=locked, actor=applicant)
    return Dossier.objects.get(pk=dossier.pk)


def officer(username: str, agency: str = "UBND-24121", role: str = Role.RECEPTION, email: str = "") -> Any:
    user = staff_ensure(
        actor="test",
        username=username,
        full_name=f"Cán bộ {username}",
        password="x",  # noqa: S106 - test account
        roles=[(role, agency, None)],
    )
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user


def consulted_dossier(*, applicant: Any, version: Any) -> dict[str, Any]:
    """A ward dossier, accepted, whose specialist asked the Department of Justice for an opinion:
    the dossier, its main step, the consultation step and the officers of both agencies by part."""
    from motcua.catalog.constants import StepKind
    from motcua.dossiers.models import DossierStep
    from motcua.dossiers.processing import step_consult
    from motcua.dossiers.reception import dossier_accept

    staff = {
        "reception": officer("xa.tn"),
        "specialist": officer("xa.cv", role=Role.SPECIALIST),
        "leader": officer("xa.ld", role=Role.LEADER),
        "stp_specialist": officer("stp.cv", agency="STP", role=Role.SPECIALIST),
        "stp_leader": officer("stp.ld", agency="STP", role=Role.LEADER),
        "stp_reception": officer("stp.tn", agency="STP", role=Role.RECEPTION),
    }
    dossier = submitted_dossier(applicant, version)
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=dossier.revision)
    main = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS)
    consultation = step_consult(
        step=main,
        officer=staff["specialist"],
        agency_id=staff["stp_specialist"].staff_roles.get().agency_id,
        question="Đề nghị Sở Tư pháp cho ý kiến về việc ghi quê quán.",
        days=Decimal(2),
        revision=None,
    )
    return {"dossier": Dossier.objects.get(pk=dossier.pk), "main": main, "consultation": consultation, **staff}
